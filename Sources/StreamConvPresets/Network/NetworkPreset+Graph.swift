import Foundation
import StreamConv

extension NetworkPreset {
    /// The network in sample type `T` for an input at `rate` Hz: every tensor read (the state
    /// dict mapped once, each tensor's shape checked, weight norm folded), `preset` nodes
    /// resolved by `presets` and made at their input's rate, the graph linked and checked;
    /// every convolution on `engine`, adding terms as `arithmetic` says.
    /// - Throws: ``PresetError`` naming the node and the key or tensor.
    public func graph<T: ConvScalar>(as _: T.Type = T.self, rate: Int? = nil, engine: Conv1dEngineChoice = .auto,
                                     arithmetic: Conv1dArithmetic = .unfused,
                                     presets: (String) throws(PresetError) -> Preset) throws(PresetError) -> NetworkGraph<T> {
        let rate = rate ?? sampleRate ?? Preset.designRate
        let dict = try weights.map { path throws(PresetError) in try stateDicts.stateDict(path) }
        var built: [NetworkNode<T>] = []
        var ratios: [String: FrameRatio] = ["input": .one]
        for (i, node) in nodes.enumerated() {
            let path = "network.\(node.name)"
            let source = TensorSource(node: node, path: path, dict: dict, weightsPath: weights)
            let inputName = node.inputs.first ?? (i == 0 ? "input" : nodes[i - 1].name)
            let inputRatio = ratios[inputName] ?? .one
            let op: NetworkOp<T>
            switch node.kind {
            case let .conv1d(spec, seed):
                let weights: Conv1dWeights<T>
                if let seed {
                    weights = Conv1dWeights(defaultInitFor: spec, seed: seed)
                } else {
                    let w = try source.weight(shape: spec.weightShape, as: T.self)
                    let b = spec.bias ? try source.tensor("bias", shape: [spec.outChannels], as: T.self) : nil
                    do { weights = try Conv1dWeights(spec: spec, weight: w, bias: b) } catch { throw .conv1d(path: path, error) }
                }
                op = .conv1d(Conv1d(spec: spec, weights: weights, engine: engine, arithmetic: arithmetic))
            case let .convTranspose1d(spec, seed):
                if let seed {
                    op = .convTranspose1d(ConvTranspose1d(spec: spec, seed: seed, engine: engine, arithmetic: arithmetic))
                } else {
                    let w = try source.weight(shape: spec.weightShape, as: T.self)
                    let b = spec.bias ? try source.tensor("bias", shape: [spec.outChannels], as: T.self) : nil
                    do { op = .convTranspose1d(try ConvTranspose1d(spec: spec, weight: w, bias: b, engine: engine, arithmetic: arithmetic)) } catch { throw .conv1d(path: path, error) }
                }
            case let .pad(left, right, mode, value):
                op = .pad(left: left, right: right, mode: mode, value: T(value))
            case let .activation(p):
                op = .pointwise(Self.converted(p, as: T.self))
            case let .prelu(count):
                op = .pointwise(.prelu(weight: try source.tensor("weight", shape: [count], as: T.self)))
            case .snake:
                let alpha = try source.tensor("alpha", shapes: { $0.count == 1 || ($0.count == 3 && $0[0] == 1 && $0[2] == 1) }, expected: "[C] or [1][C][1]", as: T.self)
                op = .pointwise(.snake(alpha: alpha))
            case let .batchNorm(features, eps):
                let t = { (name: String) throws(PresetError) -> [T] in try source.tensor(name, shape: [features], as: T.self) }
                op = .pointwise(.batchNorm(weight: try t("weight"), bias: try t("bias"), runningMean: try t("running_mean"),
                                           runningVar: try t("running_var"), eps: T(eps)))
            case .add: op = .add
            case .mul: op = .mul
            case .cat: op = .cat
            case .glu: op = .glu
            case let .slice(start, end): op = .slice(start: start, end: end)
            case let .gain(factor): op = .pointwise(.gain(T(factor)))
            case let .delay(frames): op = .delay(frames: frames)
            case let .preset(reference):
                let preset = try presets(reference)
                // The node's input channels: a filter that acts on each channel alone is widened to them.
                var channels = inChannels
                if inputName != "input" {
                    do {
                        let partial = try NetworkGraph(inputChannels: inChannels, nodes: built, output: inputName)
                        channels = partial.outputChannels
                    } catch {
                        throw .network(error)
                    }
                }
                // The node's input rate: a design is made there, fixed weights must match it.
                guard let nodeRate = inputRatio.wholeOutputRate(inputRate: rate) else {
                    throw .invalid(path: path + ".preset", expected: "a whole input rate", got: "\(inputRatio.outputRate(inputRate: rate)) Hz")
                }
                let resolved = try preset.resolve(rate: nodeRate, channels: channels, engine: engine, arithmetic: arithmetic)
                if let fixed = resolved.rateMismatch {
                    throw .invalid(path: path + ".preset", expected: "a preset for \(nodeRate) Hz (the node's input rate)", got: "\(preset.name), made for \(fixed) Hz")
                }
                op = .conv1d(try resolved.conv1d(as: T.self))
            }
            built.append(NetworkNode(name: node.name, op: op, inputs: node.inputs))
            ratios[node.name] = inputRatio * op.rateRatio
        }
        do {
            return try NetworkGraph(inputChannels: inChannels, nodes: built, output: output)
        } catch {
            throw .network(error)
        }
    }

    static func converted<T: ConvScalar>(_ p: Pointwise<Double>, as _: T.Type) -> Pointwise<T> {
        switch p {
        case .relu: return .relu
        case .sigmoid: return .sigmoid
        case .tanh: return .tanh
        case .silu: return .silu
        case .selu: return .selu
        case let .leakyRelu(s): return .leakyRelu(negativeSlope: T(s))
        case let .elu(a): return .elu(alpha: T(a))
        case let .gelu(t): return .gelu(tanhApproximation: t)
        case let .hardtanh(low, high): return .hardtanh(min: T(low), max: T(high))
        case let .prelu(w): return .prelu(weight: w.map { T($0) })
        case let .snake(a): return .snake(alpha: a.map { T($0) })
        case let .affine(s, b): return .affine(scale: s.map { T($0) }, shift: b.map { T($0) })
        case let .gain(f): return .gain(T(f))
        }
    }
}

/// Where one node's tensors come from: inline, or `prefix + name` in the state dict, with
/// weight norm folded where the state dict has its two parts instead of the weight.
struct TensorSource {
    let node: NetworkPreset.Node
    let path: String
    let dict: StateDict?
    let weightsPath: String?

    /// A tensor of exactly `shape`.
    func tensor<T: ConvScalar>(_ name: String, shape: [Int], as _: T.Type) throws(PresetError) -> [T] {
        try tensor(name, shapes: { $0 == shape }, expected: Preset.shapeText(shape), as: T.self)
    }

    /// A tensor whose shape passes `accepts`.
    func tensor<T: ConvScalar>(_ name: String, shapes accepts: ([Int]) -> Bool, expected: String, as _: T.Type) throws(PresetError) -> [T] {
        if let inline = node.inline[name] {
            guard accepts(inline.shape) else {
                throw .invalid(path: "\(path).\(name)", expected: expected, got: Preset.shapeText(inline.shape))
            }
            var values: [T] = []
            for (i, text) in inline.values.enumerated() {
                guard let v = T(decimal: text), v.isFinite else {
                    throw .invalid(path: "\(path).\(name)[\(i)]", expected: "a finite \(T.self)", got: String(text))
                }
                values.append(v)
            }
            return values
        }
        guard let prefix = node.prefix, let dict else {
            throw .missingKey(path: "\(path).\(name)")
        }
        guard let t = dict.tensor(prefix + name) else { throw missing(prefix + name) }
        guard accepts(t.shape) else {
            throw .weightsFile("tensor \(prefix + name) (node '\(node.name)'): expected shape \(expected), got \(Preset.shapeText(t.shape))")
        }
        return try finite(t.values(as: T.self), name: prefix + name)
    }

    /// The `weight`, or its weight-norm parts folded as PyTorch computes `g · v/‖v‖` (the norm
    /// over every dimension but the first).
    func weight<T: ConvScalar>(shape: [Int], as _: T.Type) throws(PresetError) -> [T] {
        if node.inline["weight"] != nil || dict == nil || node.prefix == nil { return try tensor("weight", shape: shape, as: T.self) }
        let prefix = node.prefix!
        if dict!.tensor(prefix + "weight") != nil { return try tensor("weight", shape: shape, as: T.self) }
        let spellings = [("weight_g", "weight_v"), ("parametrizations.weight.original0", "parametrizations.weight.original1")]
        for (gName, vName) in spellings {
            guard let g = dict!.tensor(prefix + gName), let v = dict!.tensor(prefix + vName) else { continue }
            guard v.shape == shape else {
                throw .weightsFile("tensor \(prefix + vName) (node '\(node.name)'): expected shape \(Preset.shapeText(shape)), got \(Preset.shapeText(v.shape))")
            }
            let rows = shape[0], per = shape.dropFirst().reduce(1, *)
            guard g.shape.reduce(1, *) == rows, g.shape.first == rows else {
                throw .weightsFile("tensor \(prefix + gName) (node '\(node.name)'): expected \(rows) values ([\(rows)][1][1]), got \(Preset.shapeText(g.shape))")
            }
            let gv = try finite(g.values(as: T.self), name: prefix + gName)
            let vv = try finite(v.values(as: T.self), name: prefix + vName)
            var w = [T](repeating: 0, count: vv.count)
            for r in 0..<rows {
                // PyTorch: v * (g / norm_except_dim(v, 2, 0)).
                var sum = 0.0
                for j in 0..<per { let x = Double(vv[r * per + j]); sum += x * x }
                let scale = gv[r] / T(sum.squareRoot())
                for j in 0..<per { w[r * per + j] = vv[r * per + j] * scale }
            }
            return w
        }
        throw missing(prefix + "weight")
    }

    private func missing(_ name: String) -> PresetError {
        let names = dict?.names ?? []
        let near = names.filter { $0.hasPrefix(node.prefix ?? "") }
        let shown = (near.isEmpty ? names : near).prefix(10).joined(separator: ", ")
        return .weightsFile("\(weightsPath ?? "state dict"): no tensor \(name) for node '\(node.name)' (it holds \(shown)\(names.count > 10 ? ", …" : "")); check the node's weights_prefix")
    }

    private func finite<T: ConvScalar>(_ values: [T], name: String) throws(PresetError) -> [T] {
        if let i = values.firstIndex(where: { !$0.isFinite }) {
            throw .weightsFile("tensor \(name) (node '\(node.name)'): value \(i) is \(values[i]), not finite in \(T.self)")
        }
        return values
    }
}
