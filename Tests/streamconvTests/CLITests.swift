import Foundation
import StreamConv
import StreamConvIO
import StreamConvPresets
import Testing

/// The built `streamconv` executable, run as a user runs it.
struct CLI {
    /// The built executable; `STREAMCONV_TEST_EXECUTABLE` points the suite at another build
    /// (an older commit's, to watch a new test fail before its fix).
    static let executable: URL = {
        if let other = ProcessInfo.processInfo.environment["STREAMCONV_TEST_EXECUTABLE"] { return URL(fileURLWithPath: other) }
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        return URL(fileURLWithPath: exe).deletingLastPathComponent().appendingPathComponent("streamconv")
    }()
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    struct Result {
        let status: Int32
        let stdout: Data
        let stderr: String
        var out: String { String(decoding: stdout, as: UTF8.self) }
    }

    /// Runs `streamconv args` in `directory` with `input` on stdin.
    static func run(_ args: [String], in directory: URL? = nil, input: Data = Data(), environment: [String: String?] = [:], executable: URL = executable) throws -> Result {
        try launch(executable, args, in: directory, input: input, environment: environment)
    }

    /// Runs `script` with /bin/sh, `$SC` being the executable (for redirections and limits
    /// a Process cannot express: `2>&-`, `ulimit -f`, file names that are not UTF-8).
    static func shell(_ script: String, in directory: URL? = nil, input: Data = Data()) throws -> Result {
        try launch(URL(fileURLWithPath: "/bin/sh"), ["-c", "SC='\(executable.path)'; " + script], in: directory, input: input)
    }

    /// A process of `program` (the executable by default) in `directory`, with the shipped
    /// presets on $STREAMCONV_PRESETS and `changes` to the environment; not yet started.
    static func process(_ args: [String], in directory: URL? = nil, environment changes: [String: String?] = [:], program: URL = executable) -> Process {
        let process = Process()
        process.executableURL = program
        process.arguments = args
        process.currentDirectoryURL = directory ?? repository
        var environment = ProcessInfo.processInfo.environment
        environment["STREAMCONV_PRESETS"] = repository.appendingPathComponent("presets").path
        for (key, value) in changes { environment[key] = value }
        process.environment = environment
        return process
    }

    private static func launch(_ program: URL, _ args: [String], in directory: URL?, input: Data, environment changes: [String: String?] = [:]) throws -> Result {
        let process = process(args, in: directory, environment: changes, program: program)
        let (stdin, stdout, stderr) = (Pipe(), Pipe(), Pipe())
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        let feeder = Thread {
            // A run that refuses its input closes stdin unread: the write then fails (EPIPE)
            // instead of killing the suite. Blocked on this thread only, so the children
            // (and their pipelines) keep the default SIGPIPE.
            var pipeSignal = sigset_t()
            sigemptyset(&pipeSignal)
            sigaddset(&pipeSignal, SIGPIPE)
            pthread_sigmask(SIG_BLOCK, &pipeSignal, nil)
            try? stdin.fileHandleForWriting.write(contentsOf: input)
            try? stdin.fileHandleForWriting.close()
        }
        feeder.start()
        let errData = Locked<Data>()
        let errReader = Thread { errData.value = stderr.fileHandleForReading.readDataToEndOfFile() }
        errReader.start()
        let outData = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        while errReader.isExecuting || !errReader.isFinished { usleep(1000) }
        return Result(status: process.terminationStatus, stdout: outData, stderr: String(decoding: errData.value, as: UTF8.self))
    }
}

final class Locked<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: T?
    var value: T {
        get { lock.withLock { stored! } }
        set { lock.withLock { stored = newValue } }
    }
}

func temporaryFolder() -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("streamconv-cli-\(UUID().uuidString)")
    try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

func readFile(_ path: String) throws -> (Signal<Float>, SndFileSource) {
    let source = try SndFileSource(path: path)
    return (try source.readAll(block: 4096), source)
}

func writeFile(_ x: Signal<Float>, _ path: String, format: SampleEncoding = .f32, rate: Int = 48000) throws {
    try SndFileSink.writeFile(x, to: path, sampleFormat: format, sampleRate: rate)
}

func contents(_ dir: URL) -> [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []).sorted()
}

@Suite(.serialized) struct CLITests {
    @Test func executableWasBuilt() {
        #expect(FileManager.default.isExecutableFile(atPath: CLI.executable.path), "build it first: swift build (scripts/test does)")
    }

    func stereoInput(frames: Int, seed: UInt64) -> Signal<Float> {
        var rng = SeededGenerator(seed: seed)
        return Signal((0..<2).map { _ in (0..<frames).map { _ in Float(rng.nextUnit() - 0.5) } })
    }

    /// `run` writes exactly what the library computes, streamed or whole, in the input's format.
    @Test func runWritesTheLibraryResult() throws {
        let dir = temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let x = stereoInput(frames: 20000, seed: 1)
        try writeFile(x, dir.appendingPathComponent("in.wav").path)
        let preset = try PresetLibrary(folders: [CLI.repository.appendingPathComponent("presets")]).load("lowpass-4k").preset
        let expected = try preset.conv1d(as: Float.self).forward(x)
        for block in ["4096", "1", "333", "whole"] {
            let r = try CLI.run(["run", "--preset", "lowpass-4k", "--in", "in.wav", "--out", "out-\(block).wav", "--block", block], in: dir)
            #expect(r.status == 0, "\(r.stderr)")
            #expect(r.stdout.isEmpty)
            #expect(r.stderr.hasPrefix("lowpass-4k: 20000 frames in (2 ch @ 48000 Hz) → 20000 frames out (2 ch @ 48000 Hz), latency 31 frames"), "\(r.stderr)")
            let (y, source) = try readFile(dir.appendingPathComponent("out-\(block).wav").path)
            #expect(source.formatDescription == "WAV (Microsoft), 32 bit float")
            #expect(ChunkEquivalence.firstDifference(expected: expected, actual: y) == nil, "block \(block)")
        }
    }

    @Test func strideHalvesTheRateAndOutFormatApplies() throws {
        let dir = temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        try writeFile(stereoInput(frames: 4801, seed: 2), dir.appendingPathComponent("in.wav").path, format: .s16)
        let r = try CLI.run(["run", "--preset", "decimate-2x", "--in", "in.wav", "--out", "out.flac", "--out-format", "pcm24"], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        let (y, source) = try readFile(dir.appendingPathComponent("out.flac").path)
        #expect(source.sampleRate == 24000 && y.frames == 2401)
        #expect(source.formatDescription == "FLAC (Free Lossless Audio Codec), Signed 24 bit PCM")
        // Without --out-format the input's PCM16 is kept.
        let r2 = try CLI.run(["run", "--preset", "decimate-2x", "--in", "in.wav", "--out", "same.wav"], in: dir)
        #expect(r2.status == 0)
        #expect(try readFile(dir.appendingPathComponent("same.wav").path).1.formatDescription == "WAV (Microsoft), Signed 16 bit PCM")
    }

    @Test func rawStdinToStdout() throws {
        let x = stereoInput(frames: 1000, seed: 3)
        let bytes = Data(x.interleaved.flatMap { v in withUnsafeBytes(of: v.bitPattern.littleEndian) { Array($0) } })
        let r = try CLI.run(["run", "--preset", "identity-stereo", "--in", "-", "--rate", "48000", "--out", "-", "--block", "100"], input: bytes)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout == bytes)
        #expect(r.stderr.contains("1000 frames in"))
    }

    @Test func progressBarIsDrawnAndErased() throws {
        let dir = temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        try writeFile(stereoInput(frames: 48000, seed: 4), dir.appendingPathComponent("in.wav").path)
        let shown = try CLI.run(["run", "--preset", "lowpass-4k", "--in", "in.wav", "--out", "o.wav", "--block", "4800", "--progress", "always"], in: dir)
        #expect(shown.status == 0)
        let frames = shown.stderr.split(separator: "\r")
        #expect(frames.contains { $0.hasPrefix("[===") && $0.contains("% ") && $0.contains("/ 1.0 s") }, "\(shown.stderr)")
        #expect(frames.last?.hasPrefix("\u{1B}[Klowpass-4k: 48000 frames in") == true, "bar erased before the summary")
        // Not a terminal: no bar by default.
        let quiet = try CLI.run(["run", "--preset", "lowpass-4k", "--in", "in.wav", "--out", "o.wav"], in: dir)
        #expect(!quiet.stderr.contains("\r") && quiet.stderr.hasPrefix("lowpass-4k: 48000 frames in"))
    }

    @Test func clippingIsReported() throws {
        let dir = temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        try writeFile(Signal([[0.5, 1.5, -2, 0.25], [0.1, 0.2, 3, 0.3]]), dir.appendingPathComponent("loud.wav").path)
        let r = try CLI.run(["run", "--preset", "identity-stereo", "--in", "loud.wav", "--out", "o.wav", "--out-format", "pcm16"], in: dir)
        #expect(r.status == 0)
        #expect(r.stderr.contains(", 3 samples clipped"), "\(r.stderr)")
    }

    /// Every user mistake: one line on stderr, exit 1, no output file, an old file untouched.
    @Test(arguments: [
        (["--preset", "lowpass-4k", "--in", "missing.wav"], "Error: cannot open missing.wav: "),
        (["--preset", "lowpass-4k", "--in", "mono.wav"], "Error: mono.wav has 1 channel but the preset expects in_channels=2"),
        (["--preset", "lowpass-4k", "--in", "rate.wav"], "Error: rate.wav is at 44100 Hz but the preset was made for 48000 Hz"),
        (["--preset", "wide.json", "--in", "short.wav"], "Error: padded input length 10 (input 10 samples) is shorter than the receptive field"),
        (["--preset", "no-such-preset", "--in", "ok.wav"], "Error: no preset 'no-such-preset'"),
        (["--preset", "bad.json", "--in", "ok.wav"], "Error: conv1d.padding_mode: expected one of zeros, reflect, replicate, circular, got \"mirror\""),
        (["--preset", "lowpass-4k", "--in", "ok.wav", "--out-format", "float", "--block", "7"], ""),
    ])
    func userErrorsAreOneLineAndLeaveNoFile(args: [String], message: String) throws {
        let dir = temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        try writeFile(Signal(channels: 1, frames: 100), dir.appendingPathComponent("mono.wav").path)
        try writeFile(Signal(channels: 2, frames: 100), dir.appendingPathComponent("rate.wav").path, rate: 44100)
        try writeFile(Signal(channels: 2, frames: 100), dir.appendingPathComponent("ok.wav").path)
        try writeFile(Signal(channels: 2, frames: 10), dir.appendingPathComponent("short.wav").path)
        try Data(#"{"conv1d": {"in_channels": 2, "out_channels": 1, "kernel_size": 50}, "init": {"seed": 1}}"#.utf8)
            .write(to: dir.appendingPathComponent("wide.json"))
        try Data(#"{"conv1d": {"in_channels": 2, "out_channels": 2, "kernel_size": 1, "padding_mode": "mirror"}, "init": {"seed": 1}}"#.utf8)
            .write(to: dir.appendingPathComponent("bad.json"))
        try Data("old".utf8).write(to: dir.appendingPathComponent("out.wav"))
        let before = contents(dir)
        let r = try CLI.run(["run"] + args + ["--out", "out.wav"], in: dir)
        if message.isEmpty {
            #expect(r.status == 0, "control case runs: \(r.stderr)")
            return
        }
        #expect(r.status == 1)
        #expect(r.stderr.hasPrefix(message), "\(r.stderr)")
        #expect(r.stderr.split(separator: "\n").count == 1, "one line: \(r.stderr)")
        #expect(!r.stderr.contains("Fatal error") && !r.stderr.contains("Stack dump"))
        #expect(contents(dir) == before)
        #expect(try Data(contentsOf: dir.appendingPathComponent("out.wav")) == Data("old".utf8))
    }

    @Test func emptyInputErrorMessage() throws {
        let dir = temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        try writeFile(Signal(channels: 2, frames: 0), dir.appendingPathComponent("empty.wav").path)
        let r = try CLI.run(["run", "--preset", "lowpass-4k", "--in", "empty.wav", "--out", "o.wav"], in: dir)
        #expect(r.status == 1 && r.stderr == "Error: the input has no samples\n")
        #expect(contents(dir) == ["empty.wav"])
    }

    @Test func usageErrorsExit64() throws {
        let missing = try CLI.run(["run", "--in", "a.wav", "--out", "b.wav"])
        #expect(missing.status == 64 && missing.stderr.hasPrefix("Error: Missing expected argument '--preset <preset>'"))
        let block = try CLI.run(["run", "--preset", "x", "--in", "a", "--out", "b", "--block", "0"])
        #expect(block.status == 64 && block.stderr.contains("--block"))
        let format = try CLI.run(["run", "--preset", "x", "--in", "a", "--out", "b", "--out-format", "mp3"])
        #expect(format.status == 64 && format.stderr.contains("'float', 'double', 'pcm16', 'pcm24' or 'pcm32'"))
        let trials = try CLI.run(["verify", "--preset", "lowpass-4k", "--trials", "0"])
        #expect(trials.status == 64)
    }

    @Test func verifyReportsBitwiseMatches() throws {
        let r = try CLI.run(["verify", "--preset", "decimate-2x", "--trials", "12"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.out.hasPrefix("decimate-2x: 12/12 random chunkings matched the whole-signal call bit for bit (Float and Double, lengths 16–2016 frames"), "\(r.out)")
    }

    @Test func demoWritesBothFilesAndMeasuresTheFilter() throws {
        let dir = temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try CLI.run(["demo", "--seconds", "1"], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(contents(dir) == ["demo-input.wav", "demo-output.wav"])
        let (input, inSource) = try readFile(dir.appendingPathComponent("demo-input.wav").path)
        let (output, _) = try readFile(dir.appendingPathComponent("demo-output.wav").path)
        #expect(inSource.sampleRate == 48000 && input.frames == 48000 && output.frames == 48000)
        let preset = try PresetLibrary(folders: [CLI.repository.appendingPathComponent("presets")]).load("lowpass-4k").preset
        #expect(output.bitwiseEquals(try preset.conv1d(as: Float.self).forward(input)))
        #expect(r.out.contains("summary: 48000 frames in"))
        // The printed attenuation at 12 kHz is large (the README claims about 100 dB), at 1 kHz nil.
        let lines = r.out.split(separator: "\n").filter { $0.hasPrefix("tone") }
        #expect(lines.count == 2)
        #expect(lines.first?.contains("(+0.0 dB)") == true || lines.first?.contains("(-0.0 dB)") == true, "\(lines)")
        let drop = lines.last.flatMap { line in line.split(separator: "(").last?.split(separator: " ").first.flatMap { Double($0) } }
        #expect(drop.map { $0 < -95 } == true, "12 kHz drop: \(lines)")
    }

    /// A single-channel preset (a design for any channel count) filters both demo channels.
    @Test func demoOfASingleChannelPreset() throws {
        let dir = temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try CLI.run(["demo", "--seconds", "0.5", "--preset", "lowpass-kaiser"], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.out.contains("Conv1d(2, 2, kernel_size=483, padding='same', groups=2, bias=False)"), "\(r.out)")
        let tones = r.out.split(separator: "\n").filter { $0.hasPrefix("tone 12000 Hz") }
        #expect(tones.count == 1 && tones[0].contains("filter response -1"), "the 12 kHz tone is over 100 dB down: \(tones)")
    }

    /// A decimating preset: the 12 kHz tone sits at the output's Nyquist frequency, where it
    /// samples to nothing; the demo says so and reports the computed response instead of a
    /// bogus −159 dB "rejection". At 1 kHz, in the pass band, the response reads 0.0 dB.
    @Test func demoOfADecimatorReportsNyquistHonestly() throws {
        let dir = temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try CLI.run(["demo", "--seconds", "1", "--preset", "decimate-2x"], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        let lines = r.out.split(separator: "\n").filter { $0.hasPrefix("tone") }
        #expect(lines.count == 2)
        #expect(lines.last?.contains("at or above the output's Nyquist frequency (12000 Hz), not measurable after decimation; filter response") == true, "\(lines)")
        #expect(!r.out.contains("-159"))
        #expect(lines.first?.contains("filter response +0.0 dB") == true || lines.first?.contains("filter response -0.0 dB") == true, "\(lines)")
    }

    @Test func presetsAndInfo() throws {
        let list = try CLI.run(["presets"])
        #expect(list.status == 0)
        #expect(list.out.contains("lowpass-4k") && list.out.contains("decimate-2x") && list.out.contains("pytorch-docs-example"))
        // An aligned table: every row's description starts in the same column.
        let rows = list.out.split(separator: "\n").map(String.init)
        #expect(rows.first?.hasPrefix("NAME") == true)
        let column = rows.first.flatMap { $0.range(of: "DESCRIPTION") }.map { rows[0].distance(from: rows[0].startIndex, to: $0.lowerBound) }
        #expect(rows.contains { $0.hasPrefix("decimate-2x ") && $0.contains("2→2 k=31 s=2 g=2") })
        #expect(rows.contains { $0.hasPrefix("echo-250ms ") && $0.contains("1→1 k=2 d=12000") })
        #expect(rows.dropFirst().allSatisfy { row in column.map { row.count > $0 && row[row.index(row.startIndex, offsetBy: $0 - 1)] == " " } ?? false })
        // Every shipped preset passes info.
        for row in rows.dropFirst() {
            let name = String(row.prefix { $0 != " " })
            let info = try CLI.run(["info", "--preset", name])
            #expect(info.status == 0, "\(name): \(info.stderr)")
        }
        let info = try CLI.run(["info", "--preset", "decimate-2x"])
        #expect(info.status == 0)
        #expect(info.out.contains("latency:       15 input frames (0.31 ms)"), "\(info.out)")
        #expect(info.out.contains("sample rate:   48000 Hz in, 24000 Hz out"))
        #expect(info.out.contains("output length: floor((L + 30 - 31) / 2) + 1 for an input of L frames, L ≥ 16"))
        #expect(!info.out.contains("waits"), "padding 15 = latency 15: reflect adds no start-up wait")
        let dir = temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        try Data(#"{"conv1d": {"in_channels": 1, "out_channels": 1, "kernel_size": 3, "padding": 5, "padding_mode": "reflect"}, "init": {"seed": 1}}"#.utf8)
            .write(to: dir.appendingPathComponent("r.json"))
        let reflect = try CLI.run(["info", "--preset", "r.json"], in: dir)
        #expect(reflect.out.contains("latency:       0 input frames\n"), "\(reflect.out)")
        #expect(reflect.out.contains("the first output waits for 6 input frames (reflect padding)"))
    }
}

/// The `/proc/PID/fd` entries of `pid` that point into `dir` (an unnamed O_TMPFILE shows
/// there as `DIR/#inode (deleted)`): how a test sees that a run is writing its output.
func openFiles(of pid: Int32, in dir: URL) -> [String] {
    let fds = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd")) ?? []
    return fds.compactMap { try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/fd/\($0)") }
        .filter { $0.hasPrefix(dir.resolvingSymlinksInPath().path + "/") || $0.hasPrefix(dir.path + "/") }
}

/// Waits (up to 5 s) until `process` has a file open in `dir`: it is writing its output.
func waitUntilWriting(_ process: Process, in dir: URL) {
    var waited = 0
    while openFiles(of: process.processIdentifier, in: dir).isEmpty && waited < 5000 {
        usleep(10_000)
        waited += 10
    }
}

@Suite struct InterruptTests {
    /// A terminating signal in the middle of a run: exit 128+signal (or killed), no output
    /// file and no temporary file, in the run's folder or beside the target. SIGQUIT ends the
    /// run like SIGTERM; SIGKILL cannot be caught, and leaves nothing all the same because
    /// the file being written has no name until it is complete.
    @Test(arguments: [SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGALRM, SIGKILL])
    func interruptedRunLeavesNoFile(signal: Int32) throws {
        let dir = temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let process = CLI.process(["run", "--preset", "identity-stereo", "--in", "-", "--rate", "48000", "--out", "out.wav", "--block", "64"], in: dir)
        let stdin = Pipe()
        process.standardInput = stdin
        process.standardError = Pipe()
        try process.run()
        // Keep the run going (stdin stays open) until it has its output file open.
        stdin.fileHandleForWriting.write(Data(repeating: 0, count: 8 * 4096))
        waitUntilWriting(process, in: dir)
        #expect(!openFiles(of: process.processIdentifier, in: dir).isEmpty, "the run is writing its output")
        #expect(contents(dir).isEmpty, "nothing visible while writing: \(contents(dir))")
        kill(process.processIdentifier, signal)
        var exitWait = 0
        while process.isRunning && exitWait < 10_000 {
            usleep(10_000)
            exitWait += 10
        }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            Issue.record("signal \(signal) did not stop the run within 10 s")
        }
        process.waitUntilExit()
        try? stdin.fileHandleForWriting.close()
        if signal == SIGKILL {
            #expect(process.terminationReason == .uncaughtSignal)
        } else {
            #expect(process.terminationReason == .exit && process.terminationStatus == 128 + signal)
        }
        #expect(contents(dir).isEmpty, "left behind: \(contents(dir))")
    }
}
