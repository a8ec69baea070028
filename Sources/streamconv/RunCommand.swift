import ArgumentParser
import Foundation
import StreamConv
import StreamConvALSA
import StreamConvLive
import StreamConvIO
import StreamConvPresets

/// `streamconv run`: filters a file or a raw stream.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Filter a file (any format libsndfile reads) or raw samples on stdin/stdout.",
        discussion: """
            The output keeps the input's container and sample type unless told otherwise: a \
            known extension on --out (or --type) chooses the container, --out-format the sample \
            type. A new or regular output file is written under a temporary name and moved into \
            place only when the run succeeds; a symlink's target is replaced the same way; a \
            FIFO, socket or character device (/dev/null) is written directly. --in - reads \
            stdin: an audio stream (WAV, AIFF, AU, CAF, W64, FLAC, Ogg, MP3: known by its first \
            bytes), or raw interleaved little-endian samples when --raw-format, --channels or \
            --rate is given (raw input needs --channels and --rate unless the preset fixes \
            them). --out - writes raw samples to stdout, or a stream with --type wav|au|flac|ogg. \
            A one-line summary goes to stderr.
            """
    )

    @OptionGroup var presetOptions: PresetOptions

    @Option(parsing: .unconditional, help: ArgumentHelp("Gain in dB after the preset(s), as a last node of the chain.", valueName: "dB"))
    var gain: Double?

    @Option(name: [.customLong("in"), .customShort("i")], help: ArgumentHelp("Input file, or - for stdin (an audio stream, or raw samples with --raw-format/--channels/--rate).", valueName: "file"), completion: ShellCompletion.audioFile)
    var input: String

    @Option(name: [.customLong("out"), .customShort("o")], help: ArgumentHelp("Output file, or - for raw samples on stdout.", valueName: "file"), completion: ShellCompletion.audioFile)
    var outputOption: String?

    @Option(name: [.long, .customShort("P")], help: ArgumentHelp("Play through an ALSA device in real time instead of writing --out (as sox's play does).", valueName: "device"), completion: ShellCompletion.device)
    var playback: String?

    @Option(name: .customLong("playback-format"), help: ArgumentHelp("Sample format for --playback: \(DeviceEncodingArgument.nameList).", valueName: "F"))
    var playbackFormat = DeviceEncodingArgument(encoding: .s16)

    @Option(parsing: .unconditional, help: ArgumentHelp("Frames per period for --playback.", valueName: "N"))
    var period = 1024

    /// `--out`, or "" with --playback (validate() makes sure one is given).
    var output: String { outputOption ?? "" }

    @Flag(name: .customLong("in-place"), help: "Allow --out to be the input file; it is replaced once the output is complete.")
    var inPlace = false

    @Option(name: [.long, .customShort("b")], parsing: .unconditional, help: ArgumentHelp("Frames per streaming block, or 'whole' for one whole-signal call.", valueName: "N|whole"))
    var block: BlockSize = .frames(4096)

    @Option(name: .customLong("out-format"), help: ArgumentHelp("Output sample type: \(FileEncodingArgument.nameList).", valueName: "format"))
    var outFormat: FileEncodingArgument?

    @Option(name: [.customLong("type"), .customShort("t")], help: ArgumentHelp("Output container when the extension does not say: \(Container.nameList).", valueName: "container"))
    var container: String?

    @Option(name: .customLong("raw-format"), help: ArgumentHelp("Sample type of raw input and output (-): f32 (the default), f64, s16, s32.", valueName: "format"))
    var rawFormat: RawEncodingArgument?

    @Option(name: [.long, .customShort("r")], parsing: .unconditional, help: ArgumentHelp("Sample rate of raw input (required unless the preset has a sample_rate).", valueName: "Hz"))
    var rate: Int?

    @Option(name: [.long, .customShort("c")], parsing: .unconditional, help: ArgumentHelp("Channels of raw input (required unless the preset fixes in_channels; a single-channel or depthwise design takes any count).", valueName: "C"))
    var channels: Int?

    @Option(help: ArgumentHelp("Arithmetic of the filter: float (as PyTorch's float32 Conv1d), double (samples read and computed in double; --out-format double keeps them).", valueName: "type"))
    var precision: Precision = .float

    @Option(help: ArgumentHelp("Noise before rounding to integer output: auto (tpdf for 16 bits or fewer, none above), tpdf (±1 LSB triangular), shaped (tpdf with Lipshitz's noise shaping, 44.1 kHz), none.", valueName: "kind"))
    var dither: Dither = .auto

    @Option(help: ArgumentHelp("Samples outside the integer output range: count (clip and report), error (stop, no output).", valueName: "policy"))
    var clip: ClipPolicy = .count

    @Option(parsing: .unconditional, help: ArgumentHelp("Quality of lossy encoders (Vorbis, Opus, MP3), 0 (smallest) to 1 (best).", valueName: "Q"))
    var quality: Double?

    @Option(parsing: .unconditional, help: ArgumentHelp("FLAC compression level, 0 (fastest) to 1 (smallest).", valueName: "C"))
    var compression: Double?

    @Flag(help: "An input shorter than its header promises is an error (no output), not a warning.")
    var strict = false

    @Flag(name: .customLong("allow-rate-mismatch"), help: "Run a preset made for another sample rate anyway (with a warning).")
    var allowRateMismatch = false

    @Option(name: .customLong("max-memory"), help: ArgumentHelp("Refuse plans needing more memory than this (e.g. 4G); default half the RAM.", valueName: "size"))
    var maxMemory: ByteCount?

    @Option(help: ArgumentHelp("Progress bar on stderr: auto (on a terminal, after a second), always, never.", valueName: "when"))
    var progress: ProgressMode = .auto

    @Option(name: [.long, .customShort("j")], parsing: .unconditional, help: ArgumentHelp("Threads to filter on (default: the machine's cores): channels or groups side by side, or time segments with --block whole. The output is the same bit for bit.", valueName: "N"))
    var threads: Int = ProcessInfo.processInfo.activeProcessorCount

    func validate() throws {
        try RepeatedOptions.refuse(["--in", "--out", "--gain", "--block", "--out-format", "--type", "--raw-format", "--rate", "--channels", "--playback", "--precision"])
        if (outputOption == nil) == (playback == nil) { throw ValidationError("give exactly one of --out FILE|- and --playback DEVICE") }
        if playback != nil && (outFormat != nil || container != nil) { throw ValidationError("--out-format and --type are for --out FILE; --playback takes --playback-format") }
        if playback != nil && precision == .double { throw ValidationError("--precision double is for --out; --playback runs in float") }
        if !(1...1024).contains(threads) { throw ValidationError("--threads must be 1 to 1024, got \(threads)") }
        if !(1...65536).contains(period) { throw ValidationError("--period must be 1 to 65536 frames, got \(period)") }
        try block.validate()
        if let channels {
            guard input == "-" else {
                throw ValidationError("--channels is for raw input (--in -); a file's channel count comes from its header")
            }
            guard (1...1024).contains(channels) else { throw ValidationError("--channels must be 1 to 1024, got \(channels)") }
        }
        if let rate {
            guard input == "-" else {
                throw ValidationError("--rate is for raw input (--in -); a file's rate comes from its header")
            }
            try SampleRate.validate(rate, name: "--rate")
        }
        if output == "-" && outFormat != nil && container == nil {
            throw ValidationError("--out-format is for file output and streams (--out - --type wav); raw output (--out -) takes --raw-format f32|f64|s16|s32")
        }
        if output == "-" && container != nil && rawFormat != nil && input != "-" {
            throw ValidationError("--raw-format is for raw output; a stream (--out - --type) takes --out-format")
        }
        if rawFormat != nil && input != "-" && output != "-" {
            throw ValidationError("--raw-format is for raw input or output (-); files carry their own sample type")
        }
        if let container, Container.named(container) == nil {
            throw ValidationError("--type \(container) is not a container; use one of \(Container.nameList)")
        }
        for (name, value) in [("--quality", quality), ("--compression", compression)] {
            if let value, !(0...1).contains(value) { throw ValidationError("\(name) must be between 0 and 1, got \(value)") }
        }
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
        var spec = loaded.spec
        let budget = try MemoryBudget(option: maxMemory)

        // The input is opened and checked against the spec before anything large is built.
        let (source, file) = try openSource(preset: loaded.name, channels: loaded.acceptsAnyChannels ? nil : spec.inChannels, rate: loaded.sampleRate)
        // The preset for this input: its length at the input's rate, a filter that acts on
        // each channel alone widened to the input's channels.
        let filter = try loaded.resolve(rate: source.sampleRate, channels: source.channels, engine: presetOptions.engine, arithmetic: presetOptions.arithmetic,
                                        resampler: ImpulseResponseFile.resampler)
        let preset = filter.preset
        spec = filter.spec
        let broadcast = filter.broadcast
        if let frames = source.frameCount { try spec.validateInputLength(Int(clamping: frames)) }
        let rawToRaw = input == "-" && output == "-"
        if let fixed = preset.fixedRate, fixed != source.sampleRate, allowRateMismatch {
            printError("warning: \(source.name) is at \(source.sampleRate) Hz but the preset was made for \(fixed) Hz; running it anyway (--allow-rate-mismatch)")
        }
        try FilterPipeline.checkCompatible(source, spec: spec, presetRate: allowRateMismatch ? nil : preset.fixedRate, requireWholeOutputRate: !rawToRaw)

        let mode: FilterPipeline.Mode
        var wholeLimit = Int64.max
        let scalar = precision.bytes
        let weightBytes = spec.weightBytes(scalarSize: scalar)
        switch block {
        case let .frames(n):
            mode = .blocks(n)
            // A read of FilterPipeline.readFrames (or one block) in, its outputs gathered from
            // the lanes out, and each lane's block buffers.
            let chunk = n * max(1, FilterPipeline.readFrames / n)
            let io = Saturating.product([chunk + n, spec.inChannels + 2 * spec.outChannels, scalar * 2])
            let engine = spec.engineBytes(choice: presetOptions.engine, maxFrames: n, scalarSize: scalar)
            try budget.check(Saturating.sum([weightBytes, spec.streamBytes(maxFrames: n, scalarSize: scalar), engine, io]), for: "streaming \(spec) in blocks of \(n) frames")
        case .whole:
            mode = .whole
            // The signal read, its padded copy and the output, per input frame.
            let perFrame = Saturating.product([scalar, Saturating.sum([3 * spec.inChannels, 2 * spec.outChannels])])
            // The engine, and a workspace for each segment that may run at once.
            let engine = Conv1dEngines.estimatedBytes(
                spec: spec, choice: presetOptions.engine, scalarSize: scalar,
                workspaces: Array(repeating: Conv1dSegments<Float>.tileOutputs(spec), count: threads))
            if let frames = source.frameCount {
                let need = Saturating.sum([weightBytes, engine, spec.forwardBytes(inputLength: Int(frames), scalarSize: scalar), Saturating.product([Int(frames), perFrame])])
                try budget.check(need, for: "--block whole on \(frames) frames")
            }
            wholeLimit = Int64(max(0, budget.limit - weightBytes - engine) / max(1, perFrame))
        }
        try budget.check(weightBytes, for: "the weights of \(spec)")

        let prepared: PreparedFilter = switch precision {
        case .float: .float(try filter.conv1d(as: Float.self))
        case .double: .double(try filter.conv1d(as: Double.self))
        }

        if let playback, case let .float(conv) = prepared {
            if case .whole = block { throw ValidationError("--block whole cannot play in real time; leave --block out with --playback") }
            try dither.check(outputRate: source.sampleRate / spec.stride)
            try PlaybackRun(source: source, device: playback, format: playbackFormat.encoding, period: period, dither: dither, keepTail: preset.keepsTail)
                .run(conv.makeStream(maxFrames: period), presetName: preset.name)
            return
        }
        let outRate = rawToRaw ? source.sampleRate / spec.stride : try FilterPipeline.outputRate(inputRate: source.sampleRate, stride: spec.stride)
        var expected: Int64?
        if let frames = source.frameCount {
            expected = preset.keepsTail
                ? try? Int64(spec.outputLength(inputLength: Int(frames))) : Int64(spec.outputsBeforeTail(inputLength: Int(frames)))
        }
        let sink = try makeSink(file: file, inputChannels: spec.inChannels, outputChannels: spec.outChannels, rate: outRate, expectedFrames: expected)
        let bar = ProgressBar(totalFrames: source.frameCount, sampleRate: source.sampleRate, mode: progress)
        let summary: RunSummary
        do {
            summary = switch prepared {
            case let .float(conv):
                try FilterPipeline.run(source: source, sink: sink, stage: conv.makeStream(maxFrames: mode.maxFrames), mode: mode, threads: threads, strict: strict, wholeLimit: wholeLimit, keepTail: preset.keepsTail, progress: bar.update)
            case let .double(conv):
                try FilterPipeline.run(source: source, sink: sink, stage: conv.makeStream(maxFrames: mode.maxFrames), mode: mode, threads: threads, strict: strict, wholeLimit: wholeLimit, keepTail: preset.keepsTail, progress: bar.update)
            }
        } catch {
            bar.clear()
            throw error
        }
        bar.clear()
        printError("\(preset.name): \(summary.line)" + (precision == .double ? ", computed in double" : "")
            + (broadcast.map { ", single-channel filter applied to each of \($0) channels" } ?? "")
            + (ImpulseResponseFile.resamplingNote(preset).map { ", " + $0 } ?? ""))
        if let warning = summary.truncationWarning { printError("\(source.name): \(warning)") }
        Self.warnDropped(sink, output: output)
    }
}

extension RunCommand {
    /// The input: a file, or stdin. Stdin is an audio stream (WAV, FLAC, AU…, known by its
    /// first bytes) unless raw samples are asked for; raw samples take `--channels` and
    /// `--rate`, or what the preset fixes (`channels`, `rate`; nil: not fixed), never a guess.
    func openSource(preset name: String, channels fixedChannels: Int?, rate fixedRate: Int?) throws -> (any AudioSource, SndFileSource?) {
        guard input == "-" else {
            let opened = try SndFileSource(path: SystemPath.fromArgument(input))
            return (opened, opened)
        }
        let probe = try InputProbe.peek(0, name: "stdin")
        let rawAsked = rawFormat != nil || channels != nil || rate != nil
        if let container = probe.container, !rawAsked {
            guard probe.isPipeOrFile else {
                throw IOError.open(path: "stdin", reason: "it starts like \(container.phrase) file but is neither a pipe nor a file; pipe it in or give it with --in FILE")
            }
            let stream = try SndFileSource(stream: 0, name: "stdin", container: container)
            return (stream, stream)
        }
        guard let channels = channels ?? fixedChannels, let rate = rate ?? fixedRate else {
            let fixes = switch (fixedChannels, fixedRate) {
            case let (c?, nil): "the channel count (\(c)) but not the rate"
            case let (nil, r?): "the rate (\(r) Hz) but not the channel count"
            default: "neither"
            }
            throw ValidationError("raw input (--in -) needs --channels C and --rate HZ: \(name) fixes \(fixes); give them (or pipe a self-describing stream: \(StreamContainer.nameList))")
        }
        let raw = RawSource(channels: channels, sampleRate: rate, format: rawFormat?.encoding ?? .f32, head: probe.consumed ? probe.head : [])
        raw.immediate = true
        guard try raw.hasData() else { throw Conv1dError.emptyInput }
        return (raw, nil)
    }

    /// The output: raw samples on stdout, or a file in the input's format unless told
    /// otherwise, with the input's metadata.
    func makeSink(file: SndFileSource?, inputChannels: Int, outputChannels: Int, rate outRate: Int, expectedFrames: Int64?) throws -> any AudioSink {
        try dither.check(outputRate: outRate)
        // Raw input's sample type is the input's sample type, as a file's is.
        let rawEncoding = file == nil ? rawFormat?.encoding ?? .f32 : nil
        if output == "-" {
            guard container != nil else { return RawSink(format: rawFormat?.encoding ?? .f32, dither: dither, clip: clip) }
        }
        let path = output == "-" ? SystemPath("stdout") : SystemPath.fromArgument(output)
        let format = try Container.outputFormat(
            path: path, type: container, input: file?.format, sampleFormat: outFormat?.encoding ?? rawEncoding,
            channels: outputChannels, rate: outRate)
        var settings = SndFileSink.Settings(format: format)
        settings.dither = dither
        settings.clip = clip
        settings.quality = quality
        settings.compression = compression
        settings.metadata = file?.metadata ?? AudioMetadata()
        if outputChannels != inputChannels { settings.metadata.channelMap = nil }
        // Cue points, loops and the bext time reference count samples: a strided filter's
        // output has fewer.
        if let file { settings.metadata.rescalePositions(outputs: outRate, inputs: file.sampleRate) }
        settings.metadata.strings[.software] = "streamconv \(StreamConvVersion.string)"
        settings.expectedFrames = expectedFrames
        if output == "-" {
            return try StreamOutput.sink(format: format, settings: settings, channels: outputChannels, rate: outRate)
        }
        let outputFile = try OutputFile(path: path, input: file?.identity, inPlace: inPlace)
        return try SndFileSink(output: outputFile, settings: settings, channels: outputChannels, sampleRate: outRate)
    }
}

extension RunCommand {
    /// One line for the input's metadata the output's format could not hold.
    static func warnDropped(_ sink: any AudioSink, output: String) {
        guard let file = sink as? SndFileSink, !file.droppedMetadata.isEmpty else { return }
        let names = file.droppedMetadata
        let list = names.count == 1 ? names[0] : names.dropLast().joined(separator: ", ") + " and " + names.last!
        printError("warning: \(output == "-" ? "stdout" : output) cannot hold the input's \(list); not copied (a .wav output keeps them)")
    }
}

/// The filter in the precision asked for, made before the output is opened (a FIFO's reader
/// must not see an output that then fails for a bad weights file).
enum PreparedFilter {
    case float(Conv1d<Float>)
    case double(Conv1d<Double>)
}

/// `--precision`: the sample type the filter computes in.
enum Precision: String, CaseIterable, ExpressibleByArgument {
    case float, double

    /// Bytes per sample.
    var bytes: Int { self == .float ? 4 : 8 }
}

extension Dither: ExpressibleByArgument {}
extension ClipPolicy: ExpressibleByArgument {}
