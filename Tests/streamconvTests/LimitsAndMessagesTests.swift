import Foundation
import StreamConv
import StreamConvIO
import Testing

/// Installed presets, memory refused before work, and messages that say what is wrong
/// (issue 5, items 10, 23, 25).
@Suite(.serialized) struct LimitsAndMessagesTests {
    let dir = temporaryFolder()

    func write(_ text: String, _ name: String) throws {
        try Data(text.utf8).write(to: dir.appendingPathComponent(name))
    }

    func preset(_ conv1d: String, rate: String = "") -> String {
        #"{"# + rate + #""conv1d": {"# + conv1d + #"}, "init": {"seed": 1}}"#
    }

    /// An installed binary finds PREFIX/share/streamconv/presets; $STREAMCONV_PRESETS comes
    /// first; with nothing anywhere `presets` fails and names the folders it searched.
    @Test func installedPresetsAreFound() throws {
        defer { try? FileManager.default.removeItem(at: dir) }
        let bin = dir.appendingPathComponent("prefix/bin")
        let share = dir.appendingPathComponent("prefix/share/streamconv/presets")
        let work = dir.appendingPathComponent("work")
        for folder in [bin, share, work] { try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true) }
        try FileManager.default.copyItem(at: CLI.executable, to: bin.appendingPathComponent("streamconv"))
        try FileManager.default.copyItem(at: CLI.repository.appendingPathComponent("presets/lowpass-4k.json"), to: share.appendingPathComponent("lowpass-4k.json"))
        let installed = bin.appendingPathComponent("streamconv")
        let listed = try CLI.run(["presets"], in: work, environment: ["STREAMCONV_PRESETS": nil], executable: installed)
        #expect(listed.status == 0 && listed.out.split(separator: "\n").last?.hasPrefix("lowpass-4k  2→2 k=63 g=2  31") == true, "\(listed.out) \(listed.stderr)")
        let info = try CLI.run(["info", "--preset", "lowpass-4k"], in: work, environment: ["STREAMCONV_PRESETS": nil], executable: installed)
        #expect(info.out.contains("file:          \(share.path)/lowpass-4k.json"), "\(info.out)")
        // $STREAMCONV_PRESETS wins over the installed folder.
        let mine = dir.appendingPathComponent("mine")
        try FileManager.default.createDirectory(at: mine, withIntermediateDirectories: true)
        try Data(preset(#""in_channels": 2, "out_channels": 2, "kernel_size": 1"#).utf8).write(to: mine.appendingPathComponent("lowpass-4k.json"))
        let overridden = try CLI.run(["info", "--preset", "lowpass-4k"], in: work, environment: ["STREAMCONV_PRESETS": mine.path], executable: installed)
        #expect(overridden.out.contains("file:          \(mine.path)/lowpass-4k.json"), "\(overridden.out)")
        try FileManager.default.removeItem(at: share.appendingPathComponent("lowpass-4k.json"))
        let none = try CLI.run(["presets"], in: work, environment: ["STREAMCONV_PRESETS": nil], executable: installed)
        #expect(none.status == 1)
        #expect(none.stderr == "Error: no presets found; searched \(share.path), \(work.path)/presets; install them with scripts/install or set STREAMCONV_PRESETS\n", "\(none.stderr)")
    }

    /// The limit counts the FFT engine's memory (filter spectra, tables, partition state),
    /// about 3.5× a 65,536-tap filter's weights and history: refused at 1.5 MB, which the
    /// weights and history alone would fit; info names the engine's share.
    @Test func memoryCountsTheFFTEngine() throws {
        defer { try? FileManager.default.removeItem(at: dir) }
        try writeFile(Signal(channels: 1, frames: 70000, repeating: 0.1), dir.appendingPathComponent("mono.wav").path)
        try write(preset(#""in_channels": 1, "out_channels": 1, "kernel_size": 65536, "bias": false"#), "fft.json")
        let spec = try Conv1dSpec(inChannels: 1, outChannels: 1, kernelSize: 65536, bias: false)
        let without = spec.weightBytes(scalarSize: 4) + spec.streamBytes(maxFrames: 4096, scalarSize: 4)
        #expect(without < 1_500_000)
        let refused = try CLI.run(["run", "--preset", "fft.json", "--in", "mono.wav", "--out", "o.wav", "--max-memory", "1500000"], in: dir)
        #expect(refused.status == 1 && refused.stderr.hasPrefix("Error: streaming Conv1d(1, 1, kernel_size=65536, bias=False) in blocks of 4096 frames would need "), "\(refused.stderr)")
        let direct = try CLI.run(["run", "--preset", "fft.json", "--engine", "direct", "--in", "mono.wav", "--out", "o.wav", "--max-memory", "1500000"], in: dir)
        #expect(direct.status == 0, "\(direct.stderr)")
        let info = try CLI.run(["info", "--preset", "fft.json"], in: dir)
        #expect(info.status == 0 && info.out.contains(", of which the engine's "), "\(info.out)")
    }

    /// Absurd presets are refused at once with the memory they would need; nothing large is
    /// built before the input has been checked against the spec.
    @Test func memoryIsRefusedBeforeWork() throws {
        defer { try? FileManager.default.removeItem(at: dir) }
        try writeFile(Signal(channels: 1, frames: 1000, repeating: 0.1), dir.appendingPathComponent("mono.wav").path)
        try write(preset(#""in_channels": 1, "out_channels": 1, "kernel_size": 3, "padding": 2000000000"#), "pad.json")
        let pad = try CLI.run(["run", "--preset", "pad.json", "--in", "mono.wav", "--out", "o.wav", "--max-memory", "4G"], in: dir)
        #expect(pad.status == 1)
        #expect(pad.stderr.hasPrefix("Error: streaming Conv1d(1, 1, kernel_size=3, padding=2000000000) in blocks of 4096 frames would need 22.4 GiB (24000540716 bytes), more than the memory limit of 4.0 GiB"), "\(pad.stderr)")
        // info describes any preset at once: init weights are never drawn.
        try write(preset(#""in_channels": 1, "out_channels": 1, "kernel_size": 1000000000"#), "long.json")
        let info = try CLI.run(["info", "--preset", "long.json"], in: dir)
        #expect(info.status == 0 && info.out.contains("memory:        weights 3.7 GiB (4000000004 bytes)"), "\(info.out)")
        // A file shorter than the receptive field is refused before the weights are drawn.
        let short = try CLI.run(["run", "--preset", "long.json", "--in", "mono.wav", "--out", "o.wav"], in: dir)
        #expect(short.status == 1 && short.stderr.hasPrefix("Error: padded input length 1000 (input 1000 samples) is shorter than the receptive field"), "\(short.stderr)")
        // Empty raw input with 100000 channels: said at once, nothing allocated for it.
        try write(preset(#""in_channels": 100000, "out_channels": 1, "kernel_size": 1"#), "wide.json")
        let empty = try CLI.run(["run", "--preset", "wide.json", "--in", "-", "--rate", "48000", "--out", "o.wav"], in: dir)
        #expect(empty.status == 1 && empty.stderr == "Error: the input has no samples\n", "\(empty.stderr)")
        // --block whole on an endless input stops at the memory limit with a clear error.
        let endless = try CLI.shell("\"$SC\" run --preset identity-stereo --in - --rate 48000 --out o.wav --block whole --max-memory 64M < /dev/zero", in: dir)
        #expect(endless.status == 1 && endless.stderr.hasPrefix("Error: stdin is longer than the ") && endless.stderr.contains("--block whole can hold within the memory limit"), "\(endless.stderr)")
        // A known length over the budget is refused before reading.
        try writeFile(Signal(channels: 2, frames: 200_000), dir.appendingPathComponent("long.wav").path)
        let whole = try CLI.run(["run", "--preset", "identity-stereo", "--in", "long.wav", "--out", "o.wav", "--block", "whole", "--max-memory", "1M"], in: dir)
        #expect(whole.status == 1 && whole.stderr.hasPrefix("Error: --block whole on 200000 frames would need"), "\(whole.stderr)")
        #expect(!contents(dir).contains("o.wav"))
    }

    @Test func messagesSayWhatIsWrong() throws {
        defer { try? FileManager.default.removeItem(at: dir) }
        try writeFile(Signal(channels: 2, frames: 100, repeating: 0.1), dir.appendingPathComponent("in.wav").path)
        func error(_ args: [String], input: Data = Data()) throws -> String {
            let r = try CLI.run(args, in: dir, input: input)
            #expect(r.status == 1, "\(args): \(r.stderr)")
            #expect(r.stderr.split(separator: "\n").count == 1, "one line: \(r.stderr)")
            return r.stderr
        }
        // A WAV piped into raw input (raw asked for: a WAV without those options is a stream).
        let wav = try Data(contentsOf: dir.appendingPathComponent("in.wav"))
        #expect(try error(["run", "--preset", "identity-stereo", "--in", "-", "--raw-format", "f32", "--rate", "48000", "--out", "o.wav"], input: wav)
                == "Error: stdin starts with a WAV file header, not raw samples; leave out --raw-format, --channels and --rate to read it as a WAV stream\n")
        // More channels than audio files hold.
        try write(preset(#""in_channels": 2, "out_channels": 1100, "kernel_size": 1"#), "many.json")
        #expect(try error(["run", "--preset", "many.json", "--in", "in.wav", "--out", "o.wav"])
                == "Error: cannot write o.wav: audio files hold at most 1024 channels (libsndfile's limit) and this output has 1100; write raw samples with --out - instead\n")
        // A WAV header with a sample rate of 0.
        var header = wav
        header.replaceSubrange(24..<28, with: [0, 0, 0, 0])
        try header.write(to: dir.appendingPathComponent("rate0.wav"))
        #expect(try error(["run", "--preset", "identity-stereo", "--in", "rate0.wav", "--out", "o.wav"])
                == "Error: cannot open rate0.wav: the WAV header gives a sample rate of 0 Hz (1 to 2147483647 Hz are possible)\n")
        // A path longer than PATH_MAX.
        let long = String(repeating: "d/", count: 2100) + "o.wav"
        #expect(try error(["run", "--preset", "identity-stereo", "--in", "in.wav", "--out", long]).hasSuffix(": File name too long\n"))
        // Presets that are not files, or not UTF-8.
        #expect(mkfifo(dir.appendingPathComponent("fifo.json").path, 0o644) == 0)
        #expect(try error(["info", "--preset", "fifo.json"]).hasSuffix("fifo.json: it is not a regular file (a FIFO, socket or device); give a .json file\n"))
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("folder.json"), withIntermediateDirectories: true)
        #expect(try error(["info", "--preset", "folder.json"]).hasSuffix("folder.json: it is a folder, not a preset file\n"))
        let utf16 = preset(#""in_channels": 1, "out_channels": 1, "kernel_size": 1"#)
        try Data([0xFF, 0xFE] + utf16.utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }).write(to: dir.appendingPathComponent("utf16.json"))
        #expect(try error(["info", "--preset", "utf16.json"]).hasSuffix("it is UTF-16 text; presets are UTF-8 JSON (save it as UTF-8)\n"))
        // A folder inside the preset folder is listed with its reason, not an NSError.
        let presets = dir.appendingPathComponent("presets")
        try FileManager.default.createDirectory(at: presets.appendingPathComponent("odd.json"), withIntermediateDirectories: true)
        let listed = try CLI.run(["presets"], in: dir, environment: ["STREAMCONV_PRESETS": presets.path])
        #expect(listed.out.contains("odd") && listed.out.contains("it is a folder, not a preset file") && !listed.out.contains("NSCocoaErrorDomain"), "\(listed.out)")
    }
}
