import Foundation
import StreamConv
import StreamConvIO
import Testing

/// Impulse responses with routing (issue 16, finding 5, part): a true-stereo response (four
/// channels: L→L, L→R, R→L, R→R) and a mono → stereo one are one short preset each, and
/// their output is the sum of the convolutions a plain loop computes here.
@Suite struct RoutedResponseTests {
    static func convolve(_ x: [Float], _ h: [Float], at n: Int) -> Double {
        var sum = 0.0
        for k in 0..<h.count where n - k >= 0 && n - k < x.count { sum += Double(h[k]) * Double(x[n - k]) }
        return sum
    }

    static func decaying(_ seed: UInt64, _ length: Int) -> [Float] {
        var rng = SeededGenerator(seed: seed)
        return (0..<length).map { Float(rng.nextUnit() - 0.5) * Float(exp(-Double($0) / 60)) }
    }

    @Test func trueStereoAndMonoToStereo() throws {
        let dir = temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let paths = (0..<4).map { Self.decaying(UInt64(10 + $0), 300) }
        try writeFile(Signal(paths), dir.appendingPathComponent("hall4.wav").path)
        try writeFile(Signal(Array(paths.prefix(2))), dir.appendingPathComponent("wide2.wav").path)
        try Data(#"{"name": "hall", "impulse_response": "hall4.wav", "routing": "true_stereo"}"#.utf8).write(to: dir.appendingPathComponent("hall.json"))
        try Data(#"{"name": "wide", "impulse_response": "wide2.wav", "routing": "mono_to_stereo"}"#.utf8).write(to: dir.appendingPathComponent("wide.json"))
        var rng = SeededGenerator(seed: 5)
        let stereo = (0..<2).map { _ in (0..<2000).map { _ in Float(rng.nextUnit() - 0.5) } }
        try writeFile(Signal(stereo), dir.appendingPathComponent("st.wav").path)
        try writeFile(Signal([stereo[0]]), dir.appendingPathComponent("mono.wav").path)

        let r = try CLI.run(["run", "--preset", "hall.json", "--in", "st.wav", "--out", "hall-out.wav"], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        let (y, _) = try readFile(dir.appendingPathComponent("hall-out.wav").path)
        #expect(y.channels == 2 && y.frames == 2000 + 299)
        var worst = 0.0
        for n in stride(from: 0, to: y.frames, by: 3) {
            // out L = L→L * in L + R→L * in R; out R = L→R * in L + R→R * in R.
            let left = Self.convolve(stereo[0], paths[0], at: n) + Self.convolve(stereo[1], paths[2], at: n)
            let right = Self.convolve(stereo[0], paths[1], at: n) + Self.convolve(stereo[1], paths[3], at: n)
            worst = max(worst, abs(Double(y[0, n]) - left), abs(Double(y[1, n]) - right))
        }
        #expect(worst < 1e-5, "true stereo: worst \(worst)")

        let m = try CLI.run(["run", "--preset", "wide.json", "--in", "mono.wav", "--out", "wide-out.wav"], in: dir)
        #expect(m.status == 0, "\(m.stderr)")
        let (w, _) = try readFile(dir.appendingPathComponent("wide-out.wav").path)
        #expect(w.channels == 2 && w.frames == 2299)
        worst = 0
        for n in stride(from: 0, to: w.frames, by: 3) {
            worst = max(worst, abs(Double(w[0, n]) - Self.convolve(stereo[0], paths[0], at: n)), abs(Double(w[1, n]) - Self.convolve(stereo[0], paths[1], at: n)))
        }
        #expect(worst < 1e-5, "mono to stereo: worst \(worst)")

        let info = try CLI.run(["info", "--preset", "hall.json"], in: dir)
        #expect(info.out.contains("Conv1d(2, 2, kernel_size=300") && info.out.contains("true stereo: L→L, L→R, R→L, R→R"), "\(info.out)")
        // The shipped example: a 4-path hall on a 44.1 kHz stereo file (resampled at load).
        try writeFile(Signal(stereo), dir.appendingPathComponent("cd.wav").path, rate: 44100)
        let shipped = try CLI.run(["run", "--preset", "hall-true-stereo", "--in", "cd.wav", "--out", "cd-hall.wav"], in: dir)
        #expect(shipped.status == 0 && shipped.stderr.contains("response resampled 48000 → 44100 Hz"), "\(shipped.stderr)")
        let (hall, hallFile) = try readFile(dir.appendingPathComponent("cd-hall.wav").path)
        #expect(hall.channels == 2 && hallFile.sampleRate == 44100 && hall.frames == 2000 + 13230 - 1, "\(hall.frames)")
        // The wrong channel count, or routing without a response, is one line.
        try Data(#"{"impulse_response": "wide2.wav", "routing": "true_stereo"}"#.utf8).write(to: dir.appendingPathComponent("bad.json"))
        let bad = try CLI.run(["info", "--preset", "bad.json"], in: dir)
        #expect(bad.status == 1 && bad.stderr.hasPrefix("Error: routing: expected true_stereo takes a 4-channel impulse response (left→left, left→right, right→left, right→right), got 2 channels in "), "\(bad.stderr)")
    }
}
