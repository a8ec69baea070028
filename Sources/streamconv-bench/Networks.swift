// The network rows of scripts/bench (issue 15, item 6): the same model shapes that
// scripts/bench_torch.py builds in PyTorch and cached_conv, with seeded weights (the cost does
// not depend on their values), streamed in 160-frame chunks on one thread.
import StreamConv

enum BenchNetworks {
    /// A causal TCN (guitar-amp and effect models): Conv1d(1, 16, 1), then 8 residual layers
    /// `x + tanh(Conv1d(16, 16, 3, dilation=2^i)(F.pad(x, (2·2^i, 0))))`, then Conv1d(16, 1, 1).
    static func tcn<T: ConvScalar>(_: T.Type = T.self) throws -> NetworkGraph<T> {
        var nodes = [NetworkNode<T>(name: "in", op: .conv1d(Conv1d(spec: try Conv1dSpec(inChannels: 1, outChannels: 16, kernelSize: 1), seed: 1)))]
        var previous = "in"
        for layer in 0..<8 {
            let dilation = 1 << layer
            let spec = try Conv1dSpec(inChannels: 16, outChannels: 16, kernelSize: 3, dilation: dilation)
            nodes += [
                NetworkNode(name: "pad\(layer)", op: .pad(left: 2 * dilation, right: 0, mode: .zeros, value: 0), inputs: [previous]),
                NetworkNode(name: "conv\(layer)", op: .conv1d(Conv1d(spec: spec, seed: UInt64(10 + layer))), inputs: ["pad\(layer)"]),
                NetworkNode(name: "tanh\(layer)", op: .pointwise(.tanh), inputs: ["conv\(layer)"]),
                NetworkNode(name: "res\(layer)", op: .add, inputs: [previous, "tanh\(layer)"]),
            ]
            previous = "res\(layer)"
        }
        nodes.append(NetworkNode(name: "out", op: .conv1d(Conv1d(spec: try Conv1dSpec(inChannels: 16, outChannels: 1, kernelSize: 1), seed: 2)), inputs: [previous]))
        return try NetworkGraph(inputChannels: 1, nodes: nodes)
    }

    /// A causal strided encoder and ConvTranspose1d decoder (SEANet/EnCodec-like): Conv1d(1, 16, 7),
    /// two Conv1d(·, ·, 4, stride=2) down to 64 channels, two ConvTranspose1d(·, ·, 4, stride=2)
    /// back (each cropped by 2 on the right, so it doubles the length exactly), Conv1d(16, 1, 7);
    /// ELU after every layer but the last.
    static func encoderDecoder<T: ConvScalar>(_: T.Type = T.self) throws -> NetworkGraph<T> {
        var nodes: [NetworkNode<T>] = []
        var previous: String? = nil
        var seed: UInt64 = 20
        func add(_ name: String, _ op: NetworkOp<T>) {
            nodes.append(NetworkNode(name: name, op: op, inputs: previous.map { [$0] } ?? []))
            previous = name
        }
        func conv(_ name: String, _ cin: Int, _ cout: Int, _ k: Int, stride: Int = 1, elu: Bool = true) throws {
            add("\(name).pad", .pad(left: k - stride, right: 0, mode: .zeros, value: 0))
            seed += 1
            add(name, .conv1d(Conv1d(spec: try Conv1dSpec(inChannels: cin, outChannels: cout, kernelSize: k, stride: stride), seed: seed)))
            if elu { add("\(name).elu", .pointwise(.elu(alpha: 1))) }
        }
        func up(_ name: String, _ cin: Int, _ cout: Int) throws {
            seed += 1
            add(name, .convTranspose1d(ConvTranspose1d(spec: try ConvTranspose1dSpec(inChannels: cin, outChannels: cout, kernelSize: 4, stride: 2), seed: seed)))
            add("\(name).crop", .pad(left: 0, right: -2, mode: .zeros, value: 0))
            add("\(name).elu", .pointwise(.elu(alpha: 1)))
        }
        try conv("enc0", 1, 16, 7)
        try conv("enc1", 16, 32, 4, stride: 2)
        try conv("enc2", 32, 64, 4, stride: 2)
        try up("dec0", 64, 32)
        try up("dec1", 32, 16)
        try conv("out", 16, 1, 7, elu: false)
        return try NetworkGraph(inputChannels: 1, nodes: nodes)
    }

    /// Ten nodes of almost no arithmetic (stereo gains, a 1-tap conv, a pad, an add, an
    /// activation): what a network costs per chunk beyond its layers' own work.
    static func overhead<T: ConvScalar>(_: T.Type = T.self) throws -> NetworkGraph<T> {
        let tap = try Conv1dSpec(inChannels: 2, outChannels: 2, kernelSize: 1, groups: 2, bias: false)
        return try NetworkGraph(inputChannels: 2, nodes: [
            NetworkNode(name: "g0", op: .pointwise(.gain(T(0.5)))),
            NetworkNode(name: "c0", op: .conv1d(Conv1d(spec: tap, seed: 1)), inputs: ["g0"]),
            NetworkNode(name: "p0", op: .pad(left: 1, right: -1, mode: .zeros, value: 0), inputs: ["c0"]),
            NetworkNode(name: "r0", op: .pointwise(.relu), inputs: ["p0"]),
            NetworkNode(name: "a0", op: .add, inputs: ["g0", "r0"]),
            NetworkNode(name: "g1", op: .pointwise(.gain(T(0.5))), inputs: ["a0"]),
            NetworkNode(name: "c1", op: .conv1d(Conv1d(spec: tap, seed: 2)), inputs: ["g1"]),
            NetworkNode(name: "l1", op: .pointwise(.leakyRelu(negativeSlope: T(0.1))), inputs: ["c1"]),
            NetworkNode(name: "a1", op: .add, inputs: ["a0", "l1"]),
            NetworkNode(name: "g2", op: .pointwise(.gain(T(2))), inputs: ["a1"]),
        ])
    }

    /// CPU seconds (median of `runs` after a warm-up) of the network over `x`, whole (one
    /// `forward`) and streamed in `block`-frame chunks into buffers made beforehand.
    static func times<T: ConvScalar>(_ graph: NetworkGraph<T>, _ x: Signal<T>, block: Int, runs: Int) throws -> (whole: Double, streamed: Double) {
        var network = Network(graph, maxFrames: block)
        let whole = try workloadMedian(runs) { _ = try network.forward(x) }
        var input = Signal<T>(channels: x.channels, capacity: block)
        var output = Signal<T>(channels: graph.outputChannels, capacity: network.outputBound(inputFrames: block))
        let streamed = try workloadMedian(runs) {
            network.reset()
            var at = 0
            while at < x.frames {
                let n = min(block, x.frames - at)
                x.copyFrames(at..<(at + n), into: &input)
                try network.process(input, into: &output)
                at += n
            }
            _ = try network.finish()
        }
        return (whole, streamed)
    }

    /// The `tcn` and `encdec` workloads: 10 s at 48 kHz of uniform noise in [−0.5, 0.5).
    static func workload(_ name: String, smoke: Bool, runs: Int) throws -> [(String, Double)] {
        let frames = (smoke ? 1 : 10) * 48000
        let block = 160
        let graph: NetworkGraph<Float> = name == "tcn" ? try tcn() : try encoderDecoder()
        var rng = SeededGenerator(seed: 2)
        let x = Signal<Float>([(0..<frames).map { _ in Float(rng.nextUnit() - 0.5) }])
        let t = try times(graph, x, block: block, runs: runs)
        return [("frames", Double(frames)), ("block", Double(block)), ("whole", t.whole), ("streamed", t.streamed)]
    }

    /// Thread CPU nanoseconds per chunk of ``overhead()`` at `block` frames.
    static func overheadPerChunk(block: Int, smoke: Bool, runs: Int) throws -> Double {
        let graph: NetworkGraph<Float> = try overhead()
        var network = Network(graph, maxFrames: block)
        let input = Signal<Float>(channels: 2, frames: block, repeating: 0.25)
        var output = Signal<Float>(channels: 2, capacity: network.outputBound(inputFrames: block))
        let calls = smoke ? 2000 : 200_000
        let t = try workloadMedian(runs) { for _ in 0..<calls { try network.process(input, into: &output) } }
        return t / Double(calls) * 1e9
    }
}
