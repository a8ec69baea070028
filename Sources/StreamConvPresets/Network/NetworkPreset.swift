import Foundation
import StreamConv

/// A network preset (schema version 2, `NETWORK-SCHEMA.md`): a graph of streaming layers
/// with PyTorch's semantics whose tensors come from one state dict (`weights`) or inline.
///
/// Decoding checks every key of every node strictly (each error names the node and the key);
/// ``graph(as:rate:engine:presets:)`` reads the tensors (the state dict mapped once) and links
/// the graph, checking shapes, channels and rates.
public struct NetworkPreset: Sendable {
    /// Shown by `presets` and `info`.
    public var name: String
    /// One line for humans.
    public var description: String
    /// The rate the weights were trained at, if stated: other rates are refused.
    public var sampleRate: Int?
    /// Channels of the graph's input.
    public var inChannels: Int
    /// The state dict, resolved against the preset's folder.
    public var weights: String?
    /// The node written, or `nil` for the last.
    public var output: String?
    /// The nodes, in order.
    public var nodes: [Node]
    let stateDicts = StateDictCache()
    /// A chain whose first filter acts on each channel alone takes any channel count: set
    /// ``inChannels`` to the input's.
    public private(set) var acceptsAnyChannels = false

    /// One decoded node: its op with the hyper-parameters read, its tensors not yet.
    public struct Node: Sendable {
        /// Unique in the network.
        public var name: String
        /// The op's schema name.
        public var op: String
        /// Input names (empty: the previous node).
        public var inputs: [String]
        let kind: Kind
        /// `weights_prefix` into the state dict, or the inline tensors by PyTorch name.
        let prefix: String?
        let inline: [String: InlineTensor]
    }

    struct InlineTensor: Sendable {
        let shape: [Int]
        let values: [Substring]
    }

    enum Kind: Sendable {
        case conv1d(Conv1dSpec, seed: UInt64?)
        case convTranspose1d(ConvTranspose1dSpec, seed: UInt64?)
        case pad(left: Int, right: Int, mode: PaddingMode, value: Double)
        case activation(Pointwise<Double>)
        case prelu(count: Int)
        case snake
        case batchNorm(features: Int, eps: Double)
        case add, mul, cat, glu
        case slice(start: Int, end: Int)
        case gain(Double)
        case delay(Int)
        case preset(String)
    }

    /// `--preset A --preset B … [--gain DB]`: the presets one after another as `preset`
    /// nodes, then a gain node. Each is resolved at its input's rate and channel count.
    public static func chain(_ presets: [(reference: String, preset: Preset)], gainDB: Double?) -> NetworkPreset {
        let first = presets[0].preset
        var nodes = presets.enumerated().map { i, p in
            Node(name: presets.count == 1 ? p.preset.name : "\(i + 1):\(p.preset.name)", op: "preset", inputs: [],
                 kind: .preset(p.reference), prefix: nil, inline: [:])
        }
        if let gainDB { nodes.append(Node(name: "gain", op: "gain", inputs: [], kind: .gain(Foundation.pow(10, gainDB / 20)), prefix: nil, inline: [:])) }
        var chain = NetworkPreset(name: presets.map(\.preset.name).joined(separator: " → ") + (gainDB.map { String(format: " → %+g dB", $0) } ?? ""),
                                  description: "a chain of presets", sampleRate: presets.compactMap(\.preset.fixedRate).first,
                                  inChannels: first.spec.inChannels, weights: nil, output: nil, nodes: nodes)
        chain.acceptsAnyChannels = first.acceptsAnyChannels
        return chain
    }

    private init(name: String, description: String, sampleRate: Int?, inChannels: Int, weights: String?, output: String?, nodes: [Node]) {
        (self.name, self.description, self.sampleRate, self.inChannels) = (name, description, sampleRate, inChannels)
        (self.weights, self.output, self.nodes) = (weights, output, nodes)
    }

    /// Whether a document is a network preset (it has `network`).
    public static func isNetwork(_ root: JSONValue) -> Bool {
        if case let .object(pairs) = root { return pairs.contains { $0.0 == "network" } }
        return false
    }

    /// Decodes a network preset strictly; relative paths start from `directory`.
    public init(_ root: JSONValue, defaultName: String, directory: String = ".") throws(PresetError) {
        let top = try ObjectReader(root, path: "preset", allowed: [
            "name", "description", "sample_rate", "in_channels", "weights", "network", "output", "version",
        ])
        if let v = top.value("version") {
            let version = try v.int("version", min: 1, max: 2)
            if version != 2 { throw .invalid(path: "version", expected: "2 for a network preset", got: "\(version)") }
        }
        name = try top.optional("name") { v, p throws(PresetError) in try v.string(p) } ?? defaultName
        description = try top.optional("description") { v, p throws(PresetError) in try v.string(p) } ?? ""
        sampleRate = try top.optional("sample_rate") { v, p throws(PresetError) in try v.int(p, min: 1, max: Int(Int32.max)) }
        inChannels = try top.required("in_channels").int("in_channels", min: 1)
        weights = try top.optional("weights") { v, p throws(PresetError) in
            let file = try v.string(p)
            guard file.lowercased().hasSuffix(".safetensors") else {
                throw PresetError.invalid(path: p, expected: "a .safetensors state dict", got: "\"\(file)\"")
            }
            return file.hasPrefix("/") ? file : directory + "/" + file
        }
        output = try top.optional("output") { v, p throws(PresetError) in try v.string(p) }
        guard case let .array(items) = try top.required("network") else {
            throw .invalid(path: "network", expected: "an array of nodes", got: top.value("network")!.kind)
        }
        guard !items.isEmpty else { throw .invalid(path: "network", expected: "at least one node", got: "an empty array") }
        var nodes: [Node] = []
        for (i, item) in items.enumerated() {
            nodes.append(try Self.decodeNode(item, position: i, hasStateDict: weights != nil))
        }
        self.nodes = nodes
    }

    // MARK: - Nodes

    /// Keys every node may have.
    static let commonKeys = ["name", "op", "inputs"]
    /// Keys of a node with tensors.
    static let tensorKeys = ["weights_prefix"]

    static func decodeNode(_ value: JSONValue, position: Int, hasStateDict: Bool) throws(PresetError) -> Node {
        guard case let .object(pairs) = value else { throw .invalid(path: "network[\(position)]", expected: "an object", got: value.kind) }
        var name = "n\(position)"
        if let v = pairs.first(where: { $0.0 == "name" })?.1 { name = try v.string("network[\(position)].name") }
        let path = "network.\(name)"
        guard let opValue = pairs.first(where: { $0.0 == "op" })?.1 else { throw .missingKey(path: path + ".op") }
        let op = try opValue.string(path + ".op")
        func reader(_ keys: [String]) throws(PresetError) -> ObjectReader {
            try ObjectReader(value, path: path, allowed: commonKeys + keys)
        }
        var inline: [String: InlineTensor] = [:]
        var prefix: String?
        /// Reads the tensors `names` of an op: a prefix into the state dict, or inline.
        func tensors(_ o: ObjectReader, _ names: [String], depth: [String: Int]) throws(PresetError) {
            prefix = try o.optional("weights_prefix") { v, p throws(PresetError) in try v.string(p) }
            let given = names.filter(o.has)
            if prefix != nil && !given.isEmpty {
                throw .invalid(path: o.keyPath(given[0]), expected: "tensors from weights_prefix or inline, not both", got: "both")
            }
            if prefix != nil && !hasStateDict {
                throw .invalid(path: o.keyPath("weights_prefix"), expected: "a top-level \"weights\" state dict for weights_prefix", got: "no weights")
            }
            for key in given {
                let v = o.value(key)!
                let d = depth[key] ?? 1
                guard let shape = v.regularShape(depth: d) else {
                    throw .invalid(path: o.keyPath(key), expected: "a regular nested array of \(d) levels", got: Preset.shapeText(v.firstShape(depth: d)))
                }
                var values: [Substring] = []
                try v.collectNumbers(into: &values, path: o.keyPath(key), depth: d)
                inline[key] = InlineTensor(shape: shape, values: values)
            }
        }
        func int(_ o: ObjectReader, _ key: String, default value: Int, min: Int = 0) throws(PresetError) -> Int {
            try o.optional(key) { v, p throws(PresetError) in try v.intOrSingleton(p, min: min) } ?? value
        }
        func number(_ o: ObjectReader, _ key: String, default value: Double) throws(PresetError) -> Double {
            try o.optional(key) { v, p throws(PresetError) in try v.double(p) } ?? value
        }
        func seed(_ o: ObjectReader) throws(PresetError) -> UInt64? {
            guard let v = o.value("init") else { return nil }
            let initObject = try ObjectReader(v, path: o.keyPath("init"), allowed: ["seed"])
            return try initObject.required("seed").uint64(o.keyPath("init.seed"))
        }
        let kind: Kind
        switch op {
        case "conv1d":
            let convKeys = ["in_channels", "out_channels", "kernel_size", "stride", "padding", "dilation", "groups", "bias", "padding_mode"]
            let o = try reader(convKeys + tensorKeys + ["weight", "init"])
            // `bias` is the flag when it is a bool, the tensor (and the flag true) when an array.
            let specValue = JSONValue.object(pairs.filter { convKeys.contains($0.0) }.map { key, value in
                if key == "bias", case .array = value { return (key, JSONValue.bool(true)) }
                return (key, value)
            })
            let spec = try Preset.decodeSpec(specValue, path: path)
            var tensorNames = ["weight"]
            if case .array? = o.value("bias") { tensorNames.append("bias") }
            try tensors(o, tensorNames, depth: ["weight": 3])
            let s = try seed(o)
            try requireWeights(o, prefix: prefix, inline: inline, seed: s, name: "weight")
            kind = .conv1d(spec, seed: s)
        case "conv_transpose1d":
            let keys = ["in_channels", "out_channels", "kernel_size", "stride", "padding", "output_padding", "groups", "bias", "dilation"]
            let o = try reader(keys + tensorKeys + ["weight", "init"])
            // `bias` is the flag here when it is a bool, the tensor when it is an array.
            let flag: Bool
            if case let .bool(b)? = o.value("bias") { flag = b } else { flag = true }
            let spec: ConvTranspose1dSpec
            do {
                spec = try ConvTranspose1dSpec(
                    inChannels: o.required("in_channels").int(o.keyPath("in_channels"), min: 1),
                    outChannels: o.required("out_channels").int(o.keyPath("out_channels"), min: 1),
                    kernelSize: o.required("kernel_size").intOrSingleton(o.keyPath("kernel_size"), min: 1),
                    stride: int(o, "stride", default: 1, min: 1), padding: int(o, "padding", default: 0),
                    outputPadding: int(o, "output_padding", default: 0), groups: int(o, "groups", default: 1, min: 1),
                    bias: flag, dilation: int(o, "dilation", default: 1, min: 1))
            } catch let error as PresetError {
                throw error
            } catch let error as Conv1dError {
                throw .conv1d(path: path, error)
            } catch {
                throw .invalid(path: path, expected: "a conv_transpose1d", got: "\(error)")
            }
            var tensorNames = ["weight"]
            if case .array? = o.value("bias") { tensorNames.append("bias") }
            try tensors(o, tensorNames, depth: ["weight": 3])
            let s = try seed(o)
            try requireWeights(o, prefix: prefix, inline: inline, seed: s, name: "weight")
            kind = .convTranspose1d(spec, seed: s)
        case "pad":
            let o = try reader(["padding", "mode", "value"])
            guard case let .array(amounts)? = o.value("padding"), amounts.count == 2 else {
                throw .invalid(path: o.keyPath("padding"), expected: "[left, right] (negative crops)", got: o.value("padding")?.kind ?? "nothing")
            }
            let left = try amounts[0].int(o.keyPath("padding[0]"), min: -Int(Int32.max))
            let right = try amounts[1].int(o.keyPath("padding[1]"), min: -Int(Int32.max))
            let modeName = try o.optional("mode") { v, p throws(PresetError) in try v.string(p) } ?? "zeros"
            let modes: [String: PaddingMode] = ["zeros": .zeros, "constant": .zeros, "reflect": .reflect, "replicate": .replicate]
            guard let mode = modes[modeName] else {
                throw .invalid(path: o.keyPath("mode"), expected: "one of zeros, reflect, replicate (circular needs the whole signal)", got: "\"\(modeName)\"")
            }
            let fill = try number(o, "value", default: 0)
            if fill != 0 && mode != .zeros { throw .invalid(path: o.keyPath("value"), expected: "value only with mode zeros", got: "\(fill)") }
            kind = .pad(left: left, right: right, mode: mode, value: fill)
        case "relu", "sigmoid", "tanh", "silu", "selu":
            _ = try reader([])
            let table: [String: Pointwise<Double>] = ["relu": .relu, "sigmoid": .sigmoid, "tanh": .tanh, "silu": .silu, "selu": .selu]
            kind = .activation(table[op]!)
        case "leaky_relu":
            let o = try reader(["negative_slope"])
            kind = .activation(.leakyRelu(negativeSlope: try number(o, "negative_slope", default: 0.01)))
        case "elu":
            let o = try reader(["alpha"])
            kind = .activation(.elu(alpha: try number(o, "alpha", default: 1)))
        case "gelu":
            let o = try reader(["approximate"])
            let approximate = try o.optional("approximate") { v, p throws(PresetError) in try v.string(p) } ?? "none"
            guard approximate == "none" || approximate == "tanh" else {
                throw .invalid(path: o.keyPath("approximate"), expected: "\"none\" or \"tanh\"", got: "\"\(approximate)\"")
            }
            kind = .activation(.gelu(tanhApproximation: approximate == "tanh"))
        case "hardtanh":
            let o = try reader(["min_val", "max_val"])
            let (low, high) = (try number(o, "min_val", default: -1), try number(o, "max_val", default: 1))
            guard low < high else { throw .invalid(path: o.keyPath("max_val"), expected: "more than min_val (\(low))", got: "\(high)") }
            kind = .activation(.hardtanh(min: low, max: high))
        case "prelu":
            let o = try reader(["num_parameters", "weight"] + tensorKeys)
            let count = try int(o, "num_parameters", default: 1, min: 1)
            try tensors(o, ["weight"], depth: ["weight": 1])
            try requireWeights(o, prefix: prefix, inline: inline, seed: nil, name: "weight")
            kind = .prelu(count: count)
        case "snake":
            let o = try reader(["alpha"] + tensorKeys)
            try tensors(o, ["alpha"], depth: ["alpha": o.value("alpha")?.regularShape(depth: 3) != nil ? 3 : 1])
            try requireWeights(o, prefix: prefix, inline: inline, seed: nil, name: "alpha")
            kind = .snake
        case "batch_norm1d":
            let names = ["weight", "bias", "running_mean", "running_var"]
            let o = try reader(["num_features", "eps", "momentum", "affine", "track_running_stats"] + names + tensorKeys)
            let features = try o.required("num_features").int(o.keyPath("num_features"), min: 1)
            let eps = try number(o, "eps", default: 1e-5)
            try tensors(o, names, depth: [:])
            if prefix == nil {
                for n in names where inline[n] == nil { throw .missingKey(path: o.keyPath(n)) }
            }
            kind = .batchNorm(features: features, eps: eps)
        case "add", "mul", "cat", "glu":
            _ = try reader([])
            kind = ["add": Kind.add, "mul": .mul, "cat": .cat, "glu": .glu][op]!
        case "slice":
            let o = try reader(["start", "end"])
            kind = .slice(start: try o.required("start").int(o.keyPath("start"), min: 0),
                          end: try o.required("end").int(o.keyPath("end"), min: 1))
        case "gain":
            let o = try reader(["db", "factor"])
            switch (o.value("db"), o.value("factor")) {
            case let (db?, nil): kind = .gain(Foundation.pow(10, try db.double(o.keyPath("db")) / 20))
            case let (nil, factor?): kind = .gain(try factor.double(o.keyPath("factor")))
            default: throw .invalid(path: path, expected: "exactly one of db and factor", got: o.has("db") ? "both" : "neither")
            }
        case "delay":
            let o = try reader(["frames"])
            kind = .delay(try o.required("frames").int(o.keyPath("frames"), min: 0))
        case "preset":
            let o = try reader(["preset"])
            kind = .preset(try o.required("preset").string(o.keyPath("preset")))
        default:
            throw .invalid(path: path + ".op", expected: "one of conv1d, conv_transpose1d, pad, relu, sigmoid, tanh, silu, selu, leaky_relu, elu, gelu, hardtanh, prelu, snake, batch_norm1d, add, mul, cat, slice, glu, gain, delay, preset", got: "\"\(op)\"")
        }
        var inputs: [String] = []
        if let v = pairs.first(where: { $0.0 == "inputs" })?.1 {
            guard case let .array(names) = v, !names.isEmpty else { throw .invalid(path: path + ".inputs", expected: "a non-empty array of node names", got: v.kind) }
            for (j, n) in names.enumerated() { inputs.append(try n.string("\(path).inputs[\(j)]")) }
        }
        return Node(name: name, op: op, inputs: inputs, kind: kind, prefix: prefix, inline: inline)
    }

    static func requireWeights(_ o: ObjectReader, prefix: String?, inline: [String: InlineTensor], seed: UInt64?, name: String) throws(PresetError) {
        if prefix == nil && inline[name] == nil && seed == nil {
            throw .invalid(path: o.keyPath(name), expected: "the tensor inline, or weights_prefix into the state dict", got: "neither")
        }
    }
}
