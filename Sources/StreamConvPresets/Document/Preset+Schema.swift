import StreamConv

/// The schema's parts: `conv1d`, inline `weight`/`bias`, `impulse_response`.
extension Preset {
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
        var routing = ImpulseResponse.Routing.perChannel
        if let r = top.value("routing") {
            let name = try r.string("routing")
            guard let parsed = ImpulseResponse.Routing(rawValue: name) else {
                throw .invalid(path: "routing", expected: "one of \(ImpulseResponse.Routing.allCases.map(\.rawValue).joined(separator: ", "))", got: "\"\(name)\"")
            }
            routing = parsed
        }
        guard let reader else {
            throw .invalid(path: "impulse_response", expected: "a preset loader that reads audio files (the streamconv CLI, or PresetLibrary(impulseResponses:))", got: "\"\(file)\"")
        }
        let path = resolve(file)
        var response: ImpulseResponse
        do {
            response = try reader(path)
        } catch let error as PresetError {
            throw error
        } catch {
            throw .impulseResponse(path: path, reason: ReaderFailure(error))
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
        response.routing = routing
        let needed = [ImpulseResponse.Routing.trueStereo: 4, .monoToStereo: 2][routing]
        if let needed, channels != needed {
            throw .invalid(path: "routing", expected: "\(routing.rawValue) takes a \(needed)-channel impulse response" + (routing == .trueStereo ? " (left→left, left→right, right→left, right→right)" : " (mono→left, mono→right)"), got: "\(channels) channels in \(path)")
        }
        let (inputs, outputs, groups) = switch routing {
        case .perChannel: (channels, channels, channels)
        case .trueStereo: (2, 2, 1)
        case .monoToStereo: (1, 2, 1)
        }
        do {
            let spec = try Conv1dSpec(
                inChannels: inputs, outChannels: outputs, kernelSize: length, padding: .samples(length - 1),
                groups: groups, bias: false)
            return (spec, .impulseResponse(path: path, response: response, tail: tail))
        } catch {
            throw .conv1d(path: "impulse_response", error)
        }
    }

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
            throw .conv1d(path: path, error)
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
