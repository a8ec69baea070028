import StreamConv

/// A filter described by one JSON file (see `presets/README.md` for the schema): the
/// `torch.nn.Conv1d` hyper-parameters under `conv1d`, plus exactly one source of weights.
public struct Preset: Sendable {
    /// Shown by `streamconv presets` and `info`; the file stem when the file has none.
    public var name: String
    /// One line for humans.
    public var description: String
    /// The rate the weights were made for; `nil` when they do not depend on one.
    public var sampleRate: Int?
    /// The hyper-parameters.
    public var spec: Conv1dSpec
    /// Where the weights come from.
    public var source: WeightSource
    /// Whether an impulse response or taps file made at `sample_rate` is resampled to an
    /// input at another rate (``resampled(to:with:)``); `"resample": false` refuses such an
    /// input instead.
    public var resample = true
    /// The rate the response was made at, when it was resampled to ``sampleRate``.
    public internal(set) var resampledFrom: Int?
    /// The state dicts opened for the weights, shared by copies of this preset.
    let stateDicts = StateDictCache()

    /// Decodes a preset strictly: unknown keys, wrong types, missing keys and inconsistent
    /// shapes are errors naming the key path.
    /// - Parameters:
    ///   - text: the JSON document.
    ///   - defaultName: the name when the document has none (the file stem).
    ///   - directory: the folder relative paths in the preset (`weights`, a `.npy` `bias`) start from.
    ///   - impulseResponses: reads the audio file of an `impulse_response` preset (this module
    ///     reads no audio itself); such a preset is refused without one.
    public init(json text: String, defaultName: String, file: String = "preset", directory: String = ".", impulseResponses: ImpulseResponseReader? = nil) throws(PresetError) {
        let root: JSONValue
        do {
            root = try JSONValue.parse(text)
        } catch {
            throw .syntax(file: file, error)
        }
        try self.init(root, defaultName: defaultName, directory: directory, impulseResponses: impulseResponses)
    }

    /// Decodes a parsed document (see ``init(json:defaultName:file:directory:impulseResponses:)``).
    public init(_ root: JSONValue, defaultName: String, directory: String = ".", impulseResponses: ImpulseResponseReader? = nil) throws(PresetError) {
        if NetworkPreset.isNetwork(root) {
            throw .invalid(path: "network", expected: "a one-filter preset (schema version 1) here; load network presets with PresetLibrary.loadDocument", got: "a network preset")
        }
        let top = try ObjectReader(root, path: "preset", allowed: [
            "name", "description", "sample_rate", "conv1d",
            "weight", "bias", "weights", "weights_prefix", "design", "init", "taps", "impulse_response", "tail", "resample", "routing", "outputs",
        ])
        func resolve(_ relative: String) -> String { relative.hasPrefix("/") ? relative : directory + "/" + relative }
        name = try top.optional("name") { v, p throws(PresetError) in try v.string(p) } ?? defaultName
        description = try top.optional("description") { v, p throws(PresetError) in try v.string(p) } ?? ""
        sampleRate = try top.optional("sample_rate") { v, p throws(PresetError) in try v.int(p, min: 1, max: Int(Int32.max)) }
        if let r = top.value("resample") {
            guard top.has("impulse_response") || top.has("taps") else {
                throw .invalid(path: "resample", expected: "resample only with impulse_response or taps (the responses made at one rate)", got: "resample with \(["weight", "weights", "design", "init"].first(where: top.has) ?? "no weights")")
            }
            resample = try r.bool("resample")
        }
        if top.has("impulse_response") {
            (spec, source) = try Self.decodeImpulseResponse(top, sampleRate: &sampleRate, resolve: resolve, reader: impulseResponses)
            return
        }
        if top.has("tail") {
            throw .invalid(path: "tail", expected: "tail only with impulse_response", got: "tail without impulse_response")
        }
        if top.has("routing") {
            throw .invalid(path: "routing", expected: "routing only with impulse_response", got: "routing without impulse_response")
        }
        let conv1dValue = try top.required("conv1d")
        var ruleLength: Int?
        if case let .object(pairs) = conv1dValue, !pairs.contains(where: { $0.0 == "kernel_size" }), let d = top.value("design") {
            // A design may leave kernel_size out and let Kaiser's formula choose it at the
            // preset's rate (and again at the input's rate, see at(rate:)).
            let design = try Self.parseDesign(d)
            guard design.kaiserLength != nil else {
                throw .invalid(path: "conv1d.kernel_size", expected: "a kernel_size, or a design with window kaiser, attenuation_db and transition_hz to choose it", got: "nothing")
            }
            do {
                ruleLength = try design.length(rate: sampleRate ?? Self.designRate)
            } catch {
                throw .design(path: "design", expected: "a design that can be made", error)
            }
        }
        spec = try Self.decodeSpec(conv1dValue, path: "conv1d", kernelSize: ruleLength)
        if let sampleRate {
            do {
                _ = try spec.outputRate(inputRate: sampleRate)
            } catch {
                throw .conv1d(path: "sample_rate", error)
            }
        }

        let sources = ["weight", "weights", "design", "init", "taps", "outputs"].filter(top.has)
        guard sources.count == 1 else { throw .weightSources(found: sources) }
        let npyWeights = sources[0] == "weights" && (try? top.required("weights").string("weights"))?.lowercased().hasSuffix(".npy") == true
        if top.has("bias") && sources[0] != "weight" && !npyWeights {
            throw .invalid(path: "bias", expected: "no bias outside a weight/bias or .npy preset (\(sources[0]) gives its own)", got: "a bias")
        }
        if top.has("weights_prefix") && sources[0] != "weights" {
            throw .invalid(path: "weights_prefix", expected: "weights_prefix only with weights", got: "weights_prefix without weights")
        }
        switch sources[0] {
        case "weight":
            source = try .explicit(Self.decodeExplicit(top, spec: spec))
        case "weights":
            let file = try top.required("weights").string("weights")
            if npyWeights {
                if top.has("weights_prefix") {
                    throw .invalid(path: "weights_prefix", expected: "weights_prefix only with a .safetensors file", got: "weights_prefix with a .npy file")
                }
                var bias: String?
                if let b = top.value("bias") {
                    guard spec.bias else { throw .invalid(path: "bias", expected: "no bias, since conv1d.bias is false", got: "a bias") }
                    bias = resolve(try b.string("bias"))
                } else if spec.bias {
                    throw .invalid(path: "bias", expected: "a .npy file with out_channels values (conv1d.bias is true)", got: "nothing")
                }
                source = .npy(weight: resolve(file), bias: bias)
            } else if file.lowercased().hasSuffix(".safetensors") {
                let prefix = try top.optional("weights_prefix") { v, p throws(PresetError) in try v.string(p) } ?? ""
                source = .safetensors(path: resolve(file), prefix: prefix)
            } else {
                throw .invalid(path: "weights", expected: "a .safetensors or .npy file", got: "\"\(file)\"")
            }
        case "design":
            let design = try Self.parseDesign(top.required("design"))
            if design.kaiserLength != nil && ruleLength == nil {
                throw .invalid(path: "design.transition_hz", expected: "no transition_hz when conv1d.kernel_size is given (it chooses the length when kernel_size is left out)", got: "both")
            }
            try Self.checkDesign(design, spec: spec, sampleRate: sampleRate)
            if design.phase == .minimum { spec = try Self.causal(spec) }
            source = .design(design)
        case "taps":
            guard spec.inChannelsPerGroup == 1 else {
                throw .invalid(path: "taps", expected: "a depthwise conv1d (groups = in_channels): the taps filter each channel", got: "\(spec)")
            }
            guard !spec.bias else { throw .invalid(path: "conv1d.bias", expected: "false for a taps preset", got: "true") }
            let file = try top.required("taps").string("taps")
            let even = spec.padding == .same && spec.kernelSize % 2 == 0 && spec.dilation == 1
            if even { spec = try Self.respec(spec, kernelSize: spec.kernelSize + 1, padding: .same) }
            source = .taps(path: resolve(file), soxAligned: even)
        case "outputs":
            source = .perOutput(try Self.decodeOutputs(top.required("outputs"), spec: spec, sampleRate: sampleRate))
        case "init":
            let initObject = try ObjectReader(top.required("init"), path: "init", allowed: ["seed"])
            let seed = try initObject.required("seed").uint64("init.seed")
            source = .initialization(seed: seed)
        default:
            throw .unsupportedSource(key: sources[0])
        }
    }

    /// Whether the output includes the filter's tail (the outputs that need padding past the
    /// end of the input). Only an impulse response with `"tail": false` drops it, so its
    /// output is exactly as long as its input.
    public var keepsTail: Bool {
        if case .impulseResponse(_, _, false) = source { return false }
        if case let .design(design) = source, design.phase == .minimum { return false }
        return true
    }

    /// A minimum-phase design's spec: its `padding: "same"` (an output as long as the
    /// input) made causal, as an impulse response is: the full convolution (padding
    /// (K − 1)·dilation), cut at the input's length, so no output comes before its input
    /// and there is no alignment delay. Integer paddings and other padding modes are
    /// refused: they would put the filter's start before the signal's.
    static func causal(_ spec: Conv1dSpec) throws(PresetError) -> Conv1dSpec {
        guard spec.padding == .same, spec.paddingMode == .zeros else {
            throw .invalid(path: "conv1d.padding", expected: "\"same\" with zeros padding for a minimum-phase design (it runs causally: the output as long as the input, no delay)", got: "\(spec.padding) with \(spec.paddingMode) padding")
        }
        return try respec(spec, kernelSize: spec.kernelSize, padding: .samples((spec.kernelSize - 1) * spec.dilation))
    }

    /// The rate the weights are fixed to: `sample_rate`, except for a `design` preset, which
    /// is designed at whatever rate the input has.
    public var fixedRate: Int? {
        if case .design = source { return nil }
        if case .perOutput = source { return nil }
        return sampleRate
    }

    /// The rate a `design` preset without `sample_rate` is designed at when no input rate is given.
    public static let designRate = 48000
}
