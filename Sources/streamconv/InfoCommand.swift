import ArgumentParser
import Foundation
import StreamConv
import StreamConvIO
import StreamConvPresets

/// `streamconv info`: what a preset is.
struct InfoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info", abstract: "Describe a preset: its Conv1d, weights, latency, output length and memory.")

    @OptionGroup var presetOptions: PresetOptions

    @Option(name: [.long, .customShort("r")], parsing: .unconditional, help: ArgumentHelp("Sample rate to describe it at (default: the preset's, else 48000); designs are made at it.", valueName: "Hz"))
    var rate: Int?

    @Option(name: [.long, .customShort("c")], parsing: .unconditional, help: ArgumentHelp("Input channel count (a single-channel filter takes any).", valueName: "C"))
    var channels: Int?

    @Option(help: ArgumentHelp("Write the magnitude response as an SVG picture (of a filter, or of a linear network such as a chain of filters).", valueName: "FILE.svg"), completion: .file(extensions: ["svg"]))
    var plot: String?

    @Flag(help: "Print the facts as JSON, for scripts.")
    var json = false

    /// Filters whose response is listed (all of them go into the JSON up to this many).
    static let responseLimit = 64

    func validate() throws {
        if let rate { try SampleRate.validate(rate, name: "--rate") }
        if let channels, channels < 1 { throw ValidationError("--channels must be at least 1, got \(channels)") }
    }

    /// Describes the preset from its spec alone: weights made by `init` are never drawn, so a
    /// preset of any size is described at once.
    func run() throws {
        let (document, path) = try presetOptions.loadDocument()
        let loaded: Preset
        switch document {
        case let .network(network):
            try describe(network, path: path)
            return
        case let .filter(preset):
            loaded = preset
        }
        let filter = try loaded.resolve(rate: rate, channels: channels, engine: presetOptions.engine, arithmetic: presetOptions.arithmetic,
                                        resampler: ImpulseResponseFile.resampler)
        let (preset, spec, rate) = (filter.preset, filter.spec, filter.rate)
        if let channels, channels != spec.inChannels {
            throw ValidationError("--channels \(channels): this preset takes exactly \(spec.inChannels) input channels")
        }
        if let fixed = filter.rateMismatch {
            throw ValidationError("--rate \(rate): the preset was made for \(fixed) Hz")
        }
        let outRate = try spec.outputRate(inputRate: rate)
        // Responses need the weights: drawn for init presets only when they are small.
        var responses: [FilterResponse] = []
        var conv: Conv1d<Double>?
        if spec.weightBytes(scalarSize: 8) <= 64 << 20 {
            let built = try filter.conv1d(as: Double.self)
            conv = built
            responses = FilterResponse.all(built, rate: rate, limit: Self.responseLimit)
        }
        if let plot {
            var cutoffs: [Double] = []
            if case let .design(design) = preset.source { cutoffs = design.cutoff }
            let svg = ResponsePlot.svg(title: "\(preset.name): \(spec)", responses: Array(responses.prefix(16)), rate: rate,
                                       latency: spec.latency, cutoffs: cutoffs)
            let sink = SystemPath.fromArgument(plot)
            let output = try OutputFile(path: sink)
            try output.write(Array(svg.utf8))
            try output.commit()
        }
        if json {
            try printJSON(preset: preset, spec: spec, rate: rate, outRate: outRate, responses: responses, conv: conv)
            return
        }
        print("name:          \(preset.name)")
        if !preset.description.isEmpty { print("description:   \(preset.description)") }
        print("file:          \(path)")
        print("conv1d:        \(spec)")
        print("padding:       \(spec.padLeft) left, \(spec.padRight) right (\(spec.paddingMode))")
        print("weight:        [\(spec.weightShape.map(String.init).joined(separator: "]["))]" + (spec.bias ? " + bias[\(spec.outChannels)]" : ", no bias"))
        switch preset.source {
        case .explicit: print("weights from:  the preset file")
        case let .initialization(seed): print("weights from:  PyTorch's default U(-√k, √k) init, seed \(seed)")
        case let .safetensors(path, prefix):
            _ = try preset.weights(as: Float.self)
            print("weights from:  \(path)" + (prefix.isEmpty ? "" : ", tensors \(prefix)weight" + (spec.bias ? ", \(prefix)bias" : "")) + " (checked)")
        case let .taps(path, soxAligned):
            _ = try preset.weights(as: Float.self)
            print("weights from:  \(path) (taps, checked" + (soxAligned ? "; an even count, a zero tap appended to land as sox's fir does" : "") + ")")
        case let .design(design):
            let designedAt = preset.sampleRate.map { "\($0) Hz" } ?? "the input's rate"
            print("weights from:  FIR design, \(design.kind.rawValue)" + (design.cutoff.isEmpty ? "" : " at \(design.cutoff.map { String(format: "%g", $0) }.joined(separator: "–")) Hz")
                + (design.phase == .minimum ? ", minimum phase" : "") + ", designed at \(designedAt)")
            if let (a, width) = design.kaiserLength {
                print("               \(spec.kernelSize) taps at \(rate) Hz by Kaiser's formula (\(String(format: "%g", a)) dB, \(String(format: "%g", width)) Hz transition); the length follows the input's rate")
            }
        case let .impulseResponse(path, response, tail):
            print("weights from:  \(path) (impulse response: \(response.channels[0].count) samples × \(response.channels.count) channel\(response.channels.count == 1 ? "" : "s") at \(response.sampleRate) Hz, convolved"
                + (response.routing == .perChannel ? ")" : "; \(response.routing == .trueStereo ? "true stereo: L→L, L→R, R→L, R→R" : "mono to stereo: mono→L, mono→R"))"))
            print("tail:          " + (tail ? "kept: the output is L + \(spec.kernelSize - 1) frames, the reverb's decay included" : "dropped (\"tail\": false): the output is exactly as long as the input"))
        case let .npy(weight, bias):
            _ = try preset.weights(as: Float.self)
            print("weights from:  \(weight)" + (bias.map { " + \($0)" } ?? "") + " (checked)")
        case let .perOutput(outputs):
            print("weights from:  a FIR design per output, designed at the input's rate:")
            for (o, output) in outputs.enumerated() {
                let d = output.design
                let what = d.kind.rawValue + (d.cutoff.isEmpty ? "" : " at \(d.cutoff.map { String(format: "%g", $0) }.joined(separator: "–")) Hz")
                print("               out \(o) ← in \(output.input): \(what)" + output.subtract.map { " − out \($0)" }.joined())
            }
        case let .resampledTaps(path, taps):
            print("weights from:  \(path) (taps, \(taps.count) after resampling)")
        }
        if let from = preset.resampledFrom, let to = preset.sampleRate {
            print("resampled:     from \(from) Hz to \(to) Hz at load (\(SoxrResampler.quality)), scaled by \(String(format: "%g", Double(from) / Double(to))) so the response keeps its gain; \"resample\": false refuses other rates instead")
        }
        if let rate = preset.sampleRate {
            // The preset decoder already refused a rate the stride does not divide.
            print("sample rate:   \(rate) Hz in, \(try spec.outputRate(inputRate: rate)) Hz out (" + (preset.resampledFrom == nil ? "fixed by the preset)" : "the response resampled to it)"))
        }
        let latency = spec.latency
        let latencyText = preset.sampleRate.map { " (\(String(format: "%.2f", Double(latency) * 1000 / Double($0))) ms)" } ?? ""
        print("latency:       \(latency) input frames\(latencyText)")
        if let saved = Self.latencySaved(preset) {
            print(String(format: "               minimum phase: %d frames (%.2f ms at %d Hz) less than the linear-phase design; causal, the output as long as the input", saved, Double(saved) * 1000 / Double(rate), rate))
        }
        let engine = engineDescription(spec: spec, built: conv)
        print("engine:        \(engine.name) (\(engine.reason))")
        if spec.paddingMode == .reflect && spec.padLeft > latency {
            print("               the first output waits for \(spec.padLeft + 1) input frames (reflect padding)")
        }
        if spec.paddingMode == .circular && spec.padLeft > 0 {
            print("               circular padding: the first \((spec.padLeft + spec.stride - 1) / spec.stride) outputs are known only at the end of the input")
        }
        if preset.keepsTail {
            print("output length: floor((L + \(spec.padLeft + spec.padRight) - \(spec.receptiveField)) / \(spec.stride)) + 1 for an input of L frames, L ≥ \(spec.minimumInputLength)")
        } else {
            print("output length: L for an input of L frames")
        }
        print("parameters:    \(spec.weightShape.reduce(1, *) + (spec.bias ? spec.outChannels : 0)), receptive field \(spec.receptiveField) frames, output \(outRate) Hz at \(rate) Hz in")
        for r in responses.prefix(16) {
            let gains = Self.probeFrequencies(rate: rate).map { String(format: "%@ %+.1f dB", Self.hz($0), r.decibels(at: $0)) }
            let corners = r.minus3dBPoints().map(Self.hz)
            print("response:      out \(r.output) ← in \(r.input): " + gains.joined(separator: ", ") + (corners.isEmpty ? "" : "; −3 dB at " + corners.joined(separator: ", ")))
        }
        if responses.count > 16 { print("               (\(spec.outChannels * spec.inChannelsPerGroup - 16) more filters; --json lists up to \(Self.responseLimit))") }
        let weights = spec.weightBytes(scalarSize: 4)
        let engineBytes = spec.engineBytes(choice: presetOptions.engine, maxFrames: 4096, scalarSize: 4)
        let stream = Saturating.sum([weights, spec.streamBytes(maxFrames: 4096, scalarSize: 4), engineBytes])
        print("memory:        weights \(ByteCount(bytes: weights).text); streaming in 4096-frame blocks \(ByteCount(bytes: stream).text) (Float)"
            + (engineBytes > 0 ? ", of which the engine's \(ByteCount(bytes: engineBytes).text)" : ""))
    }

    /// The engine this preset runs on, and why: `auto`'s rule, or the `--engine` asked for
    /// (the FFT engine falls back to direct where it does not apply).
    func engineDescription(spec: Conv1dSpec, built: Conv1d<Double>?) -> (name: String, reason: String) {
        let choice = presetOptions.engine
        let (asked, why) = choice == .auto ? Conv1dEngines.choose(spec: spec) : (choice, "")
        let name = Conv1dEngines.resolve(spec: spec, choice: choice).rawValue
        var reason = choice == .auto ? "auto: \(why)" : "--engine \(choice)"
        if asked == .fft, let unsuitable = Conv1dEngines.fftUnsuitable(spec) {
            reason += "; " + unsuitable
        }
        if presetOptions.arithmetic == .fused {
            reason += "; --arithmetic fused (one fused multiply-add per term)"
        }
        if let engine = built?.engine.details, let layout = engine.layout, let bound = engine.normBound {
            reason += "; blocks \(layout), no added latency, error ≤ \(Int(bound))·u·‖h‖₂·‖x‖₂"
        }
        return (name, reason)
    }

    /// 100 Hz, 1 kHz, 10 kHz… below Nyquist.
    static func probeFrequencies(rate: Int) -> [Double] {
        [50.0, 100, 1000, 5000, 10000, 15000, 20000].filter { $0 < Double(rate) / 2 }
    }

    /// For a minimum-phase design, the latency its linear-phase version ('same' padding) has.
    static func latencySaved(_ preset: Preset) -> Int? {
        guard case let .design(design) = preset.source, design.phase == .minimum else { return nil }
        return (preset.spec.kernelSize - 1) * preset.spec.dilation / 2 - preset.spec.latency
    }

    static func hz(_ f: Double) -> String {
        f >= 1000 ? String(format: "%g kHz", (f / 10).rounded() / 100) : String(format: "%.0f Hz", f)
    }

    func printJSON(preset: Preset, spec: Conv1dSpec, rate: Int, outRate: Int, responses: [FilterResponse], conv: Conv1d<Double>?) throws {
        let weighted = conv != nil
        let engine = engineDescription(spec: spec, built: conv)
        var facts: [String: Any] = [
            "name": preset.name, "description": preset.description, "conv1d": spec.description,
            "in_channels": spec.inChannels, "out_channels": spec.outChannels, "kernel_size": spec.kernelSize,
            "stride": spec.stride, "dilation": spec.dilation, "groups": spec.groups, "padding_mode": spec.paddingMode.rawValue,
            "pad_left": spec.padLeft, "pad_right": spec.padRight,
            "parameters": spec.weightShape.reduce(1, *) + (spec.bias ? spec.outChannels : 0),
            "receptive_field": spec.receptiveField, "sample_rate": rate, "output_rate": outRate,
            "latency_frames": spec.latency, "latency_ms": Double(spec.latency) * 1000 / Double(rate),
            "minimum_input_frames": spec.minimumInputLength, "keeps_tail": preset.keepsTail,
            "engine": engine.name, "engine_reason": engine.reason,
        ]
        if case let .design(design) = preset.source { facts["phase"] = design.phase.rawValue }
        if let from = preset.resampledFrom {
            facts["resampled_from_hz"] = from
            facts["resampler"] = SoxrResampler.quality
        }
        if let saved = Self.latencySaved(preset) {
            facts["latency_saved_frames"] = saved
            facts["latency_saved_ms"] = Double(saved) * 1000 / Double(rate)
        }
        if weighted {
            facts["responses"] = responses.map { r -> [String: Any] in
                [
                    "output": r.output, "input": r.input,
                    "gain_db": Dictionary(uniqueKeysWithValues: Self.probeFrequencies(rate: rate).map { (String(Int($0)), r.decibels(at: $0)) }),
                    "minus_3db_hz": r.minus3dBPoints(),
                ]
            }
        }
        let data = try JSONSerialization.data(withJSONObject: facts, options: [.prettyPrinted, .sortedKeys])
        print(String(decoding: data, as: UTF8.self))
    }
}
