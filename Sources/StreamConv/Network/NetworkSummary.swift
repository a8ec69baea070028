/// What `info` says of a network: per node its op, shapes, rate, latency, parameters and
/// multiply-adds; in total the latency, receptive field, parameters and multiply-adds per
/// second of audio at the input rate.
public struct NetworkSummary: Sendable {
    /// One row of the graph table.
    public struct Row: Sendable {
        /// The node's name.
        public let name: String
        /// The op's schema name.
        public let op: String
        /// The node's inputs (`input` for the graph's).
        public let inputs: [String]
        /// Input and output channels.
        public let inputChannels: Int, outputChannels: Int
        /// The node's output rate over the network's input rate.
        public let ratio: FrameRatio
        /// Latency of the node's output behind the input, in input frames.
        public let latency: Double
        /// Trainable values.
        public let parameters: Int
        /// Multiply-adds per input frame of the network.
        public let multiplyAdds: Double
        /// A short description of the hyper-parameters.
        public let detail: String
    }

    /// The nodes in order.
    public let rows: [Row]
    /// The output's latency in input frames.
    public let latency: Int
    /// Input frames one output frame depends on, at most (the span of the receptive fields).
    public let receptiveField: Int
    /// Trainable values in all.
    public let parameters: Int
    /// Multiply-adds per input frame.
    public let multiplyAddsPerFrame: Double
    /// Output over input rate.
    public let ratio: FrameRatio

    /// The summary of `graph`.
    public init<T: ConvScalar>(_ graph: NetworkGraph<T>) {
        var rows: [Row] = []
        var fields: [Double] = []
        for (i, node) in graph.nodes.enumerated() {
            let reads = graph.inputIndices[i]
            let inChannels = reads.first.map { $0 < 0 ? graph.inputChannels : graph.channels[$0] } ?? graph.inputChannels
            let inRatio = reads.first.map { $0 < 0 ? FrameRatio.one : graph.ratios[$0] } ?? .one
            let perInput = Double(inRatio.outputs) / Double(inRatio.inputs)
            let outPerInput = Double(graph.ratios[i].outputs) / Double(graph.ratios[i].inputs)
            // Receptive field in network input frames, summed along the widest path.
            let before = reads.map { $0 < 0 ? 1.0 : fields[$0] }.max() ?? 1
            var parameters = 0, macs = 0.0, span = 0.0
            let detail: String
            switch node.op {
            case let .conv1d(conv):
                let s = conv.spec
                parameters = s.weightShape.reduce(1, *) + (s.bias ? s.outChannels : 0)
                macs = Double(s.outChannels * s.inChannelsPerGroup * s.kernelSize) * outPerInput
                span = Double(s.receptiveField - 1) / perInput
                detail = "kernel \(s.kernelSize)" + (s.stride > 1 ? ", stride \(s.stride)" : "") + (s.dilation > 1 ? ", dilation \(s.dilation)" : "")
                    + (s.groups > 1 ? ", groups \(s.groups)" : "") + ", padding \(s.padLeft)" + (s.paddingMode != .zeros ? " \(s.paddingMode)" : "")
            case let .convTranspose1d(conv):
                let s = conv.spec
                parameters = s.weightShape.reduce(1, *) + (s.bias ? s.outChannels : 0)
                macs = Double(s.inChannels * (s.outChannels / s.groups) * s.kernelSize) * perInput
                span = Double(s.dilation * (s.kernelSize - 1)) / Double(s.stride) / perInput
                detail = "kernel \(s.kernelSize), stride \(s.stride)" + (s.padding > 0 ? ", padding \(s.padding)" : "")
                    + (s.outputPadding > 0 ? ", output_padding \(s.outputPadding)" : "") + (s.dilation > 1 ? ", dilation \(s.dilation)" : "")
            case let .pad(left, right, mode, _):
                detail = "[\(left), \(right)] \(mode)"
            case let .pointwise(p):
                parameters = p.parameterCount
                detail = ""
            case let .slice(start, end):
                detail = "channels \(start)..<\(end)"
            case let .delay(frames):
                detail = "\(frames) frames"
                span = Double(frames) / perInput
            default:
                detail = ""
            }
            fields.append(before + span)
            rows.append(Row(name: node.name, op: node.op.name, inputs: reads.map { $0 < 0 ? "input" : graph.nodes[$0].name },
                            inputChannels: inChannels, outputChannels: graph.channels[i], ratio: graph.ratios[i],
                            latency: graph.latencies[i], parameters: parameters, multiplyAdds: macs, detail: detail))
        }
        self.rows = rows
        latency = graph.latency
        receptiveField = Int(fields[graph.outputNode].rounded(.up))
        parameters = rows.reduce(0) { $0 + $1.parameters }
        multiplyAddsPerFrame = rows.reduce(0) { $0 + $1.multiplyAdds }
        ratio = graph.ratio
    }
}
