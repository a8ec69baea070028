import Foundation
import StreamConv
import Testing

/// `run --threads N`: lanes of channels in block mode, time segments with `--block whole`;
/// the bytes written never depend on N (issue 8).
@Suite struct ThreadsCLITests {
    func input(channels: Int, frames: Int, seed: UInt64) -> Signal<Float> {
        var rng = SeededGenerator(seed: seed)
        return Signal((0..<channels).map { _ in (0..<frames).map { _ in Float(rng.nextUnit() - 0.5) } })
    }

    /// Each preset through 1, 2 and 3 threads, in blocks and whole: one set of bytes.
    @Test(arguments: [
        // A single-channel design on stereo: one lane per channel.
        ("lowpass", 2, ""),
        // Circular padding: the withheld head is a segment of its own.
        ("periodic-lowpass", 2, ""),
        // Dense and strided: lanes split the output channels, every lane reads every input.
        ("dense.json", 3, #"{"conv1d": {"in_channels": 3, "out_channels": 5, "kernel_size": 9, "stride": 2, "padding": 4, "dilation": 2}, "init": {"seed": 7}}"#),
        // Long enough for the FFT engine: segments start a warm-up early.
        ("long.json", 2, #"{"conv1d": {"in_channels": 2, "out_channels": 3, "kernel_size": 3000, "padding": "same", "padding_mode": "reflect"}, "init": {"seed": 3}}"#),
    ])
    func outputDoesNotDependOnThreads(preset: String, channels: Int, json: String) throws {
        let dir = temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        if !json.isEmpty { try Data(json.utf8).write(to: dir.appendingPathComponent(preset)) }
        try writeFile(input(channels: channels, frames: 40000, seed: 9), dir.appendingPathComponent("in.wav").path)
        var outputs: [String: Data] = [:]
        for threads in ["1", "2", "3"] {
            for block in ["256", "whole"] {
                let name = "out-\(threads)-\(block).wav"
                let r = try CLI.run(["run", "--preset", preset, "--in", "in.wav", "--out", name, "--block", block, "--threads", threads], in: dir)
                #expect(r.status == 0, "\(r.stderr)")
                outputs[name] = try Data(contentsOf: dir.appendingPathComponent(name))
            }
        }
        #expect(Set(outputs.values).count == 1, "\(preset): \(outputs.mapValues(\.count))")
        // Not all silence: the comparison can fail.
        let (y, _) = try readFile(dir.appendingPathComponent("out-1-256.wav").path)
        #expect(y.channelArrays.joined().contains { abs($0) > 0.01 })
    }

    @Test(arguments: ["0", "-2", "2000", "many"])
    func badThreadCountsAreOneLineErrors(value: String) throws {
        let dir = temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        try writeFile(input(channels: 2, frames: 100, seed: 1), dir.appendingPathComponent("in.wav").path)
        let r = try CLI.run(["run", "--preset", "lowpass", "--in", "in.wav", "--out", "o.wav", "--threads", value], in: dir)
        #expect(r.status != 0)
        #expect(r.stderr.contains("--threads"), "\(r.stderr)")
        #expect(r.stderr.split(separator: "\n").count <= 2, "\(r.stderr)")
        #expect(!contents(dir).contains("o.wav"))
    }
}
