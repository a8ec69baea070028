import Foundation
import StreamConv
import StreamConvIO
import Testing

/// The README's first examples, run as a reader would run them on their own music: a
/// 44.1 kHz stereo song (issue 16, finding 12: they named a 48 kHz-only preset).
@Suite struct ReadmeExampleTests {
    /// The `streamconv run` lines of the README's "Examples:" block, split into arguments.
    static func exampleRuns() throws -> [[String]] {
        let readme = try String(contentsOf: CLI.repository.appendingPathComponent("README.md"), encoding: .utf8)
        guard let start = readme.range(of: "Examples:\n\n```sh\n"),
              let end = readme.range(of: "```", range: start.upperBound..<readme.endIndex) else { return [] }
        return readme[start.upperBound..<end.lowerBound].split(separator: "\n")
            .filter { $0.hasPrefix("streamconv run ") }
            .map { $0.split(separator: " ").dropFirst().map(String.init) }
    }

    @Test func everyRunExampleWorksOnA44kStereoSong() throws {
        let runs = try Self.exampleRuns()
        #expect(runs.count >= 4, "the README's examples block was not found")
        let dir = temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        var rng = SeededGenerator(seed: 44100)
        let song = Signal((0..<2).map { _ in (0..<44100).map { _ in Float(rng.nextUnit() - 0.5) * 0.5 } })
        for args in runs {
            // Every input an example names is the song: 44.1 kHz stereo, except a file whose
            // name says it is 48 kHz material (the fixed-rate preset's example).
            guard let i = args.firstIndex(of: "--in"), i + 1 < args.count else { continue }
            let input = args[i + 1]
            let rate = input.contains("48k") ? 48000 : 44100
            try writeFile(song, dir.appendingPathComponent(input).path, format: input.hasSuffix(".flac") ? .s24 : .s16, rate: rate)
            let r = try CLI.run(args, in: dir)
            #expect(r.status == 0, "streamconv \(args.joined(separator: " ")): \(r.stderr)")
            if let o = args.firstIndex(of: "--out"), o + 1 < args.count {
                let (y, source) = try readFile(dir.appendingPathComponent(args[o + 1]).path)
                #expect(source.channels == 2 && y.frames > 0)
                #expect(source.sampleRate == (args.contains("decimate-2x") ? 24000 : rate))
            }
        }
    }
}
