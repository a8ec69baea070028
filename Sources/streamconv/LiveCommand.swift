import ArgumentParser
import Foundation
import StreamConv
import StreamConvALSA
import StreamConvLive
import StreamConvIO
import StreamConvPresets
import Synchronization

/// `streamconv live`: ALSA capture → filter → playback, a file, or stdout.
struct LiveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "live",
        abstract: "Filter live audio: ALSA capture → filter → ALSA playback, a file, or raw stdout.",
        discussion: """
            Runs until --frames/--duration or Ctrl-C (SIGINT/SIGTERM); then flushes the \
            filter's tail, drains playback, finishes the output file and prints the stats. A \
            second Ctrl-C aborts at once (no half-written file is left under the target name). \
            Overruns, underruns and suspends are recovered and counted; a capture device that \
            delivers nothing for max(8 periods, 200 ms) is reported as stalled.

            Filter swaps: SIGHUP re-reads the preset, and a line `load PRESET` written to the \
            --control FIFO loads another. The new filter is built off the audio thread, started \
            from the last --swap-history seconds of input (so it has no start-up transient) and \
            crossfaded in over --crossfade ms; before and after the fade the output is bit for \
            bit the offline output of the filter running. A filter with other channel counts, \
            stride, rate or latency is refused in one line, and the old one keeps running.
            """
    )

    @OptionGroup var presetOptions: PresetOptions

    @Option(parsing: .unconditional, help: ArgumentHelp("Gain in dB after the preset(s), as a last node of the chain.", valueName: "dB"))
    var gain: Double?

    @Option(name: [.long, .customShort("C")], help: ArgumentHelp("ALSA capture device (default, hw:1,0, plughw:1, a name from an asoundrc).", valueName: "device"), completion: ShellCompletion.device)
    var capture: String

    @Option(name: [.long, .customShort("P")], help: ArgumentHelp("ALSA playback device.", valueName: "device"), completion: ShellCompletion.device)
    var playback: String?

    @Option(name: [.customLong("out"), .customShort("o")], help: ArgumentHelp("Output file (written as run writes it), or - for raw samples on stdout.", valueName: "file"), completion: ShellCompletion.audioFile)
    var output: String?

    @Option(name: [.long, .customShort("r")], parsing: .unconditional, help: ArgumentHelp("Capture rate (default: the preset's sample_rate, else 48000).", valueName: "Hz"))
    var rate: Int?

    @Option(name: [.long, .customShort("c")], parsing: .unconditional, help: ArgumentHelp("Capture channels (default: the preset's in_channels; any count for a single-channel or depthwise design preset).", valueName: "C"))
    var channels: Int?

    @Option(parsing: .unconditional, help: ArgumentHelp("Frames per capture period.", valueName: "N"))
    var period = 256

    @Option(parsing: .unconditional, help: ArgumentHelp("Frames in each device buffer (default 4 periods, at least 3).", valueName: "N"))
    var buffer: Int?

    @Option(help: ArgumentHelp("Sample format of both devices: \(DeviceEncodingArgument.nameList).", valueName: "F"))
    var format = DeviceEncodingArgument(encoding: .s16)

    @Option(name: .customLong("capture-format"), help: ArgumentHelp("Capture sample format (overrides --format).", valueName: "F"))
    var captureFormat: DeviceEncodingArgument?

    @Option(name: .customLong("playback-format"), help: ArgumentHelp("Playback sample format (overrides --format).", valueName: "F"))
    var playbackFormat: DeviceEncodingArgument?

    @Option(parsing: .unconditional, help: ArgumentHelp("Stop after this many captured frames.", valueName: "N"))
    var frames: Int?

    @Option(parsing: .unconditional, help: ArgumentHelp("Stop after this many seconds of audio.", valueName: "seconds"))
    var duration: Double?

    @Option(name: .customLong("out-format"), help: ArgumentHelp("Output file sample type (default: the capture format's).", valueName: "format"))
    var outFormat: FileEncodingArgument?

    @Option(name: .customLong("raw-format"), help: ArgumentHelp("Sample type of raw output (--out -): f32, f64, s16, s32.", valueName: "format"))
    var rawFormat: RawEncodingArgument?

    @Option(help: ArgumentHelp("Noise before rounding to integer output: auto (tpdf for 16 bits or fewer, none above), tpdf (±1 LSB triangular), shaped (tpdf with Lipshitz's noise shaping, 44.1 kHz), none.", valueName: "kind"))
    var dither: Dither = .auto

    @Option(parsing: .unconditional, help: ArgumentHelp("Print the stats to stderr every this many seconds; the level meters show this interval (else 1 s) and the run so far.", valueName: "seconds"))
    var stats: Double?

    @Option(name: .customLong("json-stats"), help: ArgumentHelp("Also write the stats as JSON lines to this file: every --stats interval (else every second) and at the end.", valueName: "file"), completion: .file())
    var jsonStats: String?

    @Flag(name: .customLong("no-workers"), help: "Run every partition of an FFT filter on the audio thread (no worker threads): the throughput baseline; long filters then miss deadlines at small periods.")
    var noWorkers = false

    @Option(parsing: .unconditional, help: ArgumentHelp("Crossfade of a filter swap, in milliseconds (equal-gain; 0: a cut).", valueName: "ms"))
    var crossfade = 50.0

    @Option(name: .customLong("swap-history"), parsing: .unconditional, help: ArgumentHelp("Seconds of input kept for a swapped-in filter to start from (at least its length; 0: no swaps, SIGHUP stops the run).", valueName: "seconds"))
    var swapHistory = 10.0

    @Option(help: ArgumentHelp("A FIFO (made with mkfifo) whose lines 'load PRESET' swap the filter while running.", valueName: "fifo"), completion: .file())
    var control: String?

    @Option(name: .customLong("max-memory"), help: ArgumentHelp("Refuse plans needing more memory than this (e.g. 4G); default half the RAM.", valueName: "size"))
    var maxMemory: ByteCount?

    func validate() throws {
        try RepeatedOptions.refuse(["--capture", "--playback", "--out", "--gain", "--rate", "--period", "--frames", "--duration"])
        if (playback == nil) == (output == nil) { throw ValidationError("give exactly one of --playback DEVICE and --out FILE|-") }
        if frames != nil && duration != nil { throw ValidationError("give --frames or --duration, not both") }
        if let frames, frames < 1 { throw ValidationError("--frames must be at least 1, got \(frames)") }
        if let duration, !(duration > 0 && duration < 1e7) { throw ValidationError("--duration must be a positive number of seconds, got \(duration)") }
        if let rate { try SampleRate.validate(rate, name: "--rate") }
        if !(1...65536).contains(period) { throw ValidationError("--period must be 1 to 65536 frames, got \(period)") }
        if let buffer, buffer < 3 * period { throw ValidationError("--buffer must be at least 3 periods (\(3 * period) frames), got \(buffer)") }
        if let channels, channels < 1 { throw ValidationError("--channels must be at least 1, got \(channels)") }
        if !(0...10_000).contains(crossfade) { throw ValidationError("--crossfade must be 0 to 10000 ms, got \(crossfade)") }
        if !(0...3600).contains(swapHistory) { throw ValidationError("--swap-history must be 0 to 3600 seconds, got \(swapHistory)") }
        if control != nil && swapHistory == 0 { throw ValidationError("--control swaps filters, which --swap-history 0 turns off") }
        if let stats, !(stats > 0) { throw ValidationError("--stats must be a positive number of seconds, got \(stats)") }
        if output == "-" && outFormat != nil { throw ValidationError("--out-format is for file output; raw output (--out -) takes --raw-format f32|f64|s16|s32") }
        if rawFormat != nil && output != "-" { throw ValidationError("--raw-format is for raw output (--out -)") }
        if playback != nil && outFormat != nil { throw ValidationError("--out-format is for --out FILE; a playback device takes --playback-format") }
    }

    func run() throws {
        let loaded: Preset
        switch try presetOptions.loadDocument(gainDB: gain).document {
        case let .network(network):
            try runNetwork(network)
            return
        case let .filter(preset):
            loaded = preset
        }
        // A filter that acts on each channel alone takes the capture's channel count.
        let filter = try loaded.resolve(rate: rate, channels: channels, engine: presetOptions.engine, arithmetic: presetOptions.arithmetic,
                                        resampler: ImpulseResponseFile.resampler)
        let (preset, spec, captureRate, broadcast) = (filter.preset, filter.spec, filter.rate, filter.broadcast)
        if spec.paddingMode == .circular {
            throw LiveError("circular padding needs the whole signal; use streamconv run")
        }
        let channelCount = channels ?? spec.inChannels
        if channelCount != spec.inChannels {
            throw LiveError("--channels \(channelCount) but the preset expects in_channels=\(spec.inChannels); capture \(spec.inChannels) channels or use a preset made for \(channelCount)")
        }
        if let presetRate = filter.rateMismatch {
            throw LiveError("capture at \(captureRate) Hz but the preset was made for \(presetRate) Hz; capture at \(presetRate) Hz or use a preset for \(captureRate) Hz")
        }
        let outRate = try spec.outputRate(inputRate: captureRate)
        let budget = try MemoryBudget(option: maxMemory)
        // Swaps keep the input's recent past (a swapped-in filter brings its own buffers).
        let historyFrames = Int((swapHistory * Double(captureRate)).rounded(.up))
        let swapBytes = Saturating.product([historyFrames, channelCount, 4])
        let filterBytes = Saturating.sum([Self.liveBytes(spec, engine: presetOptions.engine, period: period), swapBytes])
        try budget.check(filterBytes, for: "running \(spec) live in periods of \(period) frames")
        let conv = try filter.conv1d(as: Float.self)
        let fifo = try control.map { try ControlFIFO(path: $0) }
        if let broadcast { printError("\(preset.name): single-channel filter applied to each of \(broadcast) channels") }
        if let note = ImpulseResponseFile.resamplingNote(preset) { printError("\(preset.name): \(note)") }

        // The stream first (for a long filter, taking in its zero padding is the slow part),
        // then the devices: a capture opened early would queue what it captured meanwhile, and
        // the first periods would run behind.
        let stage = conv.makeStream(maxFrames: period)
        let facts = LiveFacts(name: preset.name, inputChannels: channelCount, outputChannels: spec.outChannels, captureRate: captureRate,
                              outputRate: outRate, ratio: FrameRatio(outputs: 1, inputs: spec.stride), keepsTail: preset.keepsTail,
                              filterBytes: filterBytes, historyFrames: historyFrames, swappable: true) { try? spec.outputLength(inputLength: $0) }
        try runLive(stage, facts: facts, fifo: fifo, budget: budget)
    }

    /// The devices, the output and the audio thread around `stage`, for any stage.
    func runLive<S: Stage<Float> & ~Copyable>(_ stage: consuming sending S, facts: LiveFacts, fifo: ControlFIFO?, budget: MemoryBudget) throws {
        let (channelCount, captureRate, outRate, historyFrames, filterBytes) = (facts.inputChannels, facts.captureRate, facts.outputRate, facts.historyFrames, facts.filterBytes)
        let inFormat = (captureFormat ?? format).encoding
        let captureDevice = try PCM(name: capture, direction: .capture, settings: .init(format: inFormat, channels: channelCount, rate: captureRate, periodFrames: period, bufferFrames: buffer))
        let frameLimit = frames.map(Int64.init) ?? duration.map { Int64(($0 * Double(captureRate)).rounded()) }

        let destination: LiveDestination
        var playbackDevice: PCM?
        var sink: (any AudioSink)?
        var ring: FrameRing?
        try dither.check(outputRate: outRate)
        if let playback {
            let (up, down) = (facts.ratio.outputs, facts.ratio.inputs)
            let outPeriod = max(1, period * up / down)
            let device = try PCM(name: playback, direction: .playback, settings: .init(
                format: (playbackFormat ?? format).encoding, channels: facts.outputChannels, rate: outRate,
                periodFrames: outPeriod, bufferFrames: buffer.map { max(3 * outPeriod, $0 * up / down) }))
            playbackDevice = device
            destination = .playback(device)
        } else {
            let ringFrames = max(8 * outRate, 64 * period)
            try budget.check(Saturating.sum([filterBytes, Saturating.product([ringFrames, facts.outputChannels, 4])]), for: "buffering \(ringFrames) output frames")
            let made = FrameRing(channels: facts.outputChannels, capacity: ringFrames)
            ring = made
            destination = .ring(made)
            if output == "-" {
                sink = RawSink(format: rawFormat?.encoding ?? .f32, dither: dither)
            } else {
                let path = SystemPath.fromArgument(output!)
                let fileFormat = try Container.outputFormat(path: path, type: nil, input: nil, sampleFormat: outFormat?.encoding ?? inFormat, channels: facts.outputChannels, rate: outRate)
                var settings = SndFileSink.Settings(format: fileFormat)
                settings.dither = dither
                settings.metadata.strings[.software] = "streamconv \(StreamConvVersion.string)"
                settings.expectedFrames = frameLimit.flatMap { facts.outputLength(Int($0)).map(Int64.init) }
                sink = try SndFileSink(output: OutputFile(path: path), settings: settings, channels: facts.outputChannels, sampleRate: outRate)
            }
        }

        let counters = LiveCounters()
        let swapControl = swapHistory > 0 && facts.swappable
            ? SwapControl(channels: channelCount, period: period, historyFrames: historyFrames, crossfadeFrames: Int((crossfade / 1000 * Double(outRate)).rounded()))
            : nil
        let json = try jsonStats.map { path throws(IOError) in try JSONLines(path: path) }
        defer { json?.close() }
        var report = LiveReport(latency: stage.latency, ratio: stage.rateRatio, captureRate: captureRate, capturePeriod: captureDevice.periodFrames,
                                playbackBuffer: playbackDevice?.bufferFrames, counters: counters)
        report.filterName = facts.name
        // A long FFT filter's large partitions run on worker threads, below the audio thread
        // (a filter without them starts no thread).
        let workers = noWorkers ? nil : PartitionWorkers(rate: captureRate, counters: counters.workerCounters)
        defer { workers?.stop() }
        let loop = LiveLoop(capture: captureDevice, stage: stage, destination: destination, rate: captureRate,
                            frameLimit: frameLimit, dither: dither, keepTail: facts.keepsTail, counters: counters, workers: workers,
                            name: facts.name, swaps: swapControl,
                            // The meters' interval is the stats interval, counted in output frames.
                            levelInterval: max(1, Int(((stats ?? 1) * Double(captureRate * report.ratio.outputs) / Double(report.ratio.inputs)).rounded())))
        let shape = loop.shape
        let swaps = swapControl.map { control in
            let swapper = FilterSwapper(control: control, shape: shape, counters: counters, rate: captureRate, running: facts.name)
            let (engine, arithmetic, threads) = (presetOptions.engine, presetOptions.arithmetic, !noWorkers)
            return LiveSwaps(swapper: swapper, control: control, fifo: fifo, preset: presetOptions.preset) { argument in
                try Self.swapSlot(argument, engine: engine, arithmetic: arithmetic, rate: captureRate, channels: channelCount, period: period, workers: threads, counters: counters, budget: budget)
            }
        }
        report.swapper = swaps?.swapper
        var pending = Signal<Float>(channels: facts.outputChannels, capacity: 8192)
        var writeError: (any Error)?
        let outcome = LiveRun.run(loop, counters: counters, report: report, statsEvery: stats, json: json, reloads: swaps != nil) {
            swaps?.service()
            if let ring, let sink, writeError == nil {
                do {
                    while ring.pop(into: &pending) > 0 { try sink.write(pending) }
                } catch {
                    writeError = error
                    counters.stopRequested.store(true, ordering: .relaxed)
                }
            }
        }
        if let ring, let sink, writeError == nil {
            do {
                while ring.pop(into: &pending) > 0 { try sink.write(pending) }
                try sink.commit()
            } catch {
                writeError = error
            }
        }
        if writeError != nil { sink?.abandon() }
        swaps?.finish()
        printError(report.line(final: true, outcome: outcome))
        if let warning = report.deadlineWarning() { printError(warning) }
        json?.write(report.json(final: true, outcome: outcome))
        if let writeError { throw writeError }
        if let failure = json?.failure { throw failure }
        if let error = outcome.filterError { throw error }
        if let error = outcome.error { throw error }
    }
}

/// What the live loop needs to know of the stage it runs.
struct LiveFacts {
    let name: String
    let inputChannels: Int
    let outputChannels: Int
    let captureRate: Int
    let outputRate: Int
    let ratio: FrameRatio
    let keepsTail: Bool
    let filterBytes: Int
    let historyFrames: Int
    /// Whether filter swaps (`--control`, `SIGHUP`) may replace it.
    let swappable: Bool
    /// Output frames for an input of so many frames, when known.
    let outputLength: (Int) -> Int?
}

extension LiveCommand {
    /// Bytes a Float filter for `spec` takes live in periods of `period` frames: its weights,
    /// stream and engine.
    static func liveBytes(_ spec: Conv1dSpec, engine: Conv1dEngineChoice, period: Int) -> Int {
        Saturating.sum([spec.weightBytes(scalarSize: 4), spec.streamBytes(maxFrames: period, scalarSize: 4), spec.engineBytes(choice: engine, maxFrames: period, scalarSize: 4)])
    }

    /// The filter a swap asks for: `argument`'s preset resolved for the running capture (its
    /// rate and channels), as the run's first filter was; refused in one line for what a live
    /// run cannot take.
    static func swapSlot(
        _ argument: String, engine: Conv1dEngineChoice, arithmetic: Conv1dArithmetic, rate: Int, channels: Int, period: Int, workers: Bool,
        counters: LiveCounters, budget: MemoryBudget
    ) throws -> StageSlot {
        let (loaded, _) = try PresetOptions.load(argument)
        let filter = try loaded.resolve(rate: rate, channels: channels, engine: engine, arithmetic: arithmetic, resampler: ImpulseResponseFile.resampler)
        if filter.spec.paddingMode == .circular {
            throw LiveError("\(loaded.name) uses circular padding, which needs the whole signal")
        }
        if let presetRate = filter.rateMismatch {
            throw LiveError("\(loaded.name) was made for \(presetRate) Hz, the run captures at \(rate) Hz")
        }
        try budget.check(liveBytes(filter.spec, engine: engine, period: period), for: "swapping in \(filter.spec)")
        let conv = try filter.conv1d(as: Float.self)
        return StageSlot(name: filter.preset.name, stage: conv.makeStream(maxFrames: period),
                         workers: workers ? PartitionWorkers(rate: rate, counters: counters.workerCounters) : nil)
    }
}

/// A live run's refusal before it starts.
struct LiveError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
