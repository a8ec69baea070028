import ArgumentParser
import Foundation
import StreamConv
import StreamConvIO
import StreamConvPresets

extension RunCommand {
    /// `run` with a network preset: the same input, output, blocks, threads and precision as
    /// a filter, through the network as one stage.
    func runNetwork(_ chosen: NetworkPreset) throws {
        var network = chosen
        let budget = try MemoryBudget(option: maxMemory)
        let (source, file) = try openSource(preset: network.name, channels: network.acceptsAnyChannels ? nil : network.inChannels, rate: network.sampleRate)
        // A chain that starts with a filter acting on each channel alone takes the input's channels.
        if network.acceptsAnyChannels { network.inChannels = source.channels }
        if source.channels != network.inChannels {
            throw IOError.channels(path: source.name, got: source.channels, expected: network.inChannels)
        }
        if let fixed = network.sampleRate, fixed != source.sampleRate {
            guard allowRateMismatch else { throw IOError.sampleRate(path: source.name, got: source.sampleRate, preset: fixed) }
            printError("warning: \(source.name) is at \(source.sampleRate) Hz but the network was trained at \(fixed) Hz; running it anyway (--allow-rate-mismatch)")
        }
        let graphFloat = precision == .float ? try presetOptions.graph(network, as: Float.self, rate: source.sampleRate) : nil
        let graphDouble = precision == .double ? try presetOptions.graph(network, as: Double.self, rate: source.sampleRate) : nil
        let ratio = graphFloat?.ratio ?? graphDouble!.ratio
        let outputChannels = graphFloat?.outputChannels ?? graphDouble!.outputChannels
        let rawToRaw = input == "-" && output == "-"
        guard let outRate = ratio.wholeOutputRate(inputRate: source.sampleRate) ?? (rawToRaw ? source.sampleRate * ratio.outputs / ratio.inputs : nil) else {
            throw ValidationError("\(network.name) turns \(source.sampleRate) Hz into \(ratio.outputRate(inputRate: source.sampleRate)) Hz, which no file can hold; use an input rate the network's strides divide")
        }
        var expected: Int64?
        if let frames = source.frameCount {
            // The network refuses a signal too short for it (or with branches that end apart) before any output exists.
            expected = Int64(try graphFloat?.outputLength(inputLength: Int(clamping: frames)) ?? graphDouble!.outputLength(inputLength: Int(clamping: frames)))
        }
        let parameters = graphFloat.map { NetworkSummary($0).parameters } ?? NetworkSummary(graphDouble!).parameters
        try budget.check(Saturating.product([parameters, precision.bytes, 2]), for: "the weights of \(network.name)")
        let mode: FilterPipeline.Mode
        switch block {
        case let .frames(n): mode = .blocks(n)
        case .whole: mode = .whole
        }
        if let playback, let graph = graphFloat {
            if case .whole = block { throw ValidationError("--block whole cannot play in real time; leave --block out with --playback") }
            try dither.check(outputRate: outRate)
            try PlaybackRun(source: source, device: playback, format: playbackFormat.encoding, period: period, dither: dither, keepTail: true)
                .run(Network(graph, maxFrames: period), presetName: network.name)
            return
        }
        let sink = try makeSink(file: file, inputChannels: network.inChannels, outputChannels: outputChannels, rate: outRate, expectedFrames: expected)
        let bar = ProgressBar(totalFrames: source.frameCount, sampleRate: source.sampleRate, mode: progress)
        let summary: RunSummary
        do {
            if let graph = graphFloat {
                summary = try FilterPipeline.run(source: source, sink: sink, stage: Network(graph, maxFrames: mode.maxFrames), mode: mode, threads: threads, strict: strict, keepTail: true, progress: bar.update)
            } else {
                summary = try FilterPipeline.run(source: source, sink: sink, stage: Network(graphDouble!, maxFrames: mode.maxFrames), mode: mode, threads: threads, strict: strict, keepTail: true, progress: bar.update)
            }
        } catch {
            bar.clear()
            throw error
        }
        bar.clear()
        printError("\(network.name): \(summary.line)" + (precision == .double ? ", computed in double" : ""))
        if let warning = summary.truncationWarning { printError("\(source.name): \(warning)") }
        Self.warnDropped(sink, output: output)
    }
}
