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
        let top = try ObjectReader(root, path: "preset", allowed: [
            "name", "description", "sample_rate", "conv1d",
            "weight", "bias", "weights", "weights_prefix", "design", "init", "taps", "impulse_response", "tail",
        ])
        func resolve(_ relative: String) -> String { relative.hasPrefix("/") ? relative : directory + "/" + relative }
        name = try top.optional("name") { v, p throws(PresetError) in try v.string(p) } ?? defaultName
        description = try top.optional("description") { v, p throws(PresetError) in try v.string(p) } ?? ""
        sampleRate = try top.optional("sample_rate") { v, p throws(PresetError) in try v.int(p, min: 1, max: Int(Int32.max)) }
        if top.has("impulse_response") {
            (spec, source) = try Self.decodeImpulseResponse(top, sampleRate: &sampleRate, resolve: resolve, reader: impulseResponses)
            return
        }
        if top.has("tail") {
            throw .invalid(path: "tail", expected: "tail only with impulse_response", got: "tail without impulse_response")
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
                throw .invalid(path: "design", expected: "a design that can be made", got: error.description)
            }
        }
        spec = try Self.decodeSpec(conv1dValue, path: "conv1d", kernelSize: ruleLength)
        if let sampleRate {
            do {
                _ = try spec.outputRate(inputRate: sampleRate)
            } catch {
                throw .conv1d(path: "sample_rate", message: error.description)
            }
        }

        let sources = ["weight", "weights", "design", "init", "taps"].filter(top.has)
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
            source = .design(design)
        case "taps":
            guard spec.inChannelsPerGroup == 1 else {
                throw .invalid(path: "taps", expected: "a depthwise conv1d (groups = in_channels): the taps filter each channel", got: "\(spec)")
            }
            guard !spec.bias else { throw .invalid(path: "conv1d.bias", expected: "false for a taps preset", got: "true") }
            let file = try top.required("taps").string("taps")
            source = .taps(path: resolve(file))
        case "init":
            let initObject = try ObjectReader(top.required("init"), path: "init", allowed: ["seed"])
            let seed = try initObject.required("seed").uint64("init.seed")
            source = .initialization(seed: seed)
        default:
            throw .unsupportedSource(key: sources[0])
        }
    }

    /// Reads an `impulse_response` preset: the file gives the rate, the channels and the length;
    /// the spec is the full convolution with it (kernel_size = length, padding = length − 1,
    /// one filter per channel, no bias).
    static func decodeImpulseResponse(
        _ top: ObjectReader, sampleRate: inout Int?, resolve: (String) -> String, reader: ImpulseResponseReader?
    ) throws(PresetError) -> (Conv1dSpec, WeightSource) {
        for key in ["conv1d", "weight", "bias", "weights", "weights_prefix", "design", "init", "taps"] where top.has(key) {
            let why = key == "conv1d"
                ? "no conv1d: an impulse_response preset takes its shape from the file (kernel_size = its length, padding = length − 1, one filter per channel)"
                : "no \(key) beside impulse_response (exactly one source of weights)"
            throw .invalid(path: key, expected: why, got: key)
        }
        let file = try top.required("impulse_response").string("impulse_response")
        let tail = try top.optional("tail") { v, p throws(PresetError) in try v.bool(p) } ?? true
        guard let reader else {
            throw .invalid(path: "impulse_response", expected: "a preset loader that reads audio files (the streamconv CLI, or PresetLibrary(impulseResponses:))", got: "\"\(file)\"")
        }
        let path = resolve(file)
        let response: ImpulseResponse
        do {
            response = try reader(path)
        } catch let error as PresetError {
            throw error
        } catch {
            throw .weightsFile("impulse_response: \(error)")
        }
        let length = response.channels.first?.count ?? 0
        guard length > 0 else { throw .weightsFile("\(path): the impulse response has no samples") }
        guard length <= ImpulseResponse.maximumLength else {
            throw .weightsFile("\(path): the impulse response has \(length) samples; at most \(ImpulseResponse.maximumLength) are taken (trim its silent end)")
        }
        guard response.channels.allSatisfy({ $0.count == length }) else { throw .weightsFile("\(path): channels of different lengths") }
        for (c, samples) in response.channels.enumerated() {
            if let i = samples.firstIndex(where: { !$0.isFinite }) {
                throw .weightsFile("\(path): sample \(i) of channel \(c) is \(samples[i]); an impulse response must be finite")
            }
        }
        if let stated = sampleRate, stated != response.sampleRate {
            throw .invalid(path: "sample_rate", expected: "the impulse response's own rate, \(response.sampleRate) Hz (or leave sample_rate out)", got: "\(stated)")
        }
        sampleRate = response.sampleRate
        let channels = response.channels.count
        do {
            let spec = try Conv1dSpec(
                inChannels: channels, outChannels: channels, kernelSize: length, padding: .samples(length - 1),
                groups: channels, bias: false)
            return (spec, .impulseResponse(path: path, response: response, tail: tail))
        } catch {
            throw .conv1d(path: "impulse_response", message: error.description)
        }
    }

    /// Whether the output includes the filter's tail (the outputs that need padding past the
    /// end of the input). Only an impulse response with `"tail": false` drops it, so its
    /// output is exactly as long as its input.
    public var keepsTail: Bool {
        if case .impulseResponse(_, _, false) = source { return false }
        return true
    }

    /// The rate the weights are fixed to: `sample_rate`, except for a `design` preset, which
    /// is designed at whatever rate the input has.
    public var fixedRate: Int? {
        if case .design = source { return nil }
        return sampleRate
    }

    /// The rate a `design` preset without `sample_rate` is designed at when no input rate is given.
    public static let designRate = 48000

    /// This preset as it runs at `rate` Hz: a design whose length comes from Kaiser's formula
    /// gets that rate's `kernel_size` (a higher rate needs more taps for the same transition
    /// in Hz); any other preset is returned unchanged.
    /// - Throws: when the length rule gives no usable length at `rate`.
    public func at(rate: Int) throws(PresetError) -> Preset {
        guard case let .design(design) = source, design.kaiserLength != nil else { return self }
        let count: Int
        do {
            count = try design.length(rate: rate)
        } catch {
            throw .invalid(path: "design", expected: "a design that can be made at \(rate) Hz", got: error.description)
        }
        guard count != spec.kernelSize else { return self }
        var copy = self
        do {
            copy.spec = try Conv1dSpec(
                inChannels: spec.inChannels, outChannels: spec.outChannels, kernelSize: count, stride: spec.stride,
                padding: spec.padding, dilation: spec.dilation, groups: spec.groups, bias: spec.bias, paddingMode: spec.paddingMode)
        } catch {
            throw .conv1d(path: "conv1d", message: "with kernel_size \(count) from Kaiser's formula at \(rate) Hz: \(error.description)")
        }
        return copy
    }

    /// The weights in sample type `T`, checked against ``spec``; a `design` preset is designed
    /// at `sampleRate` (default: the preset's `sample_rate`, else 48000), its length chosen
    /// there when a rule chooses it (see ``at(rate:)``).
    /// - Throws: ``PresetError`` when a number does not fit `T`.
    // Pre-specialised: called from the CLI, the generic body converted a long response one
    // sample at a time through witness tables.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func weights<T: ConvScalar>(as _: T.Type = T.self, sampleRate rate: Int? = nil) throws(PresetError) -> Conv1dWeights<T> {
        // at(rate:) changes only a design whose length follows the rate.
        if let rate, case let resolved = try at(rate: rate), resolved.spec != spec {
            return try resolved.weights(as: T.self, sampleRate: rate)
        }
        switch source {
        case let .impulseResponse(_, response, _):
            // Convolution with h is Conv1d's cross-correlation with h reversed.
            let weight = response.channels.flatMap { $0.reversed().map { T($0) } }
            do {
                return try Conv1dWeights(spec: spec, weight: weight, bias: nil)
            } catch {
                throw .conv1d(path: "impulse_response", message: error.description)
            }
        case let .taps(path):
            let text = String(decoding: try Self.bytes(path), as: UTF8.self)
            var taps: [T] = []
            for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                let content = line.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
                let word = content.trimmingTrailingSpaces().drop { $0 == " " || $0 == "\t" }.filter { $0 != "\r" }
                if word.isEmpty { continue }
                guard let value = T(decimal: Substring(word)), value.isFinite else {
                    throw .weightsFile("\(path):\(number + 1): \"\(word)\" is not a number")
                }
                taps.append(value)
            }
            guard taps.count == spec.kernelSize else {
                throw .weightsFile("\(path): \(taps.count) taps but conv1d.kernel_size is \(spec.kernelSize)")
            }
            // sox's fir convolves; Conv1d cross-correlates: the taps go in reversed.
            let reversed = Array(taps.reversed())
            do {
                return try Conv1dWeights(spec: spec, weight: (0..<spec.outChannels).flatMap { _ in reversed }, bias: nil)
            } catch {
                throw .conv1d(path: "taps", message: error.description)
            }
        case let .design(design):
            let taps: [Double]
            do {
                taps = try design.taps(count: spec.kernelSize, rate: rate ?? sampleRate ?? Self.designRate)
            } catch {
                throw .invalid(path: "design", expected: "a design that can be made", got: error.description)
            }
            let weight = (0..<spec.outChannels).flatMap { _ in taps.map { T($0) } }
            do {
                return try Conv1dWeights(spec: spec, weight: weight, bias: nil)
            } catch {
                throw .conv1d(path: "design", message: error.description)
            }
        case let .explicit(raw):
            var weight: [T] = []
            weight.reserveCapacity(raw.weight.count)
            for (i, text) in raw.weight.enumerated() {
                guard let value = T(decimal: text), value.isFinite else {
                    let k = spec.kernelSize, m = spec.inChannelsPerGroup
                    throw .invalid(path: "weight[\(i / (k * m))][\(i / k % m)][\(i % k)]", expected: "a finite \(T.self)", got: String(text))
                }
                weight.append(value)
            }
            var bias: [T]?
            if let rawBias = raw.bias {
                bias = []
                for (i, text) in rawBias.enumerated() {
                    guard let value = T(decimal: text), value.isFinite else {
                        throw .invalid(path: "bias[\(i)]", expected: "a finite \(T.self)", got: String(text))
                    }
                    bias!.append(value)
                }
            }
            do {
                return try Conv1dWeights(spec: spec, weight: weight, bias: bias)
            } catch {
                throw .conv1d(path: "weight", message: error.description)
            }
        case let .initialization(seed):
            return Conv1dWeights(defaultInitFor: spec, seed: seed)
        case let .safetensors(path, prefix):
            let tensors = try Self.readingTensors { try TensorFile.safetensors(try Self.bytes(path), path: path) }
            guard let weight = tensors[prefix + "weight"] else {
                let names = tensors.keys.sorted().prefix(12).joined(separator: ", ")
                throw .weightsFile("\(path): no tensor \(prefix)weight (it holds \(names)\(tensors.count > 12 ? ", …" : "")); set weights_prefix to the layer's prefix, e.g. \"encoder.conv.\"")
            }
            if weight.shape == spec.weightShape && spec.bias && tensors[prefix + "bias"] == nil {
                throw .weightsFile("\(path): no tensor \(prefix)bias, but conv1d.bias is true")
            }
            return try Self.checked(weight: weight, bias: spec.bias ? tensors[prefix + "bias"] : nil, spec: spec, as: T.self)
        case let .npy(weightPath, biasPath):
            let weight = try Self.readingTensors { try TensorFile.npy(contentsOf: weightPath) }
            let bias = try biasPath.map { p throws(PresetError) -> Tensor in try Self.readingTensors { try TensorFile.npy(contentsOf: p) } }
            return try Self.checked(weight: weight, bias: bias, spec: spec, as: T.self)
        }
    }

    /// Runs a tensor-file read, reporting a malformed file as ``PresetError/weightsFile(_:)``
    /// (an unreadable one keeps its own error).
    static func readingTensors<R>(_ body: () throws -> R) throws(PresetError) -> R {
        do {
            return try body()
        } catch let error as PresetError {
            throw error
        } catch {
            throw .weightsFile("\(error)")
        }
    }

    /// A tensor file's bytes (tensor files may be larger than presets: up to 16 GiB).
    static func bytes(_ path: String) throws(PresetError) -> [UInt8] {
        try PresetLibrary.readRegularFile(Array(path.utf8), limit: 1 << 34, kind: "a tensor file")
    }

    /// Weights from tensors, their shapes checked against `spec`.
    static func checked<T: ConvScalar>(weight: Tensor, bias: Tensor?, spec: Conv1dSpec, as _: T.Type) throws(PresetError) -> Conv1dWeights<T> {
        if weight.shape != spec.weightShape {
            throw .weightsFile("tensor \(weight.name): expected shape \(shapeText(spec.weightShape)) for \(spec), got \(shapeText(weight.shape))")
        }
        if let bias, bias.shape != [spec.outChannels] {
            throw .weightsFile("tensor \(bias.name): expected shape [\(spec.outChannels)] (one per output channel), got \(shapeText(bias.shape))")
        }
        do {
            return try Conv1dWeights(spec: spec, weight: weight.values(as: T.self), bias: bias?.values(as: T.self))
        } catch {
            throw .conv1d(path: "weights", message: error.description)
        }
    }

    /// The convolution this preset describes (a `design` preset designed at `sampleRate`).
    /// With `channels`, a filter that acts on each channel alone (in = out = 1, or depthwise
    /// with one filter per channel) is widened to that many channels, each filtered
    /// independently with the same weights, as sox's `fir` does; see ``spec(forChannels:)``.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func conv1d<T: ConvScalar>(
        as _: T.Type = T.self, sampleRate: Int? = nil, channels: Int? = nil, engine: Conv1dEngineChoice = .auto
    ) throws(PresetError) -> Conv1d<T> {
        if let sampleRate, case let resolved = try at(rate: sampleRate), resolved.spec != spec {
            return try resolved.conv1d(as: T.self, sampleRate: sampleRate, channels: channels, engine: engine)
        }
        let base = try weights(as: T.self, sampleRate: sampleRate)
        guard let channels, channels != spec.inChannels, let wide = spec(forChannels: channels) else {
            return Conv1d(spec: spec, weights: base, engine: engine)
        }
        // Channel 0's filter for every channel: the same weights, the same summation order.
        let perChannel = spec.kernelSize
        let weight = (0..<channels).flatMap { _ in base.weight[0..<perChannel] }
        let bias = base.bias.map { b in (0..<channels).map { _ in b[0] } }
        do {
            return Conv1d(spec: wide, weights: try Conv1dWeights(spec: wide, weight: Array(weight), bias: bias), engine: engine)
        } catch {
            throw .conv1d(path: "conv1d", message: error.description)
        }
    }

    /// The spec widened to `channels` channels when this filter acts on each channel alone:
    /// a single-channel filter (in = out = 1), or a depthwise design (one identical filter
    /// per channel); `nil` for any other filter, whose channel count must match.
    public func spec(forChannels channels: Int) -> Conv1dSpec? {
        let single = spec.inChannels == 1 && spec.outChannels == 1
        var depthwiseDesign = false
        if case .design = source { depthwiseDesign = spec.groups == spec.inChannels && spec.outChannels == spec.inChannels }
        guard channels >= 1, single || depthwiseDesign else { return nil }
        return try? Conv1dSpec(
            inChannels: channels, outChannels: channels, kernelSize: spec.kernelSize, stride: spec.stride,
            padding: spec.padding, dilation: spec.dilation, groups: channels, bias: spec.bias, paddingMode: spec.paddingMode)
    }

    /// Reads a `design` object (its checks against the spec are ``checkDesign(_:spec:sampleRate:)``).
    static func parseDesign(_ value: JSONValue) throws(PresetError) -> FIRDesign {
        let o = try ObjectReader(value, path: "design", allowed: ["type", "cutoff_hz", "window", "beta", "attenuation_db", "transition_hz", "gain", "delay"])
        let typeName = try o.required("type").string("design.type")
        guard let kind = FIRDesign.Kind(rawValue: typeName) else {
            throw .invalid(path: "design.type", expected: "one of \(FIRDesign.Kind.allCases.map(\.rawValue).joined(separator: ", "))", got: "\"\(typeName)\"")
        }
        var cutoff: [Double] = []
        if let c = o.value("cutoff_hz") {
            let items: [JSONValue] = if case let .array(list) = c { list } else { [c] }
            for (i, item) in items.enumerated() {
                guard case let .number(text) = item, let f = Double(text) else {
                    throw .invalid(path: "design.cutoff_hz" + (items.count > 1 ? "[\(i)]" : ""), expected: "a frequency in Hz", got: item.kind)
                }
                cutoff.append(f)
            }
        }
        func number(_ key: String) throws(PresetError) -> Double? {
            try o.optional(key) { v, p throws(PresetError) in
                guard case let .number(text) = v, let d = Double(text), d.isFinite else { throw .invalid(path: p, expected: "a number", got: v.kind) }
                return d
            }
        }
        var window = FIRDesign.Window.blackman
        var lengthRule: (attenuationDB: Double, transitionHz: Double)?
        if let width = try number("transition_hz") {
            guard case .string("kaiser") = o.value("window"), let a = try number("attenuation_db") else {
                throw .invalid(path: "design.transition_hz", expected: "window kaiser with attenuation_db (Kaiser's length formula needs both)", got: "transition_hz alone")
            }
            guard width > 0 else { throw .invalid(path: "design.transition_hz", expected: "a width in Hz > 0", got: "\(width)") }
            guard a > 7.95 else { throw .invalid(path: "design.attenuation_db", expected: "more than 7.95 dB for Kaiser's length formula", got: "\(a)") }
            lengthRule = (a, width)
        }
        if let w = o.value("window") {
            let name = try w.string("design.window")
            switch name {
            case "rectangular": window = .rectangular
            case "hann": window = .hann
            case "hamming": window = .hamming
            case "blackman": window = .blackman
            case "kaiser":
                if let beta = try number("beta") {
                    window = .kaiser(beta: beta)
                } else if let attenuation = try number("attenuation_db") {
                    window = .kaiser(beta: FIRDesign.Window.kaiserBeta(attenuation: attenuation))
                } else {
                    throw .missingKey(path: "design.beta")
                }
            default:
                throw .invalid(path: "design.window", expected: "one of rectangular, hann, hamming, blackman, kaiser", got: "\"\(name)\"")
            }
        }
        let delay = try o.optional("delay") { v, p throws(PresetError) in try v.int(p, min: 0) } ?? 0
        return FIRDesign(kind: kind, cutoff: cutoff, window: window, gainDB: try number("gain") ?? 0, delaySamples: delay, kaiserLength: lengthRule)
    }

    /// Refuses a design the spec cannot carry or that cannot be made: checked at load, so a
    /// broken preset fails there, at its sample_rate or (designed at whatever rate comes) at a
    /// rate high enough for any cutoff.
    static func checkDesign(_ design: FIRDesign, spec: Conv1dSpec, sampleRate: Int?) throws(PresetError) {
        guard spec.inChannelsPerGroup == 1 else {
            throw .invalid(path: "design", expected: "a depthwise conv1d (groups = in_channels), one filter per channel", got: "\(spec)")
        }
        guard !spec.bias else { throw .invalid(path: "conv1d.bias", expected: "false for a design preset (a designed FIR has no bias)", got: "true") }
        let rate = sampleRate ?? (design.kaiserLength == nil ? Int(Int32.max) : designRate)
        do {
            _ = try design.taps(count: spec.kernelSize, rate: rate)
        } catch {
            throw .invalid(path: "design", expected: "a design that can be made", got: error.description)
        }
    }

    // MARK: - Decoding

    /// Reads `conv1d`; `kernelSize`, when given, stands in for a `kernel_size` left out.
    static func decodeSpec(_ value: JSONValue, path: String, kernelSize ruleLength: Int? = nil) throws(PresetError) -> Conv1dSpec {
        let o = try ObjectReader(value, path: path, allowed: [
            "in_channels", "out_channels", "kernel_size", "stride", "padding",
            "dilation", "groups", "bias", "padding_mode",
        ])
        func sizeOrSingleton(_ key: String, default: Int?) throws(PresetError) -> Int {
            guard let v = o.value(key) else {
                guard let d = `default` else { throw .missingKey(path: "\(path).\(key)") }
                return d
            }
            return try v.intOrSingleton("\(path).\(key)", min: 1)
        }
        let inChannels = try o.required("in_channels").int("\(path).in_channels", min: 1)
        let outChannels = try o.required("out_channels").int("\(path).out_channels", min: 1)
        let kernelSize = try sizeOrSingleton("kernel_size", default: ruleLength)
        let stride = try sizeOrSingleton("stride", default: 1)
        let dilation = try sizeOrSingleton("dilation", default: 1)
        let groups = try o.optional("groups") { v, p throws(PresetError) in try v.int(p, min: 1) } ?? 1
        let bias = try o.optional("bias") { v, p throws(PresetError) in try v.bool(p) } ?? true
        var padding = Conv1dPadding.samples(0)
        if let v = o.value("padding") {
            switch v {
            case .string("same"): padding = .same
            case .string("valid"): padding = .valid
            case let .string(s):
                throw .invalid(path: "\(path).padding", expected: "an integer ≥ 0, [integer], \"same\" or \"valid\"", got: "\"\(s)\"")
            default:
                padding = .samples(try v.intOrSingleton("\(path).padding", min: 0))
            }
        }
        var mode = PaddingMode.zeros
        if let v = o.value("padding_mode") {
            let names = PaddingMode.allCases.map(\.rawValue)
            guard case let .string(s) = v, let m = PaddingMode(rawValue: s) else {
                let got: String = if case let .string(s) = v { "\"\(s)\"" } else { v.kind }
                throw .invalid(path: "\(path).padding_mode", expected: "one of \(names.joined(separator: ", "))", got: got)
            }
            mode = m
        }
        do {
            return try Conv1dSpec(
                inChannels: inChannels, outChannels: outChannels, kernelSize: kernelSize, stride: stride,
                padding: padding, dilation: dilation, groups: groups, bias: bias, paddingMode: mode)
        } catch {
            throw .conv1d(path: path, message: error.description)
        }
    }

    static func decodeExplicit(_ top: ObjectReader, spec: Conv1dSpec) throws(PresetError) -> ExplicitWeights {
        let expected = spec.weightShape
        let weightValue = try top.required("weight")
        guard let got = weightValue.regularShape(depth: 3), got == expected else {
            let got = weightValue.firstShape(depth: 3)
            let what = weightValue.regularShape(depth: 3) == nil && got == expected ? " (rows of different lengths)" : ""
            throw .invalid(path: "weight", expected: Self.shapeText(expected), got: Self.shapeText(got) + what)
        }
        var flat: [Substring] = []
        flat.reserveCapacity(expected.reduce(1, *))
        try weightValue.collectNumbers(into: &flat, path: "weight", depth: 3)
        var bias: [Substring]?
        if let b = top.value("bias") {
            guard spec.bias else {
                throw .invalid(path: "bias", expected: "no bias, since conv1d.bias is false", got: "a bias")
            }
            guard case let .array(items) = b, items.count == spec.outChannels else {
                let got: String = if case let .array(items) = b { "\(items.count) values" } else { b.kind }
                throw .invalid(path: "bias", expected: "\(spec.outChannels) values (one per output channel)", got: got)
            }
            var values: [Substring] = []
            try b.collectNumbers(into: &values, path: "bias", depth: 1)
            bias = values
        } else if spec.bias {
            throw .missingKey(path: "bias")
        }
        return ExplicitWeights(weight: flat, bias: bias)
    }

    static func shapeText(_ dims: [Int]) -> String { dims.map { "[\($0)]" }.joined() }
}

/// Where a preset's weights come from. Each kind of preset is one case, so a new source
/// (safetensors files, FIR design) is a new case and a new branch in ``Preset/weights(as:)``.
public enum WeightSource: Sendable {
    /// `weight` and `bias` written in the preset.
    case explicit(ExplicitWeights)
    /// `init: {"seed": N}`: PyTorch's default initialisation from a seeded generator.
    case initialization(seed: UInt64)
    /// `weights: "…safetensors"`: tensors `prefix + "weight"` and `prefix + "bias"` of a state_dict.
    case safetensors(path: String, prefix: String)
    /// `weights: "w.npy"` and, when the layer has one, `bias: "b.npy"`.
    case npy(weight: String, bias: String?)
    /// `design: {…}`: a FIR designed at the input's rate.
    case design(FIRDesign)
    /// `taps: "fir.txt"`: one coefficient per line (`#` comments), as sox's `fir` reads them.
    case taps(path: String)
    /// `impulse_response: "room.wav"`: a recorded response, read when the preset was loaded;
    /// `tail: false` drops the outputs past the input's end.
    case impulseResponse(path: String, response: ImpulseResponse, tail: Bool)
}

/// Weights as written in a preset: the exact decimal text of each number, in PyTorch's
/// row-major order, so they can be parsed straight into `Float` or `Double`.
public struct ExplicitWeights: Sendable {
    /// `weight[o][i][k]` texts, flattened.
    public var weight: [Substring]
    /// `bias` texts, or `nil`.
    public var bias: [Substring]?
}

/// An object being decoded: remembers its path for messages and refuses keys not in `allowed`.
struct ObjectReader {
    let pairs: [(String, JSONValue)]
    let path: String

    init(_ value: JSONValue, path: String, allowed: [String]) throws(PresetError) {
        guard case let .object(pairs) = value else {
            throw .invalid(path: path, expected: "an object", got: value.kind)
        }
        for (key, _) in pairs where !allowed.contains(key) {
            throw .unknownKey(path: path == "preset" ? key : "\(path).\(key)", allowed: allowed)
        }
        self.pairs = pairs
        self.path = path
    }

    func keyPath(_ key: String) -> String { path == "preset" ? key : "\(path).\(key)" }
    func has(_ key: String) -> Bool { pairs.contains { $0.0 == key } }
    func value(_ key: String) -> JSONValue? { pairs.first { $0.0 == key }?.1 }

    func required(_ key: String) throws(PresetError) -> JSONValue {
        guard let v = value(key) else { throw .missingKey(path: keyPath(key)) }
        return v
    }

    func optional<R>(_ key: String, _ decode: (JSONValue, String) throws(PresetError) -> R) throws(PresetError) -> R? {
        guard let v = value(key) else { return nil }
        return try decode(v, keyPath(key))
    }
}

extension JSONValue {
    func string(_ path: String) throws(PresetError) -> String {
        guard case let .string(s) = self else { throw .invalid(path: path, expected: "a string", got: kind) }
        return s
    }

    func bool(_ path: String) throws(PresetError) -> Bool {
        guard case let .bool(b) = self else { throw .invalid(path: path, expected: "true or false", got: kind) }
        return b
    }

    func int(_ path: String, min: Int, max: Int = Int(Int32.max)) throws(PresetError) -> Int {
        let expected = "an integer from \(min) to \(max)"
        guard case let .number(text) = self, let n = Int(text) else {
            let got: String = if case let .number(text) = self { String(text) } else { kind }
            throw .invalid(path: path, expected: expected, got: got)
        }
        guard n >= min && n <= max else { throw .invalid(path: path, expected: expected, got: String(text)) }
        return n
    }

    func uint64(_ path: String) throws(PresetError) -> UInt64 {
        guard case let .number(text) = self, let n = UInt64(text) else {
            let got: String = if case let .number(text) = self { String(text) } else { kind }
            throw .invalid(path: path, expected: "an integer from 0 to \(UInt64.max)", got: got)
        }
        return n
    }

    /// An integer, or a one-element list of one, as PyTorch accepts for Conv1d's tuple arguments.
    func intOrSingleton(_ path: String, min: Int) throws(PresetError) -> Int {
        if case let .array(items) = self {
            guard items.count == 1 else {
                throw .invalid(path: path, expected: "an integer ≥ \(min) or a list of one", got: "a list of \(items.count)")
            }
            return try items[0].int("\(path)[0]", min: min)
        }
        return try int(path, min: min)
    }

    /// The shape of a regular nested array of `depth` levels, or `nil` when ragged or not arrays.
    func regularShape(depth: Int) -> [Int]? {
        guard depth > 0 else { return [] }
        guard case let .array(items) = self else { return nil }
        guard let first = items.first else { return [0] + Array(repeating: 0, count: depth - 1) }
        guard let inner = first.regularShape(depth: depth - 1) else { return nil }
        for item in items.dropFirst() where item.regularShape(depth: depth - 1) != inner { return nil }
        return [items.count] + inner
    }

    /// The shape read along the first element at each level (for messages).
    func firstShape(depth: Int) -> [Int] {
        guard depth > 0, case let .array(items) = self else { return [] }
        return [items.count] + (items.first?.firstShape(depth: depth - 1) ?? [])
    }

    /// Appends every number of a nested array of exactly `depth` levels in row-major order.
    func collectNumbers(into out: inout [Substring], path: String, depth: Int) throws(PresetError) {
        switch self {
        case let .number(text) where depth == 0: out.append(text)
        case let .array(items) where depth > 0:
            for (i, item) in items.enumerated() { try item.collectNumbers(into: &out, path: "\(path)[\(i)]", depth: depth - 1) }
        default:
            throw .invalid(path: path, expected: depth == 0 ? "a number" : "an array", got: kind)
        }
    }
}
