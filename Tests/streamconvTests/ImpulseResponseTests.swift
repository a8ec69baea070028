import Foundation
import StreamConv
import StreamConvIO
import StreamConvPresets
import Testing

/// The fixtures of scripts/make_io_fixtures.py (numpy/scipy references), copied into a
/// temporary folder so runs can write beside them.
struct Fixtures {
    let dir: URL

    init(_ name: String) throws {
        dir = temporaryFolder()
        let source = CLI.repository.appendingPathComponent("Tests/streamconvTests/Fixtures/\(name)")
        for file in try FileManager.default.contentsOfDirectory(atPath: source.path) {
            try FileManager.default.copyItem(at: source.appendingPathComponent(file), to: dir.appendingPathComponent(file))
        }
    }

    func path(_ name: String) -> String { dir.appendingPathComponent(name).path }
    func data(_ name: String) throws -> Data { try Data(contentsOf: dir.appendingPathComponent(name)) }

    /// A (channels, frames) float64 .npy as rows.
    func rows(_ name: String) throws -> [[Double]] {
        let t = try TensorFile.npy(contentsOf: path(name))
        let v = t.values(as: Double.self)
        return (0..<t.shape[0]).map { c in Array(v[(c * t.shape[1])..<((c + 1) * t.shape[1])]) }
    }

    /// An audio file's samples as Double rows.
    func audio(_ name: String) throws -> [[Double]] {
        let x = try SndFileSource(path: path(name)).readAll(as: Double.self)
        return (0..<x.channels).map { x.channel($0) }
    }

    func remove() { try? FileManager.default.removeItem(at: dir) }
}

/// The worst |y − reference| in units of γₙ·Σ|terms| (Higham's bound for an n-term sum in
/// unit roundoff `u`); both the run and the reference are within one bound of the exact value.
func worstRatio(_ y: [[Double]], _ reference: [[Double]], sums: [[Double]], terms n: Int, u: Double) -> Double {
    let gamma = Double(n) * u / (1 - Double(n) * u)
    var worst = 0.0
    for c in reference.indices {
        for t in reference[c].indices {
            let error = abs(y[c][t] - reference[c][t])
            let bound = gamma * sums[c][t]
            worst = max(worst, error == 0 ? 0 : (bound > 0 ? error / bound : .infinity))
        }
    }
    return worst
}

/// `impulse_response` presets: convolution with a recorded response, against scipy's
/// fftconvolve (issue 7).
@Suite struct ImpulseResponseTests {
    @Test func stereoResponseEqualsFFTConvolve() throws {
        let f = try Fixtures("ir")
        defer { f.remove() }
        var outputs: [Data] = []
        for block in ["4096", "1", "77", "whole"] {
            let r = try CLI.run(["run", "--preset", "stereo.json", "--in", "x.wav", "--out", "y\(block).wav", "--block", block], in: f.dir)
            #expect(r.status == 0, "\(r.stderr)")
            #expect(r.stderr.contains("1000 frames in (2 ch @ 48000 Hz) → 1299 frames out") && r.stderr.contains("latency 0 frames"), "\(r.stderr)")
            outputs.append(try f.data("y\(block).wav"))
        }
        #expect(Set(outputs).count == 1, "every chunking writes the same bytes")
        let y = try f.audio("y4096.wav")
        let ratio = worstRatio(y, try f.rows("full-stereo.npy"), sums: try f.rows("abs-stereo.npy"), terms: 300, u: Double(Float.unitRoundoff))
        #expect(ratio <= 2, "worst \(ratio) of the float32 bound")
        #expect(ratio > 0, "a float32 run is not exact: the comparison can fail")
        let verify = try CLI.run(["verify", "--preset", "stereo.json", "--input", "x.wav", "--expect", "full-stereo.npy"], in: f.dir)
        #expect(verify.status == 0 && verify.out.contains("within the bound"), "\(verify.out)\(verify.stderr)")
    }

    /// The same response on the FFT engine (`--engine fft`): every chunking writes the same
    /// bytes, within the FFT engine's norm bound of scipy's result, and `info` says so.
    @Test func fftEngineMatchesFFTConvolve() throws {
        let f = try Fixtures("ir")
        defer { f.remove() }
        var outputs: [Data] = []
        for block in ["4096", "1", "77", "whole"] {
            let r = try CLI.run(["run", "--preset", "stereo.json", "--engine", "fft", "--in", "x.wav", "--out", "y\(block).wav", "--block", block], in: f.dir)
            #expect(r.status == 0, "\(r.stderr)")
            outputs.append(try f.data("y\(block).wav"))
        }
        #expect(Set(outputs).count == 1, "every chunking writes the same bytes")
        let direct = try CLI.run(["run", "--preset", "stereo.json", "--engine", "direct", "--in", "x.wav", "--out", "d.wav"], in: f.dir)
        #expect(direct.status == 0)
        #expect(try f.data("d.wav") != outputs[0], "the engines round differently: the runs really used two engines")
        let verify = try CLI.run(["verify", "--preset", "stereo.json", "--engine", "fft", "--input", "x.wav", "--expect", "full-stereo.npy"], in: f.dir)
        #expect(verify.status == 0 && verify.out.contains("on the FFT engine") && verify.out.contains("within the bound"), "\(verify.out)\(verify.stderr)")
        var wrong = try f.rows("full-stereo.npy")
        wrong[1][700] += 1e-3
        try npy(wrong).write(to: f.dir.appendingPathComponent("wrong.npy"))
        let refused = try CLI.run(["verify", "--preset", "stereo.json", "--engine", "fft", "--input", "x.wav", "--expect", "wrong.npy"], in: f.dir)
        #expect(refused.status == 1 && refused.out.contains("beyond the bound") && refused.out.contains("(channel 1, frame 700)"), "\(refused.out)")
        let chunked = try CLI.run(["verify", "--preset", "stereo.json", "--engine", "fft", "--trials", "20"], in: f.dir)
        #expect(chunked.status == 0 && chunked.out.contains("20/20 random chunkings matched"), "\(chunked.out)\(chunked.stderr)")
        let info = try CLI.run(["info", "--preset", "stereo.json", "--engine", "fft", "--json"], in: f.dir)
        let facts = try #require(try JSONSerialization.jsonObject(with: info.stdout) as? [String: Any])
        #expect(facts["engine"] as? String == "fft" && (facts["engine_reason"] as? String)?.contains("blocks head 64 + 4×64") == true, "\(facts)")
    }

    @Test func monoResponseOnEveryChannelAndWithoutTail() throws {
        let f = try Fixtures("ir")
        defer { f.remove() }
        let full = try CLI.run(["run", "--preset", "mono.json", "--in", "x.wav", "--out", "full.wav", "--out-format", "double"], in: f.dir)
        #expect(full.status == 0 && full.stderr.contains("single-channel filter applied to each of 2 channels"), "\(full.stderr)")
        let y = try f.audio("full.wav")
        #expect(y[0].count == 1199)
        let ratio = worstRatio(y, try f.rows("full-mono.npy"), sums: try f.rows("abs-mono.npy"), terms: 200, u: Double(Float.unitRoundoff))
        #expect(ratio <= 2, "worst \(ratio) of the float32 bound")

        // "tail": false: the first L samples of the full convolution, bit for bit, in any chunking.
        for block in ["4096", "3", "whole"] {
            let cut = try CLI.run(["run", "--preset", "mono-notail.json", "--in", "x.wav", "--out", "cut\(block).wav", "--out-format", "double", "--block", block], in: f.dir)
            #expect(cut.status == 0 && cut.stderr.contains("1000 frames in (2 ch @ 48000 Hz) → 1000 frames out"), "\(cut.stderr)")
            let z = try f.audio("cut\(block).wav")
            #expect(z.count == 2 && z.allSatisfy { $0.count == 1000 })
            #expect(z.indices.allSatisfy { c in z[c].indices.allSatisfy { z[c][$0].bitPattern == y[c][$0].bitPattern } }, "block \(block)")
        }
        let expect = try f.rows("full-mono.npy").map { Array($0.prefix(1000)) }
        try npy(expect).write(to: f.dir.appendingPathComponent("cut.npy"))
        let verify = try CLI.run(["verify", "--preset", "mono-notail.json", "--input", "x.wav", "--expect", "cut.npy"], in: f.dir)
        #expect(verify.status == 0 && verify.out.contains("1000 outputs × 2 channels") && verify.out.contains("within the bound"), "\(verify.out)\(verify.stderr)")
    }

    @Test func infoDescribesTheResponse() throws {
        let f = try Fixtures("ir")
        defer { f.remove() }
        let r = try CLI.run(["info", "--preset", "stereo.json"], in: f.dir)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.out.contains("conv1d:        Conv1d(2, 2, kernel_size=300, padding=299, groups=2, bias=False)"), "\(r.out)")
        #expect(r.out.contains("(impulse response: 300 samples × 2 channels at 48000 Hz, convolved)"), "\(r.out)")
        #expect(r.out.contains("latency:       0 input frames"), "\(r.out)")
        let cut = try CLI.run(["info", "--preset", "mono-notail.json", "--json"], in: f.dir)
        let facts = try #require(try JSONSerialization.jsonObject(with: cut.stdout) as? [String: Any])
        #expect(facts["keeps_tail"] as? Bool == false && facts["kernel_size"] as? Int == 200 && facts["sample_rate"] as? Int == 48000)
        let list = try CLI.run(["presets"], in: f.dir, environment: ["STREAMCONV_PRESETS": f.dir.path])
        let row = list.out.split(separator: "\n").first { $0.hasPrefix("stereo ") }.map(String.init) ?? ""
        #expect(row.contains("2→2 k=300 g=2") && row.hasSuffix("stereo IR"), "\(list.out)")
    }

    @Test func mistakesAreOneLineErrors() throws {
        let f = try Fixtures("ir")
        defer { f.remove() }
        func error(_ json: String, input: String = "x.wav") throws -> String {
            try json.write(to: f.dir.appendingPathComponent("bad.json"), atomically: true, encoding: .utf8)
            let r = try CLI.run(["run", "--preset", "bad.json", "--in", input, "--out", "o.wav"], in: f.dir)
            #expect(r.status != 0 && !FileManager.default.fileExists(atPath: f.path("o.wav")))
            return r.stderr.split(separator: "\n").first.map(String.init) ?? ""
        }
        #expect(try error(#"{"impulse_response": "ir-mono.wav", "conv1d": {"in_channels": 1, "out_channels": 1, "kernel_size": 3}}"#)
            == "Error: conv1d: expected no conv1d: an impulse_response preset takes its shape from the file (kernel_size = its length, padding = length − 1, one filter per channel), got conv1d")
        #expect(try error(#"{"impulse_response": "nope.wav"}"#).hasPrefix("Error: weights: impulse_response: cannot open \(f.dir.path)/nope.wav: "))
        #expect(try error(#"{"impulse_response": "ir-mono.wav", "sample_rate": 44100}"#)
            == "Error: sample_rate: expected the impulse response's own rate, 48000 Hz (or leave sample_rate out), got 44100")
        #expect(try error(#"{"init": {"seed": 1}, "tail": false, "conv1d": {"in_channels": 2, "out_channels": 2, "kernel_size": 3}}"#)
            == "Error: tail: expected tail only with impulse_response, got tail without impulse_response")
        #expect(try error(#"{"impulse_response": "stereo.json"}"#).hasPrefix("Error: weights: impulse_response: cannot open \(f.dir.path)/stereo.json: "), "not audio")
        // With "resample": false the response's rate is the preset's: a 44.1 kHz input is
        // refused, naming both (without it, the response is resampled: ResampledResponseTests).
        try writeFile(Signal(channels: 2, frames: 100), f.path("cd.wav"), rate: 44100)
        let strict = #"{"impulse_response": "ir-mono.wav", "resample": false}"#
        #expect(try error(strict, input: "cd.wav").contains("44100 Hz") && error(strict, input: "cd.wav").contains("48000 Hz"))
    }
}
