import ArgumentParser
import StreamConv
import StreamConvIO
import StreamConvPresets

/// `streamconv run`: filters a file or a raw stream.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Filter a file (any format libsndfile reads) or raw float32 on stdin/stdout.",
        discussion: """
            The output keeps the input's format and sample type unless --out-format says \
            otherwise; a known extension (.wav, .flac, .ogg, .aiff, .caf, …) on --out chooses \
            the file type. It is written to a temporary file beside the target and moved into \
            place only when the run succeeds. '-' is raw interleaved float32 little-endian on \
            stdin or stdout. A one-line summary goes to stderr.
            """
    )

    @OptionGroup var presetOptions: PresetOptions

    @Option(name: .customLong("in"), help: ArgumentHelp("Input file, or - for raw float32 on stdin.", valueName: "file"))
    var input: String

    @Option(name: .customLong("out"), help: ArgumentHelp("Output file, or - for raw float32 on stdout.", valueName: "file"))
    var output: String

    @Option(help: ArgumentHelp("Frames per streaming block, or 'whole' for one whole-signal call.", valueName: "N|whole"))
    var block: BlockSize = .frames(4096)

    @Option(name: .customLong("out-format"), help: ArgumentHelp("Output sample type: \(SampleFormat.allCases.map(\.rawValue).joined(separator: ", ")).", valueName: "format"))
    var outFormat: SampleFormat?

    @Option(help: ArgumentHelp("Progress bar on stderr: auto (on a terminal, after a second), always, never.", valueName: "when"))
    var progress: ProgressMode = .auto

    @Option(help: ArgumentHelp("Sample rate of raw input (default: the preset's sample_rate, else 48000).", valueName: "Hz"))
    var rate: Int?

    func validate() throws {
        if let rate, rate < 1 { throw ValidationError("--rate must be at least 1, got \(rate)") }
    }

    func run() throws {
        let (preset, _) = try presetOptions.load()
        let conv = try preset.conv1d(as: Float.self)
        let spec = conv.spec
        let source: any AudioSource
        var inputFormat: Int32?
        if input == "-" {
            source = RawSource(channels: spec.inChannels, sampleRate: rate ?? preset.sampleRate ?? 48000)
        } else {
            let file = try SndFileSource(path: input)
            inputFormat = file.format
            source = file
        }
        try FilterPipeline.checkCompatible(source, spec: spec, presetRate: preset.sampleRate)
        let outRate = try FilterPipeline.outputRate(inputRate: source.sampleRate, stride: spec.stride)
        let sink: any AudioSink
        if output == "-" {
            sink = RawSink()
        } else {
            let format = SndFileSink.chooseFormat(path: output, inputFormat: inputFormat, sampleFormat: outFormat)
            let file = try SndFileSink(path: output, format: format, channels: spec.outChannels, sampleRate: outRate)
            InterruptCleanup.arm(removing: file.temporaryPath)
            sink = file
        }
        defer { InterruptCleanup.disarm() }
        let bar = ProgressBar(totalFrames: source.frameCount, sampleRate: source.sampleRate, mode: progress)
        let mode: FilterPipeline.Mode = switch block {
        case let .frames(n): .blocks(n)
        case .whole: .whole
        }
        let summary: RunSummary
        do {
            summary = try FilterPipeline.run(source: source, sink: sink, conv: conv, mode: mode, progress: bar.update)
        } catch {
            bar.clear()
            throw error
        }
        bar.clear()
        printError("\(preset.name): \(summary.line)")
    }
}

extension SampleFormat: ExpressibleByArgument {}
