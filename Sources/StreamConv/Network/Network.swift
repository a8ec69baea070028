/// A network of streaming layers (``NetworkGraph``) as one ``Stage``: `nn.Conv1d`,
/// `nn.ConvTranspose1d`, pads, activations and the joins of residual and skip paths.
///
/// Every node writes its output into a queue; a node runs on the frames all its inputs
/// have (branches are joined by frame index: the branch ahead waits in its queue), so each
/// node sees exactly the frames it would see in one whole-signal call, and each op is itself
/// chunk-invariant: the network's output is bit for bit its whole-signal output however the
/// input is cut. Queue sizes come from each op's frame-count bounds at ``prepare(maxFrames:)``,
/// the only call that allocates.
public struct Network<T: ConvScalar>: Stage, ~Copyable, Sendable {
    public typealias Scalar = T
    /// The graph streamed.
    public let graph: NetworkGraph<T>
    public private(set) var maxFrames: Int
    /// Queue 0 is the input, queue i + 1 node i's output.
    private var queues: [FrameQueue<T>]
    private var kernels: [NodeKernel<T>]
    /// Per queue, the kernels reading it.
    private let readers: [[Int]]
    private var outputRead: Int64 = 0
    private var finished = false
    /// Per queue: output frames per input frame, and frames below and above `ratio·L`.
    private var ratios: [Double] = []
    private var lags: [Double] = []
    private var leads: [Double] = []
    private var tails: [Double] = []

    /// A stream of `graph`, prepared for chunks of up to `maxFrames` frames.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public init(_ graph: NetworkGraph<T>, maxFrames: Int = 4096) {
        self.graph = graph
        var queues = [FrameQueue<T>(channels: graph.inputChannels, capacity: 1)]
        for c in graph.channels { queues.append(FrameQueue(channels: c, capacity: 1)) }
        var readers = [[Int]](repeating: [], count: queues.count)
        var kernels: [NodeKernel<T>] = []
        for (i, node) in graph.nodes.enumerated() {
            let ins = graph.inputIndices[i].map { queues[$0 + 1] }
            for q in graph.inputIndices[i] where !readers[q + 1].contains(i) { readers[q + 1].append(i) }
            kernels.append(Self.kernel(for: node, inputs: ins, output: queues[i + 1], maxInput: 1))
        }
        self.queues = queues
        self.kernels = kernels
        self.readers = readers
        self.maxFrames = 0
        computeBounds()
        prepare(maxFrames: maxFrames)
    }

    private init(copying other: borrowing Network) {
        graph = other.graph
        maxFrames = other.maxFrames
        queues = other.queues.map { $0.copy() }
        let queues = queues
        kernels = other.kernels.enumerated().map { i, kernel in
            kernel.copy(inputs: other.graph.inputIndices[i].map { queues[$0 + 1] }, output: queues[i + 1])
        }
        readers = other.readers
        outputRead = other.outputRead
        finished = other.finished
        (ratios, lags, leads, tails) = (other.ratios, other.lags, other.leads, other.tails)
    }

    static func kernel(for node: NetworkNode<T>, inputs: [FrameQueue<T>], output: FrameQueue<T>, maxInput: Int) -> NodeKernel<T> {
        let name = node.name
        switch node.op {
        case let .conv1d(conv): return ConvKernel(name: name, conv: conv, inputs: inputs, output: output, maxInput: maxInput)
        case let .convTranspose1d(conv): return ConvTransposeKernel(name: name, conv: conv, inputs: inputs, output: output, maxInput: maxInput)
        case let .pad(left, right, mode, value):
            return PadKernel(name: name, left: left, right: right, mode: mode, value: value, inputs: inputs, output: output, maxInput: maxInput)
        case let .pointwise(op): return PointwiseKernel(name: name, op: op, channels: output.channels, inputs: inputs, output: output)
        case .add: return JoinKernel(name: name, kind: .add, inputs: inputs, output: output)
        case .mul: return JoinKernel(name: name, kind: .mul, inputs: inputs, output: output)
        case .cat: return JoinKernel(name: name, kind: .cat, inputs: inputs, output: output)
        case let .slice(start, _): return JoinKernel(name: name, kind: .slice(start), inputs: inputs, output: output)
        case .glu: return JoinKernel(name: name, kind: .glu, inputs: inputs, output: output)
        case let .delay(frames): return DelayKernel(name: name, frames: frames, inputs: inputs, output: output, maxInput: maxInput)
        }
    }

    /// Each queue's frame counts after `L` input frames lie in `[ratio·L − lag, ratio·L + lead]`,
    /// and finish adds at most `tail`: composed node by node from the kernels' own bounds.
    private mutating func computeBounds() {
        ratios = [1]
        lags = [0]
        leads = [0]
        tails = [0]
        for (i, kernel) in kernels.enumerated() {
            let ins = graph.inputIndices[i].map { $0 + 1 }
            let lag = ins.map { lags[$0] }.max()!
            let lead = ins.map { leads[$0] }.max()!
            let tail = ins.map { tails[$0] }.max()!
            let b = kernel.bounds
            let r = Double(b.ratio.outputs) / Double(b.ratio.inputs)
            ratios.append(ratios[ins[0]] * r)
            lags.append(r * lag + Double(b.lag) + 1)
            leads.append(r * lead + Double(b.lead) + 1)
            // At the end a node takes what its inputs hold beyond its position and their tails.
            tails.append(r * (lag + lead + tail + 2) + Double(b.tail + b.lag + b.lead) + 2)
        }
    }

    /// The most frames a kernel reading queues `ins` takes in one pass of `frames` input frames.
    private func passInput(_ ins: [Int], frames: Int) -> Int {
        let most = ins.map { ratios[$0] * Double(frames) + lags[$0] + leads[$0] + 2 }.max()!
        return Int(most.rounded(.up))
    }

    /// Makes room for chunks of up to `maxFrames` frames. Allocates; keeps the state.
    public mutating func prepare(maxFrames requested: Int) {
        let frames = min(max(1, requested), Conv1dSpec.maximumSize)
        guard frames > maxFrames else { return }
        maxFrames = frames
        for (q, queue) in queues.enumerated() {
            // What the slowest reader has not taken yet, a pass, and the end's tail.
            let readerLag = readers[q].map { k in graph.inputIndices[k].map { lags[$0 + 1] }.max()! }.max() ?? 0
            let capacity = ratios[q] * Double(frames) + leads[q] + readerLag + tails[q] + 4
            queue.reserve(Int(capacity.rounded(.up)))
        }
        for (i, kernel) in kernels.enumerated() {
            kernel.prepare(maxInput: passInput(graph.inputIndices[i].map { $0 + 1 }, frames: frames))
        }
    }

    public var inputChannels: Int { graph.inputChannels }
    public var outputChannels: Int { graph.outputChannels }
    public var rateRatio: FrameRatio { graph.ratio }
    public var latency: Int { graph.latency }

    private var output: FrameQueue<T> { queues[graph.outputNode + 1] }

    /// Output frames returned by ``process(_:into:)`` since the start.
    public var outputFramesSoFar: Int64 { outputRead }

    /// Simulates the frame counts of every queue after `frames` more input frames.
    private func simulate<R>(frames: Int, final: Bool, _ body: (UnsafeMutableBufferPointer<Int64>) throws(Conv1dError) -> R) throws(Conv1dError) -> R {
        try withUnsafeTemporaryAllocation(of: Int64.self, capacity: queues.count) { (produced: UnsafeMutableBufferPointer<Int64>) throws(Conv1dError) -> R in
            produced[0] = queues[0].produced + Int64(frames)
            for (i, kernel) in kernels.enumerated() {
                let ins = graph.inputIndices[i]
                var least = produced[ins[0] + 1]
                for q in ins.dropFirst() {
                    if final && produced[q + 1] != least {
                        throw Conv1dError.branchLengths(node: kernel.name, lengths: ins.map { Int(produced[$0 + 1]) })
                    }
                    least = min(least, produced[q + 1])
                }
                let extra = Int(least - kernel.consumed)
                let written = final ? try kernel.finalCount(afterInput: extra) : kernel.outputCount(afterInput: extra)
                produced[i + 1] = kernel.output.produced + Int64(written)
            }
            return try body(produced)
        }
    }

    public func outputFrameCount(afterProcessing frames: Int) -> Int {
        guard !finished else { return 0 }
        let out = graph.outputNode + 1
        return (try? simulate(frames: frames, final: false) { Int($0[out] - outputRead) }) ?? 0
    }

    public func outputBound(inputFrames frames: Int) -> Int {
        let q = graph.outputNode + 1
        return Int((ratios[q] * Double(frames) + lags[q] + leads[q]).rounded(.up)) + 2
    }

    public func finishFrameCounts() throws(Conv1dError) -> (head: Int, tail: Int) {
        if finished { throw .streamFinished }
        let out = graph.outputNode + 1
        return (0, try simulate(frames: 0, final: true) { Int($0[out] - outputRead) })
    }

    public var finishBound: (head: Int, tail: Int) {
        let q = graph.outputNode + 1
        return (0, Int((tails[q] + lags[q] + leads[q]).rounded(.up)) + 2)
    }

    public func outputsBeforeTail(inputLength: Int) -> Int {
        (try? graph.outputLength(inputLength: inputLength)) ?? 0
    }

    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public mutating func process(_ input: Signal<T>, into output: inout Signal<T>) throws(Conv1dError) {
        if finished { throw .streamFinished }
        if input.channels != inputChannels { throw .channelMismatch(expected: inputChannels, got: input.channels, groups: 1) }
        if output.channels != outputChannels { throw .outputChannels(expected: outputChannels, got: output.channels) }
        // The exact count walks every node; an output sized by the bound (as callers size
        // it) needs no walk.
        if output.capacity < outputBound(inputFrames: input.frames) {
            let needed = outputFrameCount(afterProcessing: input.frames)
            if output.capacity < needed { throw .outputCapacity(needed: needed, capacity: output.capacity) }
        }
        output.setFrames(0)
        var done = 0
        while done < input.frames {
            let n = min(maxFrames, input.frames - done)
            input.withView { queues[0].append($0.dropping(done), count: n) }
            for kernel in kernels { kernel.step() }
            collect(into: &output)
            done += n
        }
    }

    /// Moves the output queue's new frames to `output` and drops what every reader has passed.
    private mutating func collect(into output: inout Signal<T>) {
        let queue = self.output
        let new = Int(queue.produced - outputRead)
        if new > 0 {
            let (at, stride) = (output.frames, output.capacity)
            let view = queue.view(from: outputRead)
            output.withUnsafeMutableBufferPointer { buffer in
                for c in 0..<queue.channels {
                    (buffer.baseAddress! + c * stride + at).update(from: view.row(c), count: new)
                }
            }
            output.setFrames(at + new)
            outputRead = queue.produced
        }
        for (q, queue) in queues.enumerated() {
            var least = q == graph.outputNode + 1 ? outputRead : queue.produced
            for k in readers[q] { least = min(least, kernels[k].consumed) }
            queue.discard(before: least)
        }
    }

    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public mutating func finish(head: inout Signal<T>, tail: inout Signal<T>) throws(Conv1dError) {
        let counts = try finishFrameCounts()
        if head.channels != outputChannels { throw .outputChannels(expected: outputChannels, got: head.channels) }
        if tail.channels != outputChannels { throw .outputChannels(expected: outputChannels, got: tail.channels) }
        if tail.capacity < counts.tail { throw .outputCapacity(needed: counts.tail, capacity: tail.capacity) }
        finished = true
        head.setFrames(0)
        tail.setFrames(0)
        for kernel in kernels { try kernel.finish() }
        collect(into: &tail)
    }

    public mutating func reset() {
        for queue in queues { queue.reset() }
        for kernel in kernels { kernel.reset() }
        outputRead = 0
        finished = false
    }

    public func copy() -> Network { Network(copying: self) }

    /// Checks every node's own invariants and that every queue's frame count is within the
    /// bounds its size was computed from.
    public func checkInvariants() -> String? {
        let length = Double(queues[0].produced)
        for (i, kernel) in kernels.enumerated() {
            if let problem = kernel.checkInvariants() { return "node '\(kernel.name)': \(problem)" }
            guard !finished else { continue }
            let (q, produced) = (i + 1, Double(queues[i + 1].produced))
            if produced < ratios[q] * length - lags[q] - 1e-9 || produced > ratios[q] * length + leads[q] + 1e-9 {
                return "node '\(kernel.name)' wrote \(Int(produced)) frames after \(Int(length)) input frames, outside [\(ratios[q] * length - lags[q]), \(ratios[q] * length + leads[q])]"
            }
        }
        return nil
    }

    /// The whole-signal output of `x` from this network's start (the stream is reset first).
    /// - Throws: as ``process(_:into:)`` and ``finish(head:tail:)``.
    public mutating func forward(_ x: Signal<T>) throws(Conv1dError) -> Signal<T> {
        reset()
        let body = try process(x)
        let end = try finish()
        reset()
        return Signal.concatenating([end.head, body, end.tail])
    }

    /// See ``forward(_:)``.
    mutating func wholeOutput(_ x: Signal<T>) throws(Conv1dError) -> Signal<T> { try forward(x) }
}
