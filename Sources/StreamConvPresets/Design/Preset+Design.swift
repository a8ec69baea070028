import StreamConv

/// A `design` object: read, and checked against the spec it fills.
extension Preset {
    /// Reads a `design` object (its checks against the spec are ``checkDesign(_:spec:sampleRate:)``).
    static func parseDesign(_ value: JSONValue) throws(PresetError) -> FIRDesign {
        let o = try ObjectReader(value, path: "design", allowed: ["type", "cutoff_hz", "window", "beta", "attenuation_db", "transition_hz", "gain", "delay", "phase", "order"])
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
        var phase = FIRDesign.Phase.linear
        if let p = o.value("phase") {
            let name = try p.string("design.phase")
            guard let parsed = FIRDesign.Phase(rawValue: name) else {
                throw .invalid(path: "design.phase", expected: "linear or minimum", got: "\"\(name)\"")
            }
            phase = parsed
        }
        var design = FIRDesign(kind: kind, cutoff: cutoff, window: window, gainDB: try number("gain") ?? 0, delaySamples: delay,
                               kaiserLength: lengthRule, phase: phase)
        if let value = o.value("order") {
            guard kind == .linkwitzRileyLowpass || kind == .linkwitzRileyHighpass else {
                throw .invalid(path: "design.order", expected: "order only with a linkwitz_riley design", got: "order with \(kind.rawValue)")
            }
            let order = try value.int("design.order", min: 2, max: 16)
            guard order % 2 == 0 else { throw .invalid(path: "design.order", expected: "an even order (2, 4, 8: LR2, LR4, LR8)", got: "\(order)") }
            design.order = order
        }
        return design
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
            _ = try design.linearTaps(count: spec.kernelSize, rate: rate)
        } catch {
            throw .design(path: "design", expected: "a design that can be made", error)
        }
    }
}

extension Preset {
    /// Reads `outputs`: one `{"input": i, "design": {...}, "subtract": [j, ...]}` per output
    /// channel of a dense (`groups` 1) conv1d without bias; `subtract` names earlier outputs.
    static func decodeOutputs(_ value: JSONValue, spec: Conv1dSpec, sampleRate: Int?) throws(PresetError) -> [OutputDesign] {
        guard case let .array(items) = value else { throw .invalid(path: "outputs", expected: "an array, one object per output channel", got: value.kind) }
        guard spec.groups == 1, !spec.bias else {
            throw .invalid(path: "conv1d", expected: "groups 1 and bias false for per-output designs (each output takes one input channel)", got: "\(spec)")
        }
        guard items.count == spec.outChannels else {
            throw .invalid(path: "outputs", expected: "one entry per output channel (\(spec.outChannels))", got: "\(items.count)")
        }
        var outputs: [OutputDesign] = []
        for (o, item) in items.enumerated() {
            let path = "outputs[\(o)]"
            let object = try ObjectReader(item, path: path, allowed: ["input", "design", "subtract"])
            let input = try object.required("input").int("\(path).input", min: 0, max: spec.inChannels - 1)
            let design = try parseDesign(object.required("design"))
            guard design.kaiserLength == nil, design.phase == .linear else {
                throw .invalid(path: "\(path).design", expected: "a linear-phase design of conv1d.kernel_size taps (per-output designs share one length and latency)", got: "a length rule or minimum phase")
            }
            var subtract: [Int] = []
            if let s = object.value("subtract") {
                guard case let .array(list) = s else { throw .invalid(path: "\(path).subtract", expected: "an array of earlier output indices", got: s.kind) }
                for (n, entry) in list.enumerated() {
                    guard o > 0 else { throw .invalid(path: "\(path).subtract", expected: "earlier outputs only", got: "a subtraction from the first output") }
                    let j = try entry.int("\(path).subtract[\(n)]", min: 0, max: o - 1)
                    guard outputs[j].input == input else {
                        throw .invalid(path: "\(path).subtract[\(n)]", expected: "an output of the same input (\(input))", got: "output \(j), of input \(outputs[j].input)")
                    }
                    subtract.append(j)
                }
            }
            outputs.append(OutputDesign(input: input, design: design, subtract: subtract))
        }
        let rate = sampleRate ?? Int(Int32.max)
        for (o, output) in outputs.enumerated() {
            do {
                _ = try output.design.linearTaps(count: spec.kernelSize, rate: rate)
            } catch {
                throw .design(path: "outputs[\(o)].design", expected: "a design that can be made", error)
            }
        }
        return outputs
    }
}
