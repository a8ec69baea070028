import StreamConv
import StreamConvTestSupport
import Testing

/// Random networks: DAGs of every op with random shapes, strides, transposed strides,
/// padding modes and branch layouts, the same structure for Float and Double from one seed.
enum RandomNetwork {
    struct Made<T: ConvScalar> {
        let graph: NetworkGraph<T>
        let length: Int
    }

    static func make<T: ConvScalar>(_: T.Type, seed: UInt64) -> Made<T> {
        var rng = SeededGenerator(seed: seed)
        func r(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &rng) }
        func value() -> T { T(Double.random(in: -1..<1, using: &rng)) }
        let inputChannels = r(1...3)
        // Per entry: name, channels, ratio (the input first).
        var known: [(String, Int, FrameRatio)] = [("input", inputChannels, .one)]
        var nodes: [NetworkNode<T>] = []
        let count = r(1...8)
        for i in 0..<count {
            let name = "n\(i)"
            let source = r(0...3) == 0 ? known[r(0...(known.count - 1))] : known[known.count - 1]
            let c = source.1
            var inputs = [source.0]
            var op: NetworkOp<T>
            var ratio = source.2
            var outChannels = c
            switch r(0...11) {
            case 0, 1:
                let groups = (1...c).filter { c % $0 == 0 }.randomElement(using: &rng)!
                let cout = groups * r(1...3)
                let k = [1, 2, 3, 5, 8, 40].randomElement(using: &rng)!
                let stride = [1, 1, 2, 3].randomElement(using: &rng)!
                let mode = [PaddingMode.zeros, .zeros, .reflect, .replicate].randomElement(using: &rng)!
                let padding = r(0...min(k, 4))
                let spec = try! Conv1dSpec(inChannels: c, outChannels: cout, kernelSize: k, stride: stride,
                                           padding: .samples(padding), dilation: r(1...3), groups: groups,
                                           bias: r(0...1) == 0, paddingMode: mode)
                let engine = [Conv1dEngineChoice.auto, .direct, .fft].randomElement(using: &rng)!
                let arithmetic = Conv1dArithmetic.allCases.randomElement(using: &rng)!
                op = .conv1d(Conv1d(spec: spec, weights: Conv1dWeights(defaultInitFor: spec, seed: rng.next()), engine: engine, arithmetic: arithmetic))
                outChannels = cout
                ratio = ratio * FrameRatio(outputs: 1, inputs: stride)
            case 2:
                let groups = (1...c).filter { c % $0 == 0 }.randomElement(using: &rng)!
                let cout = groups * r(1...2)
                let stride = r(1...4), dilation = r(1...2)
                let k = r(1...7)
                let spec = try! ConvTranspose1dSpec(inChannels: c, outChannels: cout, kernelSize: k, stride: stride,
                                                    padding: r(0...min(2, k)), outputPadding: r(0...(max(stride, dilation) - 1)),
                                                    groups: groups, bias: r(0...1) == 0, dilation: dilation)
                op = .convTranspose1d(ConvTranspose1d(spec: spec, seed: rng.next(), arithmetic: Conv1dArithmetic.allCases.randomElement(using: &rng)!))
                outChannels = cout
                ratio = ratio * FrameRatio(outputs: stride, inputs: 1)
            case 3:
                switch r(0...2) {
                case 0: op = .pad(left: r(-3...4), right: r(-3...4), mode: .zeros, value: r(0...1) == 0 ? 0 : value())
                case 1: op = .pad(left: r(0...3), right: r(0...3), mode: .reflect, value: 0)
                default: op = .pad(left: r(0...3), right: r(0...3), mode: .replicate, value: 0)
                }
            case 4, 5:
                let options: [Pointwise<T>] = [
                    .relu, .sigmoid, .tanh, .silu, .selu, .leakyRelu(negativeSlope: 0.01), .elu(alpha: value() + 1.5),
                    .gelu(tanhApproximation: false), .gelu(tanhApproximation: true), .hardtanh(min: -0.5, max: 0.7),
                    .prelu(weight: [value()]), .prelu(weight: (0..<c).map { _ in value() }),
                    .snake(alpha: (0..<c).map { _ in value() + 1.2 }),
                    .affine(scale: (0..<c).map { _ in value() }, shift: (0..<c).map { _ in value() }), .gain(value() * 3),
                ]
                op = .pointwise(options.randomElement(using: &rng)!)
            case 6, 7:
                let partners = known.filter { $0.1 == c && $0.2 == source.2 && $0.0 != source.0 }
                if let partner = partners.randomElement(using: &rng) {
                    inputs.append(partner.0)
                    if r(0...3) == 0, let third = partners.randomElement(using: &rng) { inputs.append(third.0); op = .add } else {
                        op = r(0...2) == 0 ? .mul : .add
                    }
                } else {
                    op = .pointwise(.tanh)
                }
            case 8:
                let partners = known.filter { $0.2 == source.2 }
                let partner = partners.randomElement(using: &rng)!
                inputs.append(partner.0)
                op = .cat
                outChannels = c + partner.1
            case 9:
                let start = r(0...(c - 1))
                let end = r((start + 1)...c)
                op = .slice(start: start, end: end)
                outChannels = end - start
            case 10:
                if c % 2 == 0 { op = .glu; outChannels = c / 2 } else { op = .delay(frames: r(0...5)) }
            default:
                op = .delay(frames: r(0...5))
            }
            nodes.append(NetworkNode(name: name, op: op, inputs: inputs))
            known.append((name, outChannels, ratio))
        }
        let graph = try! NetworkGraph<T>(inputChannels: inputChannels, nodes: nodes)
        let length = [r(1...12), r(20...300), r(300...1500)].randomElement(using: &rng)!
        return Made(graph: graph, length: length)
    }
}

@Suite struct NetworkTests {
    /// The contract: any chunking (1-frame chunks, chunks on no stride's grid, empty ones)
    /// gives the whole-signal output bit for bit, or the same error; every queue stays within
    /// the bounds it was sized with; output counts are as promised.
    @Test(arguments: 0..<8)
    func randomNetworksStreamBitForBit(batch: UInt64) throws {
        var successes = 0
        for trial in 0..<25 {
            let seed = batch * 1000 + UInt64(trial)
            for precision in 0..<2 {
                var rng = SeededGenerator(seed: seed &+ 77)
                let mismatch: ChunkMismatch?
                if precision == 0 {
                    let made = RandomNetwork.make(Float.self, seed: seed)
                    var net = Network(made.graph, maxFrames: Int.random(in: 1...200, using: &rng))
                    let x = randomSignal(Float.self, channels: made.graph.inputChannels, frames: made.length, using: &rng)
                    let expected = Result { () throws(Conv1dError) in try net.forward(x) }.mapError { $0 as any Error }
                    if case .success = expected { successes += 1 }
                    mismatch = ChunkEquivalence.check(&net, signal: x, expected: expected, trials: 4, using: &rng)
                } else {
                    let made = RandomNetwork.make(Double.self, seed: seed)
                    var net = Network(made.graph, maxFrames: Int.random(in: 1...200, using: &rng))
                    let x = randomSignal(Double.self, channels: made.graph.inputChannels, frames: made.length, using: &rng)
                    let expected = Result { () throws(Conv1dError) in try net.forward(x) }.mapError { $0 as any Error }
                    mismatch = ChunkEquivalence.check(&net, signal: x, expected: expected, trials: 3, using: &rng)
                }
                #expect(mismatch == nil, "seed \(seed) \(precision == 0 ? "Float" : "Double"): \(mismatch.map(String.init(describing:)) ?? "")")
            }
        }
        // Most random networks must run (the rest are refused as PyTorch refuses them).
        #expect(successes >= 10, "only \(successes) of 25 random networks ran")
    }

    /// The whole-signal output is each op's PyTorch definition, evaluated the plainest way
    /// in Double (scatter-sum transposed convolutions, libm activations): within 1e-12 of
    /// the output's peak, and the same refusals.
    @Test(arguments: 0..<4)
    func randomNetworksMatchThePlainDefinition(batch: UInt64) throws {
        for trial in 0..<40 {
            let seed = 50_000 + batch * 1000 + UInt64(trial)
            var rng = SeededGenerator(seed: seed &+ 77)
            let made = RandomNetwork.make(Double.self, seed: seed)
            var net = Network(made.graph, maxFrames: 64)
            let x = randomSignal(Double.self, channels: made.graph.inputChannels, frames: made.length, using: &rng)
            let plain = Result { try PlainNetwork.forward(made.graph, x) }
            let ours = Result { () throws(Conv1dError) in try net.forward(x) }
            switch (plain, ours) {
            case let (.success(p), .success(o)):
                #expect(p.channels == o.channels && p.frames == o.frames, "seed \(seed): shape \(o.channels)×\(o.frames), plain \(p.channels)×\(p.frames)")
                guard p.frames == o.frames, p.channels == o.channels else { continue }
                let peak = p.channelArrays.flatMap { $0 }.map(\.magnitude).max() ?? 0
                var worst = 0.0
                for c in 0..<p.channels { for t in 0..<p.frames { worst = max(worst, (p[c, t] - o[c, t]).magnitude) } }
                #expect(worst <= 1e-12 * max(peak, 1), "seed \(seed): off by \(worst) (peak \(peak))")
                #expect(try made.graph.outputLength(inputLength: x.frames) == o.frames)
            case (.failure, .failure):
                break
            case let (.success, .failure(e)):
                Issue.record("seed \(seed): the plain definition ran but the network threw \(e)")
            case let (.failure(e), .success):
                Issue.record("seed \(seed): the network ran but the plain definition threw \(e)")
            }
        }
    }

    /// After prepare, a network's process and finish allocate nothing.
    @Test func processAllocatesNothing() throws {
        var rng = SeededGenerator(seed: 5)
        for seed in 0..<20 as Range<UInt64> {
            let made = RandomNetwork.make(Float.self, seed: 90_000 + seed)
            var net = Network(made.graph, maxFrames: 64)
            let x = randomSignal(Float.self, channels: made.graph.inputChannels, frames: 64, using: &rng)
            // Only networks that run on 21 chunks of 64 frames (others end in an error, which may allocate).
            guard (try? made.graph.outputLength(inputLength: 21 * 64)) != nil else { continue }
            var out = Signal<Float>(channels: net.outputChannels, capacity: net.outputBound(inputFrames: 64))
            var head = Signal<Float>(channels: net.outputChannels, capacity: net.finishBound.head)
            var tail = Signal<Float>(channels: net.outputChannels, capacity: net.finishBound.tail)
            // One whole cycle first: the runtime instantiates generic metadata on first use.
            for _ in 0..<21 { try net.process(x, into: &out) }
            try net.finish(head: &head, tail: &tail)
            net.reset()
            try net.process(x, into: &out)
            let count = try AllocationCount.of {
                for _ in 0..<20 { try net.process(x, into: &out) }
                try net.finish(head: &head, tail: &tail)
            }
            #expect(count == 0, "seed \(seed): \(count) allocations in \(made.graph.nodes.map(\.op.name))")
        }
    }

    /// The reported latency is the measured one: streamed one frame at a time, the output
    /// aligned with an impulse at input frame i (index i × the rate ratio, where a kernel
    /// that peaks at the tap its padding aligns puts the impulse) leaves exactly `latency`
    /// frames after the impulse arrived; and the latency is what the graph's shape gives by
    /// hand (a causal pad-then-convolve adds none, a delay shifts content but adds none).
    @Test func latencyIsTheMeasuredDelayOfAnImpulse() throws {
        func conv(_ k: Int, padding: Int, dilation: Int = 1, peak: Int) -> NetworkOp<Double> {
            let spec = try! Conv1dSpec(inChannels: 1, outChannels: 1, kernelSize: k, padding: .samples(padding), dilation: dilation, bias: false)
            return .conv1d(Conv1d(spec: spec, weights: try! Conv1dWeights(spec: spec, weight: (0..<k).map { $0 == peak ? 1 : 0.1 }, bias: nil)))
        }
        let transposed = try ConvTranspose1d<Double>(spec: ConvTranspose1dSpec(inChannels: 1, outChannels: 1, kernelSize: 4, stride: 2, padding: 1, bias: false),
                                                     weight: [0.1, 1, 0.1, 0.1], bias: nil)
        let cropped = try ConvTranspose1d<Double>(spec: ConvTranspose1dSpec(inChannels: 1, outChannels: 1, kernelSize: 3, stride: 1, padding: 4, bias: false),
                                                  weight: [0.1, 0.1, 1], bias: nil)
        let cases: [(nodes: [NetworkNode<Double>], latency: Int)] = [
            ([NetworkNode(name: "a", op: conv(5, padding: 2, peak: 2))], 2),
            ([NetworkNode(name: "p", op: .pad(left: 4, right: 0, mode: .zeros, value: 0)), NetworkNode(name: "c", op: conv(3, padding: 0, dilation: 2, peak: 2)),
              NetworkNode(name: "t", op: .pointwise(.tanh)), NetworkNode(name: "d", op: conv(3, padding: 1, peak: 1))], 1),
            ([NetworkNode(name: "p", op: .pad(left: 2, right: 0, mode: .zeros, value: 0)), NetworkNode(name: "c", op: conv(3, padding: 0, peak: 2))], 0),
            ([NetworkNode(name: "a", op: conv(3, padding: 1, peak: 1)), NetworkNode(name: "b", op: conv(7, padding: 3, peak: 3), inputs: ["input"]),
              NetworkNode(name: "s", op: .add, inputs: ["a", "b"])], 3),
            ([NetworkNode(name: "c", op: .pad(left: 0, right: -3, mode: .zeros, value: 0)), NetworkNode(name: "d", op: .delay(frames: 2))], 3),
            ([NetworkNode(name: "u", op: .convTranspose1d(transposed))], 0),
        ]
        for (nodes, expected) in cases {
            let graph = try NetworkGraph<Double>(inputChannels: 1, nodes: nodes)
            #expect(graph.latency == expected, "\(nodes.map(\.name)): reported \(graph.latency), by hand \(expected)")
            let length = 40, at = 17
            var impulse = Signal<Double>(channels: 1, frames: length)
            impulse[0, at] = 1
            var net = Network(graph, maxFrames: 1)
            let ratio = graph.ratio
            let aligned = at * ratio.outputs / ratio.inputs
            let response = try net.forward(impulse)
            if !nodes.contains(where: { if case .delay = $0.op { return true } else { return false } }) {
                let peak = (0..<response.frames).max { response[0, $0].magnitude < response[0, $1].magnitude }!
                #expect(peak == aligned, "\(nodes.map(\.name)): the impulse lands at \(peak), not \(aligned)")
            }
            // Stream it one frame at a time: when does the aligned output come out?
            var fed = 0
            while Int(net.outputFramesSoFar) <= aligned {
                _ = try net.process(impulse.slice(fed..<(fed + 1)))
                fed += 1
            }
            #expect(fed - (at + 1) == graph.latency, "\(nodes.map(\.name)): measured \(fed - at - 1), reported \(graph.latency)")
        }
        // A transposed convolution whose right padding crops waits for it: output t reads
        // x[t + 4 − k], and is kept only if t < L − 6, known once L ≥ t + 7.
        #expect(cropped.latency == 6)
    }

    /// Errors name the node: mismatched branch lengths, bad channels, unknown inputs.
    @Test func errorsNameTheNode() throws {
        let spec = try Conv1dSpec(inChannels: 1, outChannels: 1, kernelSize: 3)
        let conv = NetworkOp<Float>.conv1d(Conv1d(spec: spec, seed: 1))
        let graph = try NetworkGraph<Float>(inputChannels: 1, nodes: [
            NetworkNode(name: "c", op: conv), NetworkNode(name: "sum", op: .add, inputs: ["c", "input"]),
        ])
        var net = Network(graph)
        #expect(throws: Conv1dError.branchLengths(node: "sum", lengths: [8, 10])) { try net.forward(Signal(channels: 1, frames: 10)) }
        #expect("\(Conv1dError.branchLengths(node: "sum", lengths: [8, 10]))".contains("'sum'"))
        #expect(throws: NetworkError.unknownInput(node: "x", input: "nope")) {
            try NetworkGraph<Float>(inputChannels: 1, nodes: [NetworkNode(name: "x", op: .add, inputs: ["input", "nope"])])
        }
        #expect(throws: NetworkError.channels(node: "c", expected: "in_channels=1", got: 2)) {
            try NetworkGraph<Float>(inputChannels: 2, nodes: [NetworkNode(name: "c", op: conv)])
        }
        #expect(throws: NetworkError.duplicateName("c")) {
            try NetworkGraph<Float>(inputChannels: 1, nodes: [NetworkNode(name: "c", op: conv), NetworkNode(name: "c", op: conv)])
        }
        let strided = NetworkOp<Float>.conv1d(Conv1d(spec: try Conv1dSpec(inChannels: 1, outChannels: 1, kernelSize: 1, stride: 2), seed: 1))
        #expect(throws: NetworkError.rates(node: "s", inputs: ["d", "input"], ratios: ["1/2", "1/1"])) {
            try NetworkGraph<Float>(inputChannels: 1, nodes: [NetworkNode(name: "d", op: strided), NetworkNode(name: "s", op: .add, inputs: ["d", "input"])])
        }
        #expect(throws: Conv1dError.node(name: "c", .inputTooShort(paddedLength: 2, receptiveField: 3, inputLength: 2))) {
            try net.forward(Signal(channels: 1, frames: 2))
        }
    }
}
