import Foundation
import StreamConv
import StreamConvIO
import StreamConvPresets
import StreamConvTestSupport
import Testing

/// Network presets through the CLI: `run` on raw pipes and files (blocks, whole signal,
/// threads: one set of bytes), `info`, `verify`, and their one-line errors. The presets and
/// torch's outputs come from the committed PyTorch fixtures.
@Suite struct NetworkCLITests {
    static let fixtures: URL = CLI.repository.appendingPathComponent("Tests/StreamConvPresetsTests/Fixtures/network_torch.json")

    /// Writes fixture case `name`'s preset into `dir` (at 48 kHz); returns its input and torch's float64 output.
    static func preset(_ name: String, in dir: URL) throws -> (input: [[Double]], expected: [[Double]]) {
        let all = try JSONSerialization.jsonObject(with: Data(contentsOf: fixtures)) as! [String: Any]
        let entry = (all["cases"] as! [[String: Any]]).first { $0["name"] as! String == name }!
        var preset = entry["preset"] as! [String: Any]
        preset["sample_rate"] = 48000
        try JSONSerialization.data(withJSONObject: preset).write(to: dir.appendingPathComponent("\(name).json"))
        return (entry["input"] as! [[Double]], entry["expected64"] as! [[Double]])
    }

    static func interleavedFloats(_ channels: [[Double]]) -> Data {
        var data = Data()
        for i in 0..<channels[0].count {
            for c in channels.indices { withUnsafeBytes(of: Float(channels[c][i]).bitPattern.littleEndian) { data.append(contentsOf: $0) } }
        }
        return data
    }

    /// Raw float32 through `run` equals PyTorch's forward (float32 tolerance of the fixtures).
    @Test(arguments: ["tcn", "encoder-decoder", "gated-residual"])
    func runMatchesPyTorchOnRawPipes(name: String) throws {
        let dir = temporaryFolder()
        let (input, expected) = try Self.preset(name, in: dir)
        let result = try CLI.run(["run", "--preset", "\(name).json", "--in", "-", "--rate", "48000", "--channels", "\(input.count)", "--out", "-"], in: dir, input: Self.interleavedFloats(input))
        #expect(result.status == 0, "\(result.stderr)")
        let values = result.stdout.withUnsafeBytes { raw in (0..<(raw.count / 4)).map { Double(Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * $0, as: UInt32.self)))) } }
        let channels = expected.count
        #expect(values.count == channels * expected[0].count, "\(values.count) samples, torch \(channels * expected[0].count)")
        guard values.count == channels * expected[0].count else { return }
        let peak = expected.flatMap { $0 }.map(\.magnitude).max()!
        var worst = 0.0
        for i in 0..<expected[0].count { for c in 0..<channels { worst = max(worst, (values[i * channels + c] - expected[c][i]).magnitude) } }
        #expect(worst <= 2e-5 * max(1, peak), "\(name): off by \(worst)")
    }

    /// Any block size, the whole-signal call and two threads write the same file, bit for bit.
    @Test func blocksWholeAndThreadsGiveOneFile() throws {
        let dir = temporaryFolder()
        _ = try Self.preset("encoder-decoder", in: dir)
        var rng = SeededGenerator(seed: 15)
        let x = Signal<Float>([(0..<30001).map { _ in Float.random(in: -0.5..<0.5, using: &rng) }])
        try writeFile(x, dir.appendingPathComponent("in.wav").path)
        var hashes: Set<Data> = []
        for (out, extra) in [("a.wav", ["--block", "7"]), ("b.wav", ["--block", "whole", "--threads", "2"]), ("c.wav", ["--threads", "1"]), ("d.wav", ["--block", "160"])] {
            let result = try CLI.run(["run", "--preset", "encoder-decoder.json", "--in", "in.wav", "--out", out] + extra, in: dir)
            #expect(result.status == 0, "\(result.stderr)")
            hashes.insert(try Data(contentsOf: dir.appendingPathComponent(out)))
        }
        #expect(hashes.count == 1)
        let (y, source) = try readFile(dir.appendingPathComponent("a.wav").path)
        // 30001 → 15000 → 7500 (two stride-2 encoders) → 15000 → 30000 (two transposed ones).
        #expect(source.channels == 2 && y.frames == 30000 && source.sampleRate == 48000)
    }

    /// `info` shows the graph and the totals (`--json` for scripts); `verify` checks chunkings.
    @Test func infoAndVerifyDescribeNetworks() throws {
        let dir = temporaryFolder()
        _ = try Self.preset("encoder-decoder", in: dir)
        let info = try CLI.run(["info", "--preset", "encoder-decoder.json"], in: dir)
        #expect(info.status == 0 && info.out.contains("conv_transpose1d") && info.out.contains("latency:       8 input frames"), "\(info.out)")
        let json = try CLI.run(["info", "--preset", "encoder-decoder.json", "--json"], in: dir)
        let facts = try JSONSerialization.jsonObject(with: json.stdout) as! [String: Any]
        #expect(facts["latency_frames"] as? Int == 8 && (facts["nodes"] as? [Any])?.count == 8 && facts["parameters"] as? Int == 334)
        let verify = try CLI.run(["verify", "--preset", "encoder-decoder.json", "--trials", "20"], in: dir)
        #expect(verify.status == 0 && verify.out.contains("20/20"), "\(verify.out)\(verify.stderr)")
    }

    /// `--preset A --preset B` is A then B in one run: the same bits as piping two runs, the
    /// latencies summed; `--gain DB` multiplies by 10^(DB/20) at the end.
    @Test func chainsEqualPipedRunsAndGainIsLast() throws {
        let dir = temporaryFolder()
        var rng = SeededGenerator(seed: 21)
        let samples = (0..<(2 * 9000)).map { _ in Float.random(in: -0.5..<0.5, using: &rng) }
        let input = samples.withUnsafeBytes { Data($0) }
        let chain = try CLI.run(["run", "--preset", "lowpass-4k", "--preset", "highpass-100", "--in", "-", "--rate", "48000", "--channels", "2", "--out", "-"], in: dir, input: input)
        #expect(chain.status == 0 && chain.stderr.contains("latency \(31 + 1023) frames"), "\(chain.stderr)")
        let first = try CLI.run(["run", "--preset", "lowpass-4k", "--in", "-", "--rate", "48000", "--channels", "2", "--out", "-"], in: dir, input: input)
        let second = try CLI.run(["run", "--preset", "highpass-100", "--in", "-", "--rate", "48000", "--channels", "2", "--out", "-"], in: dir, input: first.stdout)
        #expect(!chain.stdout.isEmpty && chain.stdout == second.stdout)
        let louder = try CLI.run(["run", "--preset", "lowpass-4k", "--preset", "highpass-100", "--gain", "6", "--in", "-", "--rate", "48000", "--channels", "2", "--out", "-"], in: dir, input: input)
        let factor = Float(Foundation.pow(10, 6.0 / 20))
        let expected = chain.stdout.withUnsafeBytes { raw in (0..<(raw.count / 4)).map { raw.loadUnaligned(fromByteOffset: 4 * $0, as: Float.self) * factor } }
        #expect(louder.stdout == expected.withUnsafeBytes { Data($0) })
        let info = try CLI.run(["info", "--preset", "lowpass-4k", "--preset", "highpass-100"], in: dir)
        #expect(info.status == 0 && info.out.contains("latency:       1054 input frames"), "\(info.out)")
    }

    /// scripts/torch_to_preset.py on a weight-normed state dict (both spellings) writes a
    /// one-node network preset that folds it, and `--transposed` a ConvTranspose1d's; run on
    /// the fixture's input, the two layers with a ReLU between give PyTorch's output.
    @Test func torchToPresetFoldsWeightNormAndTakesTransposed() throws {
        let dir = temporaryFolder()
        let state = CLI.repository.appendingPathComponent("Tests/StreamConvPresetsTests/Fixtures/weight_norm.safetensors").path
        let script = CLI.repository.appendingPathComponent("scripts/torch_to_preset.py").path
        let enc = try CLI.shell("python3 '\(script)' '\(state)' --prefix enc. --padding 1 --output enc.json", in: dir)
        let dec = try CLI.shell("python3 '\(script)' '\(state)' --prefix dec. --transposed --stride 2 --padding 1 --output dec.json", in: dir)
        #expect(enc.status == 0 && dec.status == 0, "\(enc.stderr)\(dec.stderr)")
        // Without --transposed the decoder's state dict is refused: its bias has weight.shape[1]
        // values, which no Conv1d has (before, it became a Conv1d of the wrong shape).
        let guessed = try CLI.shell("python3 '\(script)' '\(state)' --prefix dec. --output guessed.json", in: dir)
        #expect(guessed.status != 0 && guessed.stderr.contains("--transposed") && guessed.stderr.split(separator: "\n").count == 1, "\(guessed.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("guessed.json").path))
        let wrongGroups = try CLI.shell("python3 '\(script)' '\(state)' --prefix dec. --transposed --groups 3 --output g.json", in: dir)
        #expect(wrongGroups.status != 0 && wrongGroups.stderr.contains("--groups"), "\(wrongGroups.stderr)")
        let all = try JSONSerialization.jsonObject(with: Data(contentsOf: Self.fixtures)) as! [String: Any]
        let entry = all["weight_norm"] as! [String: Any]
        let input = entry["input"] as! [[Double]], expected = entry["expected64"] as! [[Double]]
        let first = try CLI.run(["run", "--preset", "enc.json", "--in", "-", "--rate", "48000", "--channels", "2", "--raw-format", "f64", "--out", "-", "--precision", "double"],
                                in: dir, input: input[0].indices.reduce(into: Data()) { d, i in for c in 0..<2 { withUnsafeBytes(of: input[c][i]) { d.append(contentsOf: $0) } } })
        #expect(first.status == 0, "\(first.stderr)")
        // The ReLU between the layers, on the raw f64 samples.
        let relu = first.stdout.withUnsafeBytes { raw in (0..<(raw.count / 8)).map { max(0, raw.loadUnaligned(fromByteOffset: 8 * $0, as: Double.self)) } }
        let second = try CLI.run(["run", "--preset", "dec.json", "--in", "-", "--rate", "48000", "--channels", "3", "--raw-format", "f64", "--out", "-", "--precision", "double"],
                                 in: dir, input: relu.withUnsafeBytes { Data($0) })
        #expect(second.status == 0, "\(second.stderr)")
        let y = second.stdout.withUnsafeBytes { raw in (0..<(raw.count / 8)).map { raw.loadUnaligned(fromByteOffset: 8 * $0, as: Double.self) } }
        #expect(y.count == 2 * expected[0].count, "\(y.count) samples")
        guard y.count == 2 * expected[0].count else { return }
        let worst = expected[0].indices.map { i in max(abs(y[2 * i] - expected[0][i]), abs(y[2 * i + 1] - expected[1][i])) }.max()!
        #expect(worst <= 1e-12, "off by \(worst)")
    }

    /// `--arithmetic fused`: `run` gives the plain fused loop's bits (any block size), other
    /// bits than the default's; a network run with it still matches PyTorch, `verify` passes its
    /// chunkings and `info` says so.
    @Test func fusedArithmeticRunsEverywhere() throws {
        let dir = temporaryFolder()
        let json = #"{"conv1d": {"in_channels": 2, "out_channels": 2, "kernel_size": 41, "padding": "same"}, "init": {"seed": 3}}"#
        try json.write(to: dir.appendingPathComponent("dense.json"), atomically: true, encoding: .utf8)
        var rng = SeededGenerator(seed: 33)
        let x = Signal<Float>((0..<2).map { _ in (0..<5000).map { _ in Float.random(in: -0.5..<0.5, using: &rng) } })
        let input = Self.interleavedFloats(x.channelArrays.map { $0.map(Double.init) })
        func run(_ extra: [String], preset: String = "dense.json", _ data: Data? = nil) throws -> Data {
            let r = try CLI.run(["run", "--preset", preset, "--in", "-", "--rate", "48000", "--channels", "2", "--out", "-"] + extra, in: dir, input: data ?? input)
            #expect(r.status == 0, "\(r.stderr)")
            return r.stdout
        }
        func interleaved(_ y: Signal<Float>) -> Data {
            var values: [Float] = []
            for t in 0..<y.frames { for c in 0..<y.channels { values.append(y[c, t]) } }
            return values.withUnsafeBytes { Data($0) }
        }
        // The weights as the preset defines them; the sums written out plainly, fused and not.
        let conv = try Preset(json: json, defaultName: "dense").conv1d(as: Float.self)
        let fused = try run(["--arithmetic", "fused"])
        #expect(fused == interleaved(try PlainConvolution.forward(conv, x, fused: true)))
        #expect(try run(["--arithmetic", "fused", "--block", "7"]) == fused)
        #expect(try run(["--arithmetic", "fused", "--block", "whole", "--threads", "2"]) == fused)
        let unfused = try run([])
        #expect(unfused == interleaved(try PlainConvolution.forward(conv, x)) && unfused != fused)

        let (tcnInput, expected) = try Self.preset("tcn", in: dir)
        let tcnData = Self.interleavedFloats(tcnInput)
        let r = try CLI.run(["run", "--preset", "tcn.json", "--arithmetic", "fused", "--in", "-", "--rate", "48000", "--channels", "1", "--out", "-"], in: dir, input: tcnData)
        let plain = try CLI.run(["run", "--preset", "tcn.json", "--in", "-", "--rate", "48000", "--channels", "1", "--out", "-"], in: dir, input: tcnData)
        #expect(r.status == 0 && r.stdout != plain.stdout, "\(r.stderr)")
        let values = r.stdout.withUnsafeBytes { raw in (0..<(raw.count / 4)).map { Double(raw.loadUnaligned(fromByteOffset: 4 * $0, as: Float.self)) } }
        #expect(values.count == expected[0].count)
        let peak = expected[0].map(\.magnitude).max()!
        let worst = zip(values, expected[0]).map { ($0 - $1).magnitude }.max() ?? .infinity
        #expect(worst <= 2e-5 * max(1, peak), "off by \(worst)")
        let verify = try CLI.run(["verify", "--preset", "tcn.json", "--arithmetic", "fused", "--trials", "10"], in: dir)
        #expect(verify.status == 0 && verify.out.contains("10/10"), "\(verify.out)\(verify.stderr)")
        let info = try CLI.run(["info", "--preset", "dense.json", "--arithmetic", "fused"], in: dir)
        #expect(info.status == 0 && info.out.contains("--arithmetic fused"), "\(info.out)")
        let wrong = try CLI.run(["run", "--preset", "dense.json", "--arithmetic", "fast", "--in", "-", "--rate", "48000", "--channels", "2", "--out", "-"], in: dir, input: input)
        #expect(wrong.status != 0 && wrong.stderr.contains("'unfused' and 'fused'"), "\(wrong.stderr)")
    }

    /// Wrong inputs are one line on stderr and a non-zero exit, with nothing written.
    @Test func networkErrorsAreOneLine() throws {
        let dir = temporaryFolder()
        _ = try Self.preset("tcn", in: dir)
        try writeFile(Signal<Float>(channels: 2, frames: 100), dir.appendingPathComponent("stereo.wav").path)
        let wrong = try CLI.run(["run", "--preset", "tcn.json", "--in", "stereo.wav", "--out", "o.wav"], in: dir)
        #expect(wrong.status != 0 && wrong.stderr.contains("in_channels=1") && wrong.stderr.split(separator: "\n").count == 1, "\(wrong.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("o.wav").path))
        try #"{"in_channels": 1, "network": [{"name": "x", "op": "add", "inputs": ["input", "nope"]}]}"#.write(to: dir.appendingPathComponent("bad.json"), atomically: true, encoding: .utf8)
        let bad = try CLI.run(["info", "--preset", "bad.json"], in: dir)
        #expect(bad.status != 0 && bad.stderr.contains("'nope'") && bad.stderr.split(separator: "\n").count == 1, "\(bad.stderr)")
    }
}

/// `scripts/check_export_torch.py` where torch is importable (`STREAMCONV_TORCH_PYTHON`, else
/// `python3`): five model shapes (TCN, encoder/decoder with weight norm, HiFi-GAN-like with
/// snake, WaveNet gates, BatchNorm/PReLU/GLU) exported by `scripts/export_torch.py` and checked
/// by `verify --input/--expect` against PyTorch's own outputs in float32 and float64, and an
/// LSTM refused. Skipped, saying so, where torch is absent (CI).
@Suite struct ExportTorchTests {
    @Test func exportedModelsMatchPyTorch() throws {
        let python = ProcessInfo.processInfo.environment["STREAMCONV_TORCH_PYTHON"] ?? "python3"
        let probe = try CLI.shell("'\(python)' -c 'import torch, safetensors, numpy' 2>/dev/null && echo yes")
        guard probe.out.contains("yes") else {
            print("skipped: torch (with safetensors and numpy) is not importable by \(python); set STREAMCONV_TORCH_PYTHON to a Python that has them")
            return
        }
        let script = CLI.repository.appendingPathComponent("scripts/check_export_torch.py").path
        let result = try CLI.shell("'\(python)' '\(script)' \"$SC\" 2>&1")
        print(result.out)
        #expect(result.status == 0, "\(result.out)")
        #expect(result.out.components(separatedBy: "within").count - 1 == 10 && result.out.contains("refused as it should be"))
    }
}

/// A network live through ALSA's file plugin (capture → file, capture → playback, and
/// `run --playback`) equals the offline run of the same samples, bit for bit.
@Suite(.serialized) struct NetworkLiveTests {
    @Test(arguments: [("FLOAT_LE", 64), ("S16_LE", 160), ("FLOAT_LE", 1000)])
    func liveNetworkEqualsOffline(format: String, period: Int) throws {
        let dir = temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        _ = try NetworkCLITests.preset("encoder-decoder", in: dir)
        let frames = 24000
        let input = format == "S16_LE" ? LiveTests.s16(frames: frames, channels: 1, seed: 4) : LiveTests.float(frames: frames, channels: 1, seed: 4)
        try input.write(to: dir.appendingPathComponent("in.raw"))
        let rc = """
            pcm.testcap { type file; slave.pcm "null"; file "/dev/null"; infile "\(dir.path)/in.raw"; format "raw" }
            pcm.testout { type file; slave.pcm "null"; file "\(dir.path)/out.raw"; format "raw" }
            """
        try Data(rc.utf8).write(to: dir.appendingPathComponent(".asoundrc"))
        let raw = format == "S16_LE" ? "s16" : "f32"
        let env: [String: String?] = ["HOME": dir.path]
        let recorded = try CLI.run(["live", "--preset", "encoder-decoder.json", "--capture", "testcap", "--out", "live.wav", "--frames", "\(frames)",
                                    "--format", format, "--period", "\(period)", "--out-format", "float"], in: dir, environment: env)
        #expect(recorded.status == 0, "\(recorded.stderr)")
        let reference = try CLI.run(["run", "--preset", "encoder-decoder.json", "--in", "-", "--rate", "48000", "--raw-format", raw, "--out", "ref.wav", "--out-format", "float"], in: dir, input: input)
        #expect(reference.status == 0, "\(reference.stderr)")
        let (live, liveSource) = try readFile(dir.appendingPathComponent("live.wav").path)
        let (offline, _) = try readFile(dir.appendingPathComponent("ref.wav").path)
        #expect(live.bitwiseEquals(offline) && liveSource.channels == 2, "\(live) vs \(offline)")

        let played = try CLI.run(["live", "--preset", "encoder-decoder.json", "--capture", "testcap", "--playback", "testout", "--frames", "\(frames)",
                                  "--format", format, "--period", "\(period)"], in: dir, environment: env)
        #expect(played.status == 0, "\(played.stderr)")
        let expected = try CLI.run(["run", "--preset", "encoder-decoder.json", "--in", "-", "--rate", "48000", "--raw-format", raw, "--out", "-"], in: dir, input: input)
        #expect(try Data(contentsOf: dir.appendingPathComponent("out.raw")) == expected.stdout)

        if format == "S16_LE" {
            try FileManager.default.removeItem(at: dir.appendingPathComponent("out.raw"))
            try writeFile(Signal<Float>([LiveTests.s16Samples(input)]), dir.appendingPathComponent("in.wav").path, format: .s16)
            let playback = try CLI.run(["run", "--preset", "encoder-decoder.json", "--in", "in.wav", "--playback", "testout", "--period", "\(period)"], in: dir, environment: env)
            #expect(playback.status == 0, "\(playback.stderr)")
            #expect(try Data(contentsOf: dir.appendingPathComponent("out.raw")) == expected.stdout)
        }
    }
}

extension LiveTests {
    /// Little-endian s16 bytes as samples in [−1, 1), as libsndfile reads them.
    static func s16Samples(_ data: Data) -> [Float] {
        data.withUnsafeBytes { raw in (0..<(raw.count / 2)).map { Float(Int16(littleEndian: raw.loadUnaligned(fromByteOffset: 2 * $0, as: Int16.self))) / 32768 } }
    }
}
