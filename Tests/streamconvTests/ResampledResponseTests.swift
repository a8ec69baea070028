import Foundation
import StreamConv
import StreamConvIO
import Testing

/// Responses made at another rate are resampled at load with libsoxr (issue 16, finding 7):
/// checked against the response's own analytic definition at the new rate, not against
/// libsoxr's output.
@Suite struct ResampledResponseTests {
    /// A band-limited response (a Gaussian-windowed 2 kHz burst, σ 0.25 ms, so nothing above
    /// ~6 kHz), at time `t` seconds, centred at `centre` seconds.
    static func response(_ t: Double, centre: Double) -> Double {
        let s = (t - centre) / 0.25e-3
        return 0.3 * exp(-s * s / 2) * cos(2 * .pi * 2000 * (t - centre))
    }

    @Test func libsoxrKeepsABandLimitedSignal() throws {
        // 20 ms of the burst at 48 kHz → 44.1 kHz: the analytic burst at 44.1 kHz.
        let x = (0..<960).map { Self.response(Double($0) / 48000, centre: 0.01) }
        let y = try SoxrResampler.resample([x, x.map { -$0 }], from: 48000, to: 44100, name: "t")
        #expect(y.count == 2 && y[0].count == 882)
        let worst = (0..<882).map { abs(y[0][$0] - Self.response(Double($0) / 44100, centre: 0.01)) }.max()!
        #expect(worst < 1e-6, "worst \(worst)")
        #expect(zip(y[0], y[1]).allSatisfy { $0 == -$1 })
    }

    /// An impulse-response preset at 48 kHz on a 44.1 kHz stereo file: run, not refused; its
    /// output is the input convolved with the response at 44.1 kHz (scaled by 48/44.1 to keep
    /// its gain), within 1e-5 of the output's peak; `info` and the summary say so;
    /// `"resample": false` refuses as before.
    @Test func impulseResponseAtAnotherRate() throws {
        let dir = temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let ir = (0..<960).map { Float(Self.response(Double($0) / 48000, centre: 0.004)) }
        try writeFile(Signal([ir]), dir.appendingPathComponent("ir48.wav").path, format: .f32, rate: 48000)
        try Data(#"{"name": "ir48", "impulse_response": "ir48.wav"}"#.utf8).write(to: dir.appendingPathComponent("ir48.json"))
        try Data(#"{"name": "strict", "impulse_response": "ir48.wav", "resample": false}"#.utf8).write(to: dir.appendingPathComponent("strict.json"))
        var rng = SeededGenerator(seed: 41)
        let x = Signal<Float>((0..<2).map { _ in (0..<4410).map { _ in Float(rng.nextUnit() - 0.5) } })
        try writeFile(x, dir.appendingPathComponent("song.wav").path, format: .f32, rate: 44100)
        let r = try CLI.run(["run", "--preset", "ir48.json", "--in", "song.wav", "--out", "out.wav"], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains(", response resampled 48000 → 44100 Hz at load (libsoxr VHQ)"), "\(r.stderr)")
        let (y, file) = try readFile(dir.appendingPathComponent("out.wav").path)
        #expect(file.sampleRate == 44100 && y.channels == 2)
        // The response at 44.1 kHz: 882 taps (⌈960 · 44100/48000⌉), each 48/44.1 of the burst.
        let h = (0..<882).map { 48000.0 / 44100 * Self.response(Double($0) / 44100, centre: 0.004) }
        #expect(y.frames == 4410 + 881)
        var worst = 0.0, peak = 0.0
        for c in 0..<2 {
            for n in stride(from: 0, to: y.frames, by: 7) {
                var sum = 0.0
                for k in 0..<h.count where n - k >= 0 && n - k < 4410 { sum += h[k] * Double(x[c, n - k]) }
                worst = max(worst, abs(Double(y[c, n]) - sum))
                peak = max(peak, abs(sum))
            }
        }
        #expect(worst < 1e-5 * peak, "worst \(worst) of \(peak)")
        let info = try CLI.run(["info", "--preset", "ir48.json", "--rate", "44100", "--json"], in: dir)
        let facts = try #require(JSONSerialization.jsonObject(with: info.stdout) as? [String: Any])
        #expect(facts["resampled_from_hz"] as? Int == 48000 && facts["kernel_size"] as? Int == 882 && facts["sample_rate"] as? Int == 44100, "\(facts)")
        let text = try CLI.run(["info", "--preset", "ir48.json", "--rate", "44100"], in: dir)
        #expect(text.out.contains("resampled:     from 48000 Hz to 44100 Hz at load (libsoxr VHQ)"), "\(text.out)")
        let refused = try CLI.run(["run", "--preset", "strict.json", "--in", "song.wav", "--out", "o2.wav"], in: dir)
        #expect(refused.status == 1 && refused.stderr.hasPrefix("Error: song.wav is at 44100 Hz but the preset was made for 48000 Hz"), "\(refused.stderr)")
        let misplaced = try CLI.run(["info", "--preset", #"{"conv1d": {"in_channels": 1, "out_channels": 1, "kernel_size": 3}, "init": {"seed": 1}, "resample": false}"#], in: dir)
        #expect(misplaced.status == 1, "\(misplaced.stderr)")
    }

    /// A taps file with a sample_rate of 48 kHz on a 44.1 kHz file: an odd count centred at
    /// its centre's new time (201 taps centred at 100 → 185 centred at 92), the taps the
    /// analytic burst's at 44.1 kHz.
    @Test func tapsFileAtAnotherRate() throws {
        let dir = temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let taps = (0..<201).map { Self.response(Double($0) / 48000, centre: 100.0 / 48000) }
        try Data(taps.map { String($0) }.joined(separator: "\n").utf8).write(to: dir.appendingPathComponent("fir.txt"))
        try Data(#"{"name": "fir48", "sample_rate": 48000, "conv1d": {"in_channels": 1, "out_channels": 1, "kernel_size": 201, "padding": "same", "bias": false}, "taps": "fir.txt"}"#.utf8)
            .write(to: dir.appendingPathComponent("fir48.json"))
        // An impulse at frame 200 of a 44.1 kHz file gives the taps back, centred on it.
        var impulse = [Float](repeating: 0, count: 400)
        impulse[200] = 1
        try writeFile(Signal([impulse]), dir.appendingPathComponent("imp.wav").path, format: .f32, rate: 44100)
        let r = try CLI.run(["run", "--preset", "fir48.json", "--in", "imp.wav", "--out", "out.wav", "--out-format", "double"], in: dir)
        #expect(r.status == 0 && r.stderr.contains("response resampled 48000 → 44100 Hz"), "\(r.stderr)")
        let (y, _) = try readFile(dir.appendingPathComponent("out.wav").path)
        #expect(y.frames == 400)
        let info = try CLI.run(["info", "--preset", "fir48.json", "--rate", "44100", "--json"], in: dir)
        let facts = try #require(JSONSerialization.jsonObject(with: info.stdout) as? [String: Any])
        #expect(facts["kernel_size"] as? Int == 185 && facts["latency_frames"] as? Int == 92, "\(facts)")
        // Tap m of the new response sits at time m/44100 of the old one (centre 100/48000 s);
        // 'same' puts tap 92 on the impulse.
        var worst = 0.0
        for m in 0..<185 {
            let expected = 48000.0 / 44100 * Self.response(Double(m) / 44100, centre: 100.0 / 48000)
            worst = max(worst, abs(Double(y[0, 200 - 92 + m]) - expected))
        }
        #expect(worst < 1e-6, "worst \(worst)")
    }
}
