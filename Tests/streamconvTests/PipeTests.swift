import Foundation
import StreamConv
import StreamConvIO
import Testing

/// Pipes that never guess (issue 16, findings 1 and 2): raw input names what it lacks; an
/// audio stream on stdin is read as one (WAV, AIFF, AU, CAF, W64, FLAC, Ogg); `--out - --type`
/// streams a self-describing file; raw input written to WAV is reproducible, keeps its sample
/// type and is the very file a file input of the same samples gives.
@Suite(.serialized) struct PipeTests {
    let dir = temporaryFolder()

    /// A stereo 44.1 kHz signal with content in both channels.
    static let music: Signal<Float> = {
        var x = Signal<Float>(channels: 2, frames: 30000)
        for i in 0..<30000 {
            x[0, i] = 0.5 * Float(sin(Double(i) * 0.031)) + 0.1 * Float(sin(Double(i) * 0.9))
            x[1, i] = 0.4 * Float(sin(Double(i) * 0.017 + 1))
        }
        return x
    }()

    /// Raw input with a preset that fixes neither channels nor rate is refused, naming both
    /// options (before: filtered as mono at 48 kHz, exit 0).
    @Test func rawInputNeedsChannelsAndRate() throws {
        defer { try? FileManager.default.removeItem(at: dir) }
        let raw = Data(repeating: 0, count: 4 * 2 * 1000)
        for args in [["--raw-format", "s16"], ["--raw-format", "s16", "--channels", "2"], ["--raw-format", "f32", "--rate", "44100"]] {
            let r = try CLI.run(["run", "--preset", "lowpass", "--in", "-", "--out", "-"] + args, in: dir, input: raw)
            #expect(r.status == 64 && r.stderr.contains("--channels") && r.stderr.contains("--rate") && r.stdout.isEmpty, "\(args): \(r.status) \(r.stderr)")
        }
        let ok = try CLI.run(["run", "--preset", "lowpass", "--in", "-", "--out", "-", "--raw-format", "s16", "--channels", "2", "--rate", "44100"], in: dir, input: raw)
        #expect(ok.status == 0 && ok.stdout.count == raw.count, "\(ok.stderr)")
        #expect(ok.stderr.contains("2 ch @ 44100 Hz"), "\(ok.stderr)")
        // A WAV given as raw samples is refused, saying how to read it as a stream.
        try writeFile(Self.music, dir.appendingPathComponent("in.wav").path, rate: 44100)
        let wav = try Data(contentsOf: dir.appendingPathComponent("in.wav"))
        let refused = try CLI.run(["run", "--preset", "lowpass", "--in", "-", "--out", "-", "--raw-format", "f32", "--channels", "2", "--rate", "44100"], in: dir, input: wav)
        #expect(refused.status == 1 && refused.stderr.contains("starts with a WAV file header") && refused.stderr.contains("leave out --raw-format"), "\(refused.stderr)")
    }

    /// An audio stream on stdin gives the output a file input gives, for every container
    /// libsndfile writes that can come down a pipe (before: WAV refused, others read as raw).
    @Test(arguments: ["wav", "aiff", "au", "caf", "w64", "flac", "ogg"])
    func streamOnStdinEqualsTheFile(ext: String) throws {
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("in.\(ext)").path
        let format: SampleEncoding = ext == "flac" || ext == "ogg" ? .s16 : .f32
        if ext == "ogg" {
            try writeFile(Self.music, dir.appendingPathComponent("src.wav").path, rate: 44100)
            let made = try CLI.run(["run", "--preset", "identity-stereo", "--in", "src.wav", "--out", "in.ogg"], in: dir)
            #expect(made.status == 0, "\(made.stderr)")
        } else {
            let sink = try SndFileSink(path: SystemPath(file), sampleFormat: format, channels: 2, sampleRate: 44100, frames: 30000)
            try sink.write(Self.music)
            try sink.commit()
        }
        let fromFile = try CLI.run(["run", "--preset", "lowpass", "--in", "in.\(ext)", "--out", "file.wav", "--out-format", "float"], in: dir)
        #expect(fromFile.status == 0, "\(fromFile.stderr)")
        let piped = try CLI.shell("cat in.\(ext) | \"$SC\" run --preset lowpass --in - --out pipe.wav --out-format float", in: dir)
        let (a, _) = try readFile(dir.appendingPathComponent("file.wav").path)
        if ext == "caf" {
            // libsndfile reads a CAF to its end at open: refused from a pipe, in one line.
            // (cat, cut off, may add its own line.)
            #expect(piped.status == 1 && piped.stderr.hasPrefix("Error: cannot open stdin: libsndfile cannot read CAF from a pipe; redirect stdin from the file (< FILE) or give it with --in FILE\n"), "\(piped.stderr)")
        } else {
            #expect(piped.status == 0, "\(ext): \(piped.stderr)")
            let (b, source) = try readFile(dir.appendingPathComponent("pipe.wav").path)
            #expect(b.bitwiseEquals(a) && source.sampleRate == 44100 && source.channels == 2, "\(ext): \(b.frames) frames against \(a.frames)")
        }
        // Redirected from the file (stdin seekable): the same.
        let redirected = try CLI.shell("\"$SC\" run --preset lowpass --in - --out redirected.wav --out-format float < in.\(ext)", in: dir)
        #expect(redirected.status == 0, "\(redirected.stderr)")
        #expect(try readFile(dir.appendingPathComponent("redirected.wav").path).0.bitwiseEquals(a))
    }

    /// `--out - --type wav` into a pipe is a header-first WAV that reads back as the file
    /// output; into a file the shell opened it is the file output byte for byte; AU and FLAC
    /// stream too; AIFF into a pipe is refused in one line (before: `--type` refused with `-`).
    @Test func typedStreamToStdout() throws {
        defer { try? FileManager.default.removeItem(at: dir) }
        try writeFile(Self.music, dir.appendingPathComponent("in.wav").path, rate: 44100)
        let file = try CLI.run(["run", "--preset", "lowpass", "--in", "in.wav", "--out", "file.wav"], in: dir)
        #expect(file.status == 0, "\(file.stderr)")
        let (expected, _) = try readFile(dir.appendingPathComponent("file.wav").path)
        for type in ["wav", "au", "flac"] {
            let format = type == "flac" ? ["--out-format", "pcm24"] : []
            let piped = try CLI.shell("\"$SC\" run --preset lowpass --in in.wav --out - --type \(type) \(format.joined(separator: " ")) | cat > piped.\(type)", in: dir)
            #expect(piped.status == 0, "\(type): \(piped.stderr)")
            let (y, source) = try readFile(dir.appendingPathComponent("piped.\(type)").path)
            #expect(source.sampleRate == 44100 && y.frames == expected.frames, "\(type)")
            if type != "flac" { #expect(y.bitwiseEquals(expected), "\(type)") }
        }
        let head = try Data(contentsOf: dir.appendingPathComponent("piped.wav"))
        #expect(String(decoding: head.prefix(4), as: UTF8.self) == "RIFF" && head.count == expected.frames * 8 + 56, "\(head.count)")
        let redirected = try CLI.shell("\"$SC\" run --preset lowpass --in in.wav --out - --type wav > redirected.wav", in: dir)
        #expect(redirected.status == 0)
        #expect(try Data(contentsOf: dir.appendingPathComponent("redirected.wav")) == Data(contentsOf: dir.appendingPathComponent("file.wav")))
        let aiff = try CLI.shell("\"$SC\" run --preset lowpass --in in.wav --out - --type aiff | cat > /dev/null", in: dir)
        #expect(aiff.stderr.hasPrefix("Error: cannot write stdout: AIFF") && aiff.stderr.contains("cannot be written to a pipe"), "\(aiff.stderr)")
        // A piped WAV stream into a second run: the chain of two runs equals one with both presets.
        let chained = try CLI.shell("\"$SC\" run --preset lowpass --in in.wav --out - --type wav --out-format float | \"$SC\" run --preset lowpass --in - --out chained.wav --out-format float", in: dir)
        #expect(chained.status == 0, "\(chained.stderr)")
        let both = try CLI.run(["run", "--preset", "lowpass", "--preset", "lowpass", "--in", "in.wav", "--out", "both.wav", "--out-format", "float"], in: dir)
        #expect(both.status == 0, "\(both.stderr)")
        #expect(try readFile(dir.appendingPathComponent("chained.wav").path).0.bitwiseEquals(readFile(dir.appendingPathComponent("both.wav").path).0))
    }

    /// Raw input to WAV: two runs give the same bytes (before: a PEAK chunk's timestamp made
    /// them differ at byte 173), a plain PCM header for stereo 16-bit (before: extensible with
    /// a JUNK chunk, float samples), no PEAK chunk; and the same file as from a WAV input of the
    /// same samples, whose length was known.
    @Test(arguments: [("s16", "pcm16", 1), ("f32", "float", 3)])
    func rawInputToWAVIsReproducible(raw: String, fileFormat: String, tag: UInt8) throws {
        defer { try? FileManager.default.removeItem(at: dir) }
        let encoding = SampleEncoding(rawName: raw)!
        var bytes = [UInt8](repeating: 0, count: 30000 * 2 * encoding.bytes)
        var q: Quantizer? = encoding.integerBits.map { Quantizer(bits: $0, dither: .none) }
        bytes.withUnsafeMutableBytes { encoding.encode(Self.music, start: 0, quantizer: &q, into: $0.baseAddress!) }
        let input = Data(bytes)
        var outputs: [Data] = []
        for run in 0..<2 {
            let r = try CLI.run(["run", "--preset", "lowpass", "--in", "-", "--raw-format", raw, "--channels", "2", "--rate", "44100", "--out", "o\(run).wav"], in: dir, input: input)
            #expect(r.status == 0, "\(r.stderr)")
            outputs.append(try Data(contentsOf: dir.appendingPathComponent("o\(run).wav")))
            if run == 0 { sleep(1) }
        }
        #expect(outputs[0] == outputs[1], "two runs differ")
        let out = outputs[0]
        #expect(out.range(of: Data("PEAK".utf8)) == nil && out.range(of: Data("JUNK".utf8)) == nil)
        #expect(out[20] == tag && out[21] == 0, "format tag \(out[20])")
        let (_, source) = try readFile(dir.appendingPathComponent("o0.wav").path)
        #expect(source.formatDescription.hasSuffix(fileFormat == "pcm16" ? "Signed 16 bit PCM" : "32 bit float"), "\(source.formatDescription)")
        // The same samples from a file: the same file.
        let sink = try SndFileSink(path: SystemPath(dir.appendingPathComponent("in.wav").path), sampleFormat: encoding, channels: 2, sampleRate: 44100, frames: 30000)
        try sink.write(Self.music)
        try sink.commit()
        let fromFile = try CLI.run(["run", "--preset", "lowpass", "--in", "in.wav", "--out", "f.wav"], in: dir)
        #expect(fromFile.status == 0, "\(fromFile.stderr)")
        #expect(try Data(contentsOf: dir.appendingPathComponent("f.wav")) == out, "raw input's WAV differs from a file input's")
    }
}
