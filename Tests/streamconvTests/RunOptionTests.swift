import Foundation
import StreamConv
import StreamConvIO
import Testing

/// `run` as users drive it: reproducible output, integer output options, containers, raw
/// formats, option mistakes, truncated and non-finite input (issue 5, items 3, 4, 6–9, 22, 24).
@Suite(.serialized) struct RunOptionTests {
    let dir = temporaryFolder()
    let x: Signal<Float>

    init() throws {
        var rng = SeededGenerator(seed: 8)
        x = Signal((0..<2).map { _ in (0..<5000).map { _ in Float((rng.nextUnit() - 0.5) * 0.8) } })
        try writeFile(x, dir.appendingPathComponent("in.wav").path)
    }

    func run(_ args: [String], input: Data = Data()) throws -> CLI.Result {
        try CLI.run(["run", "--preset", "lowpass-4k"] + args, in: dir, input: input)
    }

    func bytes(_ name: String) throws -> Data { try Data(contentsOf: dir.appendingPathComponent(name)) }

    /// Same inputs and options, byte-identical files (a second apart: the float WAV PEAK
    /// chunk's timestamp made them differ).
    @Test func outputBytesAreReproducible() throws {
        defer { try? FileManager.default.removeItem(at: dir) }
        let cases: [(String, [String])] = [("a.wav", []), ("b.wav", ["--out-format", "pcm16"]), ("c.flac", []), ("d.aiff", []), ("e.caf", []), ("f.wav", ["--out-format", "pcm24", "--dither", "tpdf"])]
        var first: [Data] = []
        for (name, options) in cases {
            #expect(try run(["--in", "in.wav", "--out", name] + options).status == 0)
            first.append(try bytes(name))
        }
        sleep(1)
        for ((name, options), earlier) in zip(cases, first) {
            #expect(try run(["--in", "in.wav", "--out", name] + options).status == 0)
            #expect(try bytes(name) == earlier, "\(name)")
        }
    }

    /// TPDF dither depends on the absolute frame, not the block: identical for every --block.
    @Test func ditheredOutputIsTheSameForEveryBlockSize() throws {
        defer { try? FileManager.default.removeItem(at: dir) }
        var outputs: [Data] = []
        for block in ["1", "77", "4096", "whole"] {
            let r = try run(["--in", "in.wav", "--out", "d\(block).wav", "--out-format", "pcm16", "--dither", "tpdf", "--block", block])
            #expect(r.status == 0, "\(r.stderr)")
            outputs.append(try bytes("d\(block).wav"))
        }
        #expect(Set(outputs).count == 1)
        #expect(try run(["--in", "in.wav", "--out", "plain.wav", "--out-format", "pcm16", "--dither", "none"]).status == 0)
        #expect(try bytes("plain.wav") != outputs[0], "the dither changed something")
    }

    /// `--dither shaped` (issue 16, finding 3): the error spectrum of a −90 dBFS 1 kHz sine
    /// rounded to 16 bits at 44.1 kHz is sox's `dither -f lipshitz`'s, band by band within
    /// 1 dB (`Fixtures/dither/sox_noise.json`, made once by scripts/make_dither_fixtures.py
    /// with sox 14.4.2): about 17 dB below plain TPDF at 100 Hz–5 kHz, 19 dB above it at the
    /// top; deterministic for every --block; refused at 48 kHz.
    @Test func shapedDitherMatchesSox() throws {
        defer { try? FileManager.default.removeItem(at: dir) }
        let fixture = CLI.repository.appendingPathComponent("Tests/streamconvTests/Fixtures/dither/sox_noise.json")
        let sox = try #require(JSONSerialization.jsonObject(with: Data(contentsOf: fixture)) as? [String: Any])
        let bands = try #require(sox["bands_hz"] as? [[Double]])
        let (n, rate) = (65536, 44100)
        let tone = Signal<Float>([(0..<n).map { Float(pow(10, -90.0 / 20) * sin(2 * .pi * 1000 * Double($0) / Double(rate))) }])
        try writeFile(tone, dir.appendingPathComponent("tone.wav").path, rate: rate)
        try Data(#"{"conv1d": {"in_channels": 1, "out_channels": 1, "kernel_size": 1, "padding": "same", "bias": false}, "design": {"type": "identity"}}"#.utf8)
            .write(to: dir.appendingPathComponent("identity.json"))
        func errorBands(_ dither: String, block: String = "4096") throws -> ([Double], Data) {
            let name = "\(dither)-\(block).wav"
            let r = try CLI.run(["run", "-p", "identity.json", "-i", "tone.wav", "-o", name, "--out-format", "pcm16", "--dither", dither, "-b", block], in: dir)
            #expect(r.status == 0, "\(r.stderr)")
            let (y, _) = try readFile(dir.appendingPathComponent(name).path)
            var e = (0..<n).map { Double(y[0, $0]) * 32768 - Double(tone[0, $0]) * 32768 }
            var (re, im) = ([Double](repeating: 0, count: n / 2 + 1), [Double](repeating: 0, count: n / 2 + 1))
            RealFFT<Double>(size: n).forward(&e, re: &re, im: &im)
            let power = (0...(n / 2)).map { (re[$0] * re[$0] + im[$0] * im[$0]) / Double(n) }
            return (bands.map { band in
                let bins = (0...(n / 2)).filter { Double($0) * Double(rate) / Double(n) >= band[0] && Double($0) * Double(rate) / Double(n) < band[1] }
                return 10 * log10(bins.map { power[$0] }.reduce(0, +) / Double(bins.count))
            }, try bytes(name))
        }
        let (shaped, shapedBytes) = try errorBands("shaped")
        let (plain, _) = try errorBands("tpdf")
        for (key, ours) in [("lipshitz_db", shaped), ("tpdf_db", plain)] {
            let theirs = try #require(sox[key] as? [Double])
            for (i, band) in bands.enumerated() {
                #expect(abs(ours[i] - theirs[i]) < 1, "\(key) \(band): \(ours[i]) dB vs sox \(theirs[i]) dB")
            }
        }
        #expect(shaped[1] < plain[1] - 15 && shaped[5] > plain[5] + 15, "shaped \(shaped), plain \(plain)")
        for block in ["1", "333", "whole"] {
            #expect(try errorBands("shaped", block: block).1 == shapedBytes, "--block \(block)")
        }
        let at48 = try CLI.run(["run", "-p", "identity.json", "-i", "in.wav", "-o", "x.wav", "--out-format", "pcm16", "--dither", "shaped"], in: dir)
        #expect(at48.status == 1 && at48.stderr == "Error: --dither shaped uses Lipshitz's noise-shaping filter, made for 44.1 kHz, but the output is at 48000 Hz; use --dither tpdf, or resample to 44.1 kHz first\n", "\(at48.stderr)")
    }

    /// A taps file lands where sox's `fir` puts it, for even lengths too (issue 16, finding 8;
    /// before: an even count came one frame earlier): y[t] = Σ h[m]·x[t + ⌊(N−1)/2⌋ − m],
    /// sox's delay compensation, computed here by a plain loop.
    @Test(arguments: [4, 5, 6, 7, 64])
    func tapsLandWhereSoxFirPutsThem(count: Int) throws {
        defer { try? FileManager.default.removeItem(at: dir) }
        let h = (0..<count).map { Float($0 + 1) / Float(count * 4) }
        try Data(h.map { "\($0)\n" }.joined().utf8).write(to: dir.appendingPathComponent("t.txt"))
        try Data(#"{"conv1d": {"in_channels": 1, "out_channels": 1, "kernel_size": \#(count), "padding": "same", "groups": 1, "bias": false}, "taps": "t.txt"}"#.utf8)
            .write(to: dir.appendingPathComponent("t.json"))
        var rng = SeededGenerator(seed: UInt64(count))
        let x = (0..<300).map { _ in Float(rng.nextUnit() - 0.5) }
        try writeFile(Signal([x]), dir.appendingPathComponent("x.wav").path)
        let r = try CLI.run(["run", "--preset", "t.json", "--in", "x.wav", "--out", "y.wav", "--out-format", "double"], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        let (y, _) = try readFile(dir.appendingPathComponent("y.wav").path)
        let shift = (count - 1) / 2
        var worst = 0.0
        for t in 0..<300 {
            var sum = 0.0
            for m in 0..<count where (0..<300).contains(t + shift - m) { sum += Double(h[m]) * Double(x[t + shift - m]) }
            worst = max(worst, abs(sum - Double(y[0, t])))
        }
        #expect(y.frames == 300 && worst < 1e-6, "\(count) taps: off by \(worst)")
    }

    /// A file run's summary gives the output's peak in dBFS (issue 16, finding 10), taken
    /// before quantisation, so a float or lossy output's over shows.
    @Test func summaryGivesTheOutputPeak() throws {
        defer { try? FileManager.default.removeItem(at: dir) }
        try writeFile(Signal([[0.5, -0.25, 0.1], [0.125, 0, -0.5]]), dir.appendingPathComponent("half.wav").path)
        try writeFile(Signal(channels: 2, frames: 3, repeating: 0), dir.appendingPathComponent("zero.wav").path)
        func summary(_ args: [String]) throws -> String {
            let r = try CLI.run(["run", "--preset", "identity-stereo"] + args, in: dir)
            #expect(r.status == 0, "\(r.stderr)")
            return r.stderr
        }
        #expect(try summary(["--in", "half.wav", "--out", "a.wav"]).contains(", peak -6.02 dBFS"))
        #expect(try summary(["--in", "half.wav", "--out", "b.wav", "--gain", "12"]).contains(", peak +5.98 dBFS (over full scale)"))
        #expect(try summary(["--in", "zero.wav", "--out", "c.wav"]).contains(", peak -inf dBFS (silent)"))
    }

    /// Dither by default (issue 16, finding 3): 16-bit output, to a file and raw, is the TPDF
    /// output (before: plain rounding unless --dither tpdf), for every block size; 24-bit
    /// output is plain rounding unless asked.
    @Test func sixteenBitOutputIsDitheredByDefault() throws {
        defer { try? FileManager.default.removeItem(at: dir) }
        for block in ["1", "4096"] {
            #expect(try run(["--in", "in.wav", "--out", "auto\(block).wav", "--out-format", "pcm16", "--block", block]).status == 0)
        }
        #expect(try run(["--in", "in.wav", "--out", "tpdf.wav", "--out-format", "pcm16", "--dither", "tpdf"]).status == 0)
        #expect(try run(["--in", "in.wav", "--out", "none.wav", "--out-format", "pcm16", "--dither", "none"]).status == 0)
        #expect(try bytes("auto1.wav") == bytes("tpdf.wav") && bytes("auto4096.wav") == bytes("tpdf.wav"))
        #expect(try bytes("auto1.wav") != bytes("none.wav"))
        #expect(try run(["--in", "in.wav", "--out", "auto.wav", "--out-format", "pcm24"]).status == 0)
        #expect(try run(["--in", "in.wav", "--out", "plain24.wav", "--out-format", "pcm24", "--dither", "none"]).status == 0)
        #expect(try bytes("auto.wav") == bytes("plain24.wav"))
        let raw = try CLI.run(["run", "--preset", "lowpass", "--in", "in.wav", "--out", "-", "--raw-format", "s16"], in: dir)
        let rawTPDF = try CLI.run(["run", "--preset", "lowpass", "--in", "in.wav", "--out", "-", "--raw-format", "s16", "--dither", "tpdf"], in: dir)
        #expect(raw.status == 0 && !raw.stdout.isEmpty && raw.stdout == rawTPDF.stdout)
    }

    @Test func clipErrorStopsWithoutOutput() throws {
        defer { try? FileManager.default.removeItem(at: dir) }
        try writeFile(Signal([[0.5, 1.5, -2, 0.25], [0.1, 0.2, 3, 0.3]]), dir.appendingPathComponent("loud.wav").path)
        let counted = try CLI.run(["run", "--preset", "identity-stereo", "--in", "loud.wav", "--out", "o.wav", "--out-format", "pcm16"], in: dir)
        #expect(counted.status == 0 && counted.stderr.contains(", 3 samples clipped"), "\(counted.stderr)")
        let refused = try CLI.run(["run", "--preset", "identity-stereo", "--in", "loud.wav", "--out", "e.wav", "--out-format", "pcm16", "--clip", "error"], in: dir)
        #expect(refused.status == 1)
        #expect(refused.stderr == "Error: e.wav: output frame 1, channel 0 is outside the integer range (--clip error); lower the level or write --out-format float\n", "\(refused.stderr)")
        #expect(!contents(dir).contains("e.wav"))
    }

    /// Strings travel from input to output, and `software` names streamconv.
    @Test func metadataIsCopied() throws {
        defer { try? FileManager.default.removeItem(at: dir) }
        var settings = SndFileSink.Settings(format: SndFileFormat(major: 0x010000, subtype: 0x0002))
        settings.metadata.strings = [.title: "Étude", .artist: "Someone", .comment: "take 2", .date: "2026"]
        settings.expectedFrames = Int64(x.frames)
        let sink = try SndFileSink(output: OutputFile(path: SystemPath(dir.appendingPathComponent("tagged.wav").path)), settings: settings, channels: 2, sampleRate: 48000)
        try sink.write(x)
        try sink.commit()
        for out in ["t.wav", "t.flac"] {
            #expect(try run(["--in", "tagged.wav", "--out", out]).status == 0)
            let strings = try SndFileSource(path: dir.appendingPathComponent(out).path).metadata.strings
            #expect(strings[.title] == "Étude" && strings[.artist] == "Someone" && strings[.comment] == "take 2" && strings[.date] == "2026", "\(out): \(strings)")
            #expect(strings[.software]?.hasPrefix("streamconv \(StreamConvVersion.string)") == true, "\(strings)")
        }
    }

    /// Extensions choose the container and codec; a lossy input gets a neutral sample type.
    @Test func containersAndCodecs() throws {
        defer { try? FileManager.default.removeItem(at: dir) }
        let txt = try run(["--in", "in.wav", "--out", "o.txt"])
        #expect(txt.status == 1 && txt.stderr.hasPrefix("Error: cannot write o.txt: no audio container is known for .txt; use one of .wav"), "\(txt.stderr)")
        #expect(!contents(dir).contains("o.txt"))
        #expect(try run(["--in", "in.wav", "--out", "o.txt", "--type", "wav"]).status == 0)
        #expect(String(decoding: try bytes("o.txt").prefix(4), as: UTF8.self) == "RIFF")
        for (name, description) in [("o.ogg", "Vorbis"), ("o.opus", "Opus"), ("o.mp3", "MPEG Layer III")] {
            let r = try run(["--in", "in.wav", "--out", name, "--quality", "0.5"])
            #expect(r.status == 0, "\(name): \(r.stderr)")
            #expect(try SndFileSource(path: dir.appendingPathComponent(name).path).formatDescription.contains(description), "\(name)")
        }
        for (name, description) in [("from-mp3.wav", "32 bit float"), ("from-mp3.flac", "Signed 24 bit PCM")] {
            let r = try run(["--in", "o.mp3", "--out", name])
            #expect(r.status == 0, "\(name): \(r.stderr)")
            #expect(try SndFileSource(path: dir.appendingPathComponent(name).path).formatDescription.hasSuffix(description))
        }
        #expect(try run(["--in", "in.wav", "--out", "fast.flac", "--out-format", "pcm24", "--compression", "0"]).status == 0)
        #expect(try run(["--in", "in.wav", "--out", "small.flac", "--out-format", "pcm24", "--compression", "1"]).status == 0)
        #expect(try bytes("small.flac").count < bytes("fast.flac").count)
    }

    /// Raw input and output in f32, s16 and s32; a raw stride that does not divide the rate is fine.
    @Test func rawFormats() throws {
        defer { try? FileManager.default.removeItem(at: dir) }
        let codes: [Int16] = [0, 1, -1, 16384, -32768, 32767, 100, -100]
        let s16 = Data(codes.flatMap { withUnsafeBytes(of: $0.littleEndian) { Array($0) } })
        let same = try CLI.run(["run", "--preset", "identity-stereo", "--in", "-", "--rate", "48000", "--out", "-", "--dither", "none", "--raw-format", "s16"], in: dir, input: s16)
        #expect(same.status == 0 && same.stdout == s16, "\(same.stderr)")
        let floats = Data([Float(0.5), -0.25, 1e-3, 3, -1, 0.125].flatMap { withUnsafeBytes(of: $0.bitPattern.littleEndian) { Array($0) } })
        let f32 = try CLI.run(["run", "--preset", "identity-stereo", "--in", "-", "--rate", "48000", "--out", "-", "--raw-format", "f32"], in: dir, input: floats)
        #expect(f32.status == 0 && f32.stdout == floats)
        let s32 = Data(codes.flatMap { withUnsafeBytes(of: (Int32($0) << 16).littleEndian) { Array($0) } })
        let widened = try CLI.run(["run", "--preset", "identity-stereo", "--in", "-", "--rate", "48000", "--out", "-", "--dither", "none", "--raw-format", "s32"], in: dir, input: s32)
        #expect(widened.stdout == s32)
        try Data(#"{"conv1d": {"in_channels": 2, "out_channels": 2, "kernel_size": 3, "stride": 2, "groups": 2}, "init": {"seed": 1}}"#.utf8)
            .write(to: dir.appendingPathComponent("stride2.json"))
        let strided = try CLI.run(["run", "--preset", "stride2.json", "--in", "-", "--out", "-", "--rate", "44101"], in: dir, input: Data(repeating: 0, count: 8 * 64))
        #expect(strided.status == 0, "\(strided.stderr)")
        #expect(strided.stderr.contains("(2 ch @ 22050.5 Hz)"))
        let fileOut = try CLI.run(["run", "--preset", "stride2.json", "--in", "-", "--out", "o.wav", "--rate", "44101"], in: dir, input: Data(repeating: 0, count: 8 * 64))
        #expect(fileOut.status == 1 && fileOut.stderr.hasPrefix("Error: the input rate 44101 Hz / stride 2 is not a whole number of Hz"), "\(fileOut.stderr)")
    }

    /// A design preset with a sample_rate is designed at the input's rate instead of refusing
    /// it; weights from a safetensors file run as their JSON transcription does.
    @Test func designAndWeightFilePresetsRun() throws {
        defer { try? FileManager.default.removeItem(at: dir) }
        try Data(#"{"sample_rate": 48000, "conv1d": {"in_channels": 2, "out_channels": 2, "kernel_size": 63, "padding": "same", "groups": 2, "bias": false}, "design": {"type": "lowpass", "cutoff_hz": 4000}}"#.utf8)
            .write(to: dir.appendingPathComponent("lp.json"))
        try writeFile(x, dir.appendingPathComponent("in44.wav").path, rate: 44100)
        let r = try CLI.run(["run", "--preset", "lp.json", "--in", "in44.wav", "--out", "o44.wav"], in: dir)
        #expect(r.status == 0 && r.stderr.contains("(2 ch @ 44100 Hz)"), "\(r.stderr)")
        let info = try CLI.run(["info", "--preset", "lp.json"], in: dir)
        #expect(info.out.contains("weights from:  FIR design, lowpass at 4000 Hz, designed at 48000 Hz"), "\(info.out)")
        // weights + bias written as safetensors by hand equal the same layer written as JSON.
        let weight: [Float] = [0.5, -0.25, 0.125, 1, 0, -1]
        let bias: [Float] = [0.1, -0.2]
        let header = #"{"conv.weight": {"dtype": "F32", "shape": [2, 1, 3], "data_offsets": [0, 24]}, "conv.bias": {"dtype": "F32", "shape": [2], "data_offsets": [24, 32]}}"#
        var file = Data(withUnsafeBytes(of: UInt64(header.utf8.count).littleEndian) { Array($0) }) + Data(header.utf8)
        for v in weight + bias { file += withUnsafeBytes(of: v.bitPattern.littleEndian) { Data($0) } }
        try file.write(to: dir.appendingPathComponent("layer.safetensors"))
        let conv = #""conv1d": {"in_channels": 2, "out_channels": 2, "kernel_size": 3, "padding": 1, "groups": 2}"#
        try Data(("{" + conv + #", "weights": "layer.safetensors", "weights_prefix": "conv."}"#).utf8).write(to: dir.appendingPathComponent("st.json"))
        try Data(("{" + conv + #", "weight": [[[0.5, -0.25, 0.125]], [[1, 0, -1]]], "bias": [0.1, -0.2]}"#).utf8).write(to: dir.appendingPathComponent("js.json"))
        #expect(try CLI.run(["run", "--preset", "st.json", "--in", "in.wav", "--out", "st.wav"], in: dir).status == 0)
        #expect(try CLI.run(["run", "--preset", "js.json", "--in", "in.wav", "--out", "js.wav"], in: dir).status == 0)
        #expect(try readFile(dir.appendingPathComponent("st.wav").path).0.bitwiseEquals(try readFile(dir.appendingPathComponent("js.wav").path).0))
    }

    /// A single-channel filter on a 6-channel file filters each channel alone with the same
    /// weights: bitwise the six mono runs. A taps file runs as the reversed explicit weights.
    @Test func monoFilterBroadcastsAndTapsFiles() throws {
        defer { try? FileManager.default.removeItem(at: dir) }
        try Data(#"{"conv1d": {"in_channels": 1, "out_channels": 1, "kernel_size": 5, "padding": 2, "padding_mode": "reflect"}, "weight": [[[0.1, -0.2, 0.5, 0.25, 0.125]]], "bias": [0.01]}"#.utf8)
            .write(to: dir.appendingPathComponent("mono.json"))
        var rng = SeededGenerator(seed: 4)
        let six = Signal<Float>((0..<6).map { _ in (0..<3000).map { _ in Float(rng.nextUnit() - 0.5) } })
        try writeFile(six, dir.appendingPathComponent("six.wav").path)
        let r = try CLI.run(["run", "--preset", "mono.json", "--in", "six.wav", "--out", "six-out.wav"], in: dir)
        #expect(r.status == 0 && r.stderr.contains(", single-channel filter applied to each of 6 channels"), "\(r.stderr)")
        let (wide, _) = try readFile(dir.appendingPathComponent("six-out.wav").path)
        #expect(wide.channels == 6)
        for c in 0..<6 {
            try writeFile(Signal([six.channel(c)]), dir.appendingPathComponent("c\(c).wav").path)
            #expect(try CLI.run(["run", "--preset", "mono.json", "--in", "c\(c).wav", "--out", "o\(c).wav"], in: dir).status == 0)
            let (mono, _) = try readFile(dir.appendingPathComponent("o\(c).wav").path)
            #expect(Signal([wide.channel(c)]).bitwiseEquals(mono), "channel \(c)")
        }
        // sox-style taps (convolution order, comments) equal the reversed weights.
        try Data("# a 3-tap filter\n0.5\n 0.25  # middle\n\n-1\n".utf8).write(to: dir.appendingPathComponent("fir.txt"))
        let conv = #""conv1d": {"in_channels": 2, "out_channels": 2, "kernel_size": 3, "padding": 1, "groups": 2, "bias": false}"#
        try Data(("{" + conv + #", "taps": "fir.txt"}"#).utf8).write(to: dir.appendingPathComponent("taps.json"))
        try Data(("{" + conv + #", "weight": [[[-1, 0.25, 0.5]], [[-1, 0.25, 0.5]]]}"#).utf8).write(to: dir.appendingPathComponent("rev.json"))
        #expect(try CLI.run(["run", "--preset", "taps.json", "--in", "in.wav", "--out", "t.wav"], in: dir).status == 0)
        #expect(try CLI.run(["run", "--preset", "rev.json", "--in", "in.wav", "--out", "r.wav"], in: dir).status == 0)
        #expect(try readFile(dir.appendingPathComponent("t.wav").path).0.bitwiseEquals(try readFile(dir.appendingPathComponent("r.wav").path).0))
        try Data("0.5\nzero\n1\n".utf8).write(to: dir.appendingPathComponent("bad.txt"))
        try Data(("{" + conv + #", "taps": "bad.txt"}"#).utf8).write(to: dir.appendingPathComponent("bad.json"))
        let bad = try CLI.run(["info", "--preset", "bad.json"], in: dir)
        #expect(bad.status == 1 && bad.stderr.contains("bad.txt:2: \"zero\" is not a number"), "\(bad.stderr)")
    }

    /// The PyTorch bridge: scripts/torch_to_preset.py writes a preset for a saved state_dict
    /// (here the BF16 fixture written by the independent writer) that info checks and run uses.
    @Test func torchToPresetBridge() throws {
        defer { try? FileManager.default.removeItem(at: dir) }
        let script = CLI.repository.appendingPathComponent("scripts/torch_to_preset.py").path
        let tensors = CLI.repository.appendingPathComponent("Tests/StreamConvPresetsTests/Fixtures/tensors/conv-bf16.safetensors").path
        let made = try CLI.shell("python3 '\(script)' '\(tensors)' --prefix encoder.conv. --padding same --output conv.json && \"$SC\" info --preset conv.json", in: dir)
        #expect(made.status == 0, "\(made.stderr)")
        #expect(made.out.contains("conv1d:        Conv1d(2, 4, kernel_size=3, padding='same')") && made.out.contains("(checked)"), "\(made.out)")
        let r = try CLI.run(["run", "--preset", "conv.json", "--in", "in.wav", "--out", "four.wav"], in: dir)
        #expect(r.status == 0 && r.stderr.contains("→ 5000 frames out (4 ch @ 48000 Hz)"), "\(r.stderr)")
    }

    /// A preset made for another rate is refused with the way out named, or run with a warning.
    @Test func rateMismatchCanBeAllowed() throws {
        defer { try? FileManager.default.removeItem(at: dir) }
        try writeFile(x, dir.appendingPathComponent("in44.wav").path, rate: 44100)
        let refused = try run(["--in", "in44.wav", "--out", "o.wav"])
        #expect(refused.status == 1 && refused.stderr.hasSuffix("or give --allow-rate-mismatch to run it anyway\n"), "\(refused.stderr)")
        let allowed = try run(["--in", "in44.wav", "--out", "o.wav", "--allow-rate-mismatch"])
        #expect(allowed.status == 0 && allowed.stderr.hasPrefix("warning: in44.wav is at 44100 Hz but the preset was made for 48000 Hz; running it anyway"), "\(allowed.stderr)")
    }

    /// Options that would be ignored are mistakes: one line, a --help hint, exit 64.
    @Test(arguments: [
        (["--in", "in.wav", "--out", "o.wav", "--rate", "44100"], "Error: --rate is for raw input (--in -); a file's rate comes from its header"),
        (["--in", "in.wav", "--out", "-", "--out-format", "pcm16"], "Error: --out-format is for file output and streams (--out - --type wav); raw output (--out -) takes --raw-format f32|f64|s16|s32"),
        (["--in", "in.wav", "--out", "o.wav", "--raw-format", "s16"], "Error: --raw-format is for raw input or output (-)"),
        (["--in", "in.wav", "--in", "other.wav", "--out", "o.wav"], "Error: --in was given 2 times; give it once"),
        (["--in", "in.wav", "--out", "a.wav", "--out=b.wav"], "Error: --out was given 2 times; give it once"),
        (["--in", "in.wav", "--out", "o.wav", "--block", "-1"], "Error: --block must be at least 1, got -1"),
        (["--in", "-", "--out", "o.wav", "--rate", "-5"], "Error: --rate must be at least 1, got -5"),
        (["--in", "-", "--out", "o.wav", "--rate", "2147483648"], "Error: --rate must be at most 2147483647 Hz, got 2147483648"),
        (["--in", "in.wav", "--out", "o.ogg", "--quality", "2"], "Error: --quality must be between 0 and 1, got 2.0"),
        (["--in", "in.wav", "--out", "o.wav", "--channels", "2"], "Error: --channels is for raw input (--in -); a file's channel count comes from its header"),
        (["--in", "-", "--out", "o.wav", "--channels", "0"], "Error: --channels must be 1 to 1024, got 0"),
        (["--in", "in.wav", "--out", "o.wav", "--precision", "quad"], "Error: The value 'quad' is invalid for '--precision <type>'"),
    ])
    func ignoredOptionsAreUsageErrors(args: [String], message: String) throws {
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try run(args)
        #expect(r.status == 64)
        #expect(r.stderr.hasPrefix(message), "\(r.stderr)")
        let lines = r.stderr.split(separator: "\n")
        #expect(lines.count == 2 && lines[1] == "Run 'streamconv run --help' for usage.", "\(r.stderr)")
        #expect(contents(dir) == ["in.wav"])
    }

    @Test func versionHelpAndNoSubcommand() throws {
        defer { try? FileManager.default.removeItem(at: dir) }
        let version = try CLI.run(["--version"])
        #expect(version.status == 0 && version.out == "streamconv \(StreamConvVersion.string)\n")
        let bare = try CLI.run([])
        #expect(bare.status == 64 && bare.stderr.contains("SUBCOMMANDS:") && bare.stdout.isEmpty)
        let help = try CLI.run(["run", "--help"])
        #expect(help.status == 0 && help.out.contains("--in-place") && help.out.contains("--dither"))
        // The discussion is prose wrapped by the parser: no run of spaces inside a sentence.
        let live = try CLI.run(["live", "--help"])
        let discussion = live.out.components(separatedBy: "USAGE:")[0]
        #expect(live.status == 0 && discussion.contains("the --control FIFO loads another") && !discussion.contains("  "), "\(discussion)")
        let verifyTrials = try CLI.run(["verify", "--preset", "lowpass-4k", "--trials", "-1"])
        #expect(verifyTrials.status == 64 && verifyTrials.stderr.hasPrefix("Error: --trials must be at least 1, got -1"), "\(verifyTrials.stderr)")
    }

    /// A WAV whose header promises more than it holds: a warning (exit 0), or with --strict
    /// an error and no output. Non-finite input samples are counted; NaN becomes 0 in PCM.
    @Test func truncatedAndNonFiniteInput() throws {
        defer { try? FileManager.default.removeItem(at: dir) }
        var wav = handWrittenPCM16(frames: 125, channels: 2, promisedFrames: 48000)
        try wav.write(to: dir.appendingPathComponent("cut.wav"))
        let warned = try CLI.run(["run", "--preset", "identity-stereo", "--in", "cut.wav", "--out", "o.wav"], in: dir)
        #expect(warned.status == 0)
        #expect(warned.stderr.contains("cut.wav: warning: the input's header promises 48000 frames but only 125 could be read"), "\(warned.stderr)")
        let strict = try CLI.run(["run", "--preset", "identity-stereo", "--in", "cut.wav", "--out", "s.wav", "--strict"], in: dir)
        #expect(strict.status == 1 && strict.stderr == "Error: cut.wav: the header promises 48000 frames but only 125 could be read (truncated file?); no output written (--strict)\n", "\(strict.stderr)")
        #expect(!contents(dir).contains("s.wav"))
        wav = Data()
        try writeFile(Signal([[0.5, .nan, .infinity, -.infinity, 0.25], [.nan, 0.1, 0.2, 0.3, 0.4]]), dir.appendingPathComponent("nan.wav").path)
        let r = try CLI.run(["run", "--preset", "identity-stereo", "--in", "nan.wav", "--out", "n.wav", "--out-format", "pcm16"], in: dir)
        #expect(r.status == 0)
        #expect(r.stderr.contains(", 2 samples clipped, 4 non-finite input samples (NaN/Inf), 2 NaN output samples written as 0"), "\(r.stderr)")
        let (y, _) = try readFile(dir.appendingPathComponent("n.wav").path)
        #expect(y[0, 1] == 0 && y[1, 0] == 0 && y[0, 2] == Float(32767) / 32768 && y[0, 3] == -1)
    }
}

/// A 16-bit WAV whose data chunk header announces `promisedFrames` but holds `frames`.
func handWrittenPCM16(frames: Int, channels: Int, promisedFrames: Int) -> Data {
    var d = Data()
    func u32(_ v: Int) { withUnsafeBytes(of: UInt32(v).littleEndian) { d.append(contentsOf: $0) } }
    func u16(_ v: Int) { withUnsafeBytes(of: UInt16(v).littleEndian) { d.append(contentsOf: $0) } }
    let promised = promisedFrames * channels * 2
    d.append(contentsOf: Array("RIFF".utf8)); u32(36 + promised); d.append(contentsOf: Array("WAVE".utf8))
    d.append(contentsOf: Array("fmt ".utf8)); u32(16); u16(1); u16(channels); u32(48000); u32(48000 * channels * 2); u16(channels * 2); u16(16)
    d.append(contentsOf: Array("data".utf8)); u32(promised)
    for i in 0..<(frames * channels) { u16(i % 100) }
    return d
}
