/// One node of a network: a name, an op and the names of its inputs.
public struct NetworkNode<T: ConvScalar>: Sendable {
    /// Unique within the network.
    public var name: String
    /// What the node computes.
    public var op: NetworkOp<T>
    /// The nodes (or `input`) it reads, in order; empty means the previous node (or `input`
    /// for the first).
    public var inputs: [String]

    /// A node reading `inputs` (default: the previous node).
    public init(name: String, op: NetworkOp<T>, inputs: [String] = []) {
        self.name = name
        self.op = op
        self.inputs = inputs
    }
}

/// Why a network cannot be built: each case names the node.
public enum NetworkError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The network has no nodes.
    case empty
    /// Two nodes share a name (or one is named `input`).
    case duplicateName(String)
    /// An input names no earlier node.
    case unknownInput(node: String, input: String)
    /// The output names no node.
    case unknownOutput(String)
    /// The op takes another number of inputs.
    case inputCount(node: String, op: String, expected: String, got: Int)
    /// An input's channel count does not fit the op.
    case channels(node: String, expected: String, got: Int)
    /// Inputs combined frame by frame run at different rates.
    case rates(node: String, inputs: [String], ratios: [String])
    /// Circular padding needs the whole signal, which a network of more than one node has not.
    case circularPadding(node: String)
    /// A parameter out of its range.
    case parameter(node: String, key: String, reason: String)

    public var description: String {
        switch self {
        case .empty:
            return "the network has no nodes; give at least one"
        case let .duplicateName(name):
            return "node name '\(name)' is used twice (or is the reserved name 'input'); give every node its own name"
        case let .unknownInput(node, input):
            return "node '\(node)': input '\(input)' names no earlier node; nodes read only 'input' or nodes listed before them"
        case let .unknownOutput(name):
            return "output '\(name)' names no node"
        case let .inputCount(node, op, expected, got):
            return "node '\(node)': \(op) takes \(expected) inputs, got \(got)"
        case let .channels(node, expected, got):
            return "node '\(node)': expected \(expected), got an input of \(got) channels"
        case let .rates(node, inputs, ratios):
            let pairs = zip(inputs, ratios).map { "\($0) at \($1) of the input rate" }.joined(separator: ", ")
            return "node '\(node)': its inputs run at different rates (\(pairs)); combine only branches with the same strides"
        case let .circularPadding(node):
            return "node '\(node)': circular padding needs the whole signal, so only a one-node network may use it; use another padding_mode"
        case let .parameter(node, key, reason):
            return "node '\(node)': \(key): \(reason)"
        }
    }
}

/// A network's nodes, checked: in topological order, channels that chain, rates that agree
/// where branches meet. What ``Network`` streams and `info` describes.
public struct NetworkGraph<T: ConvScalar>: Sendable {
    /// Channels of the input, the node named `input`.
    public let inputChannels: Int
    /// The nodes, each reading only `input` or nodes before it.
    public let nodes: [NetworkNode<T>]
    /// Index of the node whose output is the network's.
    public let outputNode: Int
    /// Per node: the indices it reads, with −1 for `input`.
    public let inputIndices: [[Int]]
    /// Per node: its output channels.
    public let channels: [Int]
    /// Per node: its output rate over the input's.
    public let ratios: [FrameRatio]
    /// Per node: the latency of its output behind the input, in input frames (the slowest path).
    public let latencies: [Double]

    /// Checks and links `nodes`; `output` defaults to the last node.
    /// - Throws: ``NetworkError`` naming the node.
    public init(inputChannels: Int, nodes: [NetworkNode<T>], output: String? = nil) throws(NetworkError) {
        guard !nodes.isEmpty else { throw .empty }
        var index: [String: Int] = ["input": -1]
        var inputIndices: [[Int]] = [], channels: [Int] = [], ratios: [FrameRatio] = [], latencies: [Double] = []
        func channelsOf(_ i: Int) -> Int { i < 0 ? inputChannels : channels[i] }
        func ratioOf(_ i: Int) -> FrameRatio { i < 0 ? .one : ratios[i] }
        for (position, node) in nodes.enumerated() {
            guard index[node.name] == nil else { throw .duplicateName(node.name) }
            let names = node.inputs.isEmpty ? [position == 0 ? "input" : nodes[position - 1].name] : node.inputs
            var reads: [Int] = []
            for name in names {
                guard let i = index[name] else { throw .unknownInput(node: node.name, input: name) }
                reads.append(i)
            }
            let inChannels = reads.map(channelsOf)
            let inRatios = reads.map(ratioOf)
            let out = try Self.check(node, inputs: inChannels, alone: nodes.count == 1)
            if Set(inRatios).count > 1 {
                throw .rates(node: node.name, inputs: names, ratios: inRatios.map(\.description))
            }
            let ratio = inRatios[0] * node.op.rateRatio
            let inputLatency = reads.map { $0 < 0 ? 0 : latencies[$0] }.max()!
            let own = Double(Self.latency(of: node.op)) * Double(inRatios[0].inputs) / Double(inRatios[0].outputs)
            index[node.name] = position
            inputIndices.append(reads)
            channels.append(out)
            ratios.append(ratio)
            latencies.append(inputLatency + own)
        }
        let outputName = output ?? nodes[nodes.count - 1].name
        guard let outputNode = index[outputName], outputNode >= 0 else { throw .unknownOutput(outputName) }
        self.inputChannels = inputChannels
        self.nodes = nodes
        self.outputNode = outputNode
        self.inputIndices = inputIndices
        self.channels = channels
        self.ratios = ratios
        self.latencies = latencies
    }

    /// Output channels of the network.
    public var outputChannels: Int { channels[outputNode] }
    /// Output rate over input rate.
    public var ratio: FrameRatio { ratios[outputNode] }
    /// The latency of the output, in input frames, rounded up: the input frames between a
    /// sample arriving and the output aligned with it leaving, along the slowest path.
    public var latency: Int { max(0, Int(latencies[outputNode].rounded(.up))) }

    /// The op's output channels for inputs of `inputs` channels.
    static func check(_ node: NetworkNode<T>, inputs: [Int], alone: Bool) throws(NetworkError) -> Int {
        let name = node.name
        func one() throws(NetworkError) -> Int {
            guard inputs.count == 1 else { throw .inputCount(node: name, op: node.op.name, expected: "1", got: inputs.count) }
            return inputs[0]
        }
        switch node.op {
        case let .conv1d(conv):
            let c = try one()
            if c != conv.spec.inChannels { throw .channels(node: name, expected: "in_channels=\(conv.spec.inChannels)", got: c) }
            if conv.spec.paddingMode == .circular && !alone { throw .circularPadding(node: name) }
            return conv.spec.outChannels
        case let .convTranspose1d(conv):
            let c = try one()
            if c != conv.spec.inChannels { throw .channels(node: name, expected: "in_channels=\(conv.spec.inChannels)", got: c) }
            return conv.spec.outChannels
        case let .pad(left, right, mode, _):
            let c = try one()
            if mode == .circular { throw .circularPadding(node: name) }
            if (left < 0 || right < 0) && mode != .zeros {
                throw .parameter(node: name, key: "padding", reason: "negative amounts (crops) need mode zeros, as in F.pad, got \(mode)")
            }
            return c
        case let .pointwise(op):
            let c = try one()
            if let expected = op.channels, expected != c {
                throw .channels(node: name, expected: "\(expected) (one \(op.name) parameter per channel)", got: c)
            }
            return c
        case .add, .mul:
            if case .mul = node.op, inputs.count != 2 { throw .inputCount(node: name, op: "mul", expected: "2", got: inputs.count) }
            if inputs.count < 2 { throw .inputCount(node: name, op: node.op.name, expected: "2 or more", got: inputs.count) }
            if let other = inputs.first(where: { $0 != inputs[0] }) {
                throw .channels(node: name, expected: "\(inputs[0]) channels like its first input", got: other)
            }
            return inputs[0]
        case .cat:
            if inputs.count < 2 { throw .inputCount(node: name, op: "cat", expected: "2 or more", got: inputs.count) }
            return inputs.reduce(0, +)
        case let .slice(start, end):
            let c = try one()
            guard start >= 0, start < end, end <= c else {
                throw .parameter(node: name, key: "start, end", reason: "need 0 ≤ start < end ≤ \(c) (the input's channels), got \(start), \(end)")
            }
            return end - start
        case .glu:
            let c = try one()
            if c % 2 != 0 { throw .channels(node: name, expected: "an even channel count (glu halves it)", got: c) }
            return c / 2
        case let .delay(frames):
            let c = try one()
            if frames < 0 { throw .parameter(node: name, key: "frames", reason: "must be 0 or more, got \(frames)") }
            return c
        }
    }

    /// How far one op's output index lags its input index when streamed, in its input
    /// frames: output `t` (aligned with input `t`) leaves that many frames after input `t`
    /// arrived. Negative where the op emits ahead (a left pad goes out before the samples
    /// it precedes), so a causal pad-then-convolve adds nothing. A `delay` shifts the
    /// content, not the stream: 0.
    static func latency(of op: NetworkOp<T>) -> Int {
        switch op {
        case let .conv1d(conv): return conv.spec.receptiveField - 1 - conv.spec.padLeft
        case let .convTranspose1d(conv): return conv.latency
        case let .pad(left, right, _, _): return max(0, -right) - left
        default: return 0
        }
    }

    /// Output frames for an input of `length` frames, or the error the network raises.
    public func outputLength(inputLength length: Int) throws(Conv1dError) -> Int {
        var lengths: [Int] = []
        for (i, node) in nodes.enumerated() {
            let ins = inputIndices[i].map { $0 < 0 ? length : lengths[$0] }
            if Set(ins).count > 1 { throw .branchLengths(node: node.name, lengths: ins) }
            let n = ins[0]
            do throws(Conv1dError) {
                switch node.op {
                case let .conv1d(conv): lengths.append(try conv.spec.outputLength(inputLength: n))
                case let .convTranspose1d(conv): lengths.append(try conv.spec.outputLength(inputLength: n))
                case let .pad(left, right, mode, _):
                    if n == 0 { throw Conv1dError.emptyInput }
                    if mode == .reflect && (left >= n || right >= n) { throw Conv1dError.reflectPaddingTooLarge(left: left, right: right, inputLength: n) }
                    if max(0, -left) + max(0, -right) > n { throw Conv1dError.cropTooLarge(left: left, right: right, inputLength: n) }
                    lengths.append(n + left + right)
                default: lengths.append(n)
                }
            } catch {
                throw .node(name: node.name, error)
            }
        }
        return lengths[outputNode]
    }
}
