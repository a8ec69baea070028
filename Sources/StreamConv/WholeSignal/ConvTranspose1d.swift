/// `torch.nn.ConvTranspose1d` with its weights, computed as `stride` ordinary convolutions
/// (its polyphase form) on the engines.
///
/// Output `t` sums `x[i]·w[k]` over `i·stride + k·dilation − padding = t`. The outputs of
/// one phase `r = (t + padding) mod stride` read the taps `k` with `k·dilation ≡ r`, a
/// sub-kernel with taps `s/g` apart (`g = gcd(stride, dilation)`): reversed, they are a
/// stride-1 ``Conv1d`` of dilation `dilation/g` over `x`, padded to its full length. Each
/// phase is streamed by ``StreamingConv1d``, so every output is summed in one fixed order
/// whatever the chunking, and long kernels use the FFT engine.
public struct ConvTranspose1d<T: ConvScalar>: Sendable {
    /// The hyper-parameters.
    public let spec: ConvTranspose1dSpec
    /// The weight, `[in_channels][out_channels/groups][kernel_size]` flattened.
    public let weight: [T]
    /// One value per output channel, when `spec.bias`.
    public let bias: [T]?

    /// One phase: its convolution (none when no tap falls on it: its outputs are the bias)
    /// and the output index of its convolution's output 0 (`k0·dilation − padding`).
    struct Phase: Sendable {
        let conv: Conv1d<T>?
        let offset: Int
        /// Padding on each side of the phase's convolution (its full length).
        let pad: Int
    }
    let phases: [Phase]

    /// A transposed convolution with the given weights, its phases on `engine`, adding terms
    /// as `arithmetic` says.
    /// - Throws: ``Conv1dError/weightShape(expected:got:)`` or ``Conv1dError/biasShape(expected:got:)``.
    public init(spec: ConvTranspose1dSpec, weight: [T], bias: [T]?, engine: Conv1dEngineChoice = .auto,
                arithmetic: Conv1dArithmetic = .unfused) throws(Conv1dError) {
        let expected = spec.weightShape
        if weight.count != expected.reduce(1, *) { throw .weightShape(expected: expected, got: [weight.count]) }
        switch (spec.bias, bias) {
        case (true, nil): throw .biasShape(expected: spec.outChannels, got: nil)
        case let (false, b?): throw .biasShape(expected: nil, got: b.count)
        case let (true, b?) where b.count != spec.outChannels: throw .biasShape(expected: spec.outChannels, got: b.count)
        default: break
        }
        self.spec = spec
        self.weight = weight
        self.bias = bias
        let (s, d, p, k) = (spec.stride, spec.dilation, spec.padding, spec.kernelSize)
        var g = s, b = d
        while b != 0 { (g, b) = (b, g % b) }
        let (step, subDilation) = (s / g, d / g)
        let (cin, cout, groups) = (spec.inChannels, spec.outChannels, spec.groups)
        let (inPerGroup, outPerGroup) = (cin / groups, cout / groups)
        var phases: [Phase] = []
        for r in 0..<s {
            // The first tap k0 with k0·d ≡ r (mod s), if any: taps k0, k0 + s/g, … below K.
            let k0 = (0..<step).first { ($0 * d) % s == r }
            guard let k0, k0 < k else {
                phases.append(Phase(conv: nil, offset: 0, pad: 0))
                continue
            }
            let taps = (k - 1 - k0) / step + 1
            let pad = (taps - 1) * subDilation
            let phaseSpec = try Conv1dSpec(inChannels: cin, outChannels: cout, kernelSize: taps, padding: .samples(pad),
                                           dilation: subDilation, groups: groups, bias: spec.bias)
            var w = [T](repeating: 0, count: cout * inPerGroup * taps)
            for o in 0..<cout {
                let (group, local) = (o / outPerGroup, o % outPerGroup)
                for c in 0..<inPerGroup {
                    let source = ((group * inPerGroup + c) * outPerGroup + local) * k
                    for m in 0..<taps {
                        w[(o * inPerGroup + c) * taps + m] = weight[source + k0 + (taps - 1 - m) * step]
                    }
                }
            }
            let conv = Conv1d(spec: phaseSpec, weights: try Conv1dWeights(spec: phaseSpec, weight: w, bias: bias), engine: engine, arithmetic: arithmetic)
            phases.append(Phase(conv: conv, offset: k0 * d - p, pad: pad))
        }
        self.phases = phases
    }

    /// PyTorch's default initialisation (U(−√k, √k), k = groups/(out_channels·kernel_size)) from
    /// a seeded generator, for tests and benchmarks; its phases on `engine`, adding terms as
    /// `arithmetic` says.
    public init(spec: ConvTranspose1dSpec, seed: UInt64, engine: Conv1dEngineChoice = .auto, arithmetic: Conv1dArithmetic = .unfused) {
        var rng = SeededGenerator(seed: seed)
        let bound = (Double(spec.groups) / Double(spec.outChannels * spec.kernelSize)).squareRoot()
        let weight = (0..<spec.weightShape.reduce(1, *)).map { _ in T(Double.random(in: -bound..<bound, using: &rng)) }
        let bias = spec.bias ? (0..<spec.outChannels).map { _ in T(Double.random(in: -bound..<bound, using: &rng)) } : nil
        try! self.init(spec: spec, weight: weight, bias: bias, engine: engine, arithmetic: arithmetic)
    }

    /// Input frames between a sample arriving and the output aligned with it (index
    /// `i·stride`) leaving, when streamed: it waits for the phase whose taps start latest,
    /// and for the end of the signal where the right padding might crop it.
    public var latency: Int {
        let (s, p) = (spec.stride, spec.padding)
        let least = phases.compactMap { $0.conv == nil ? nil : $0.offset }.min() ?? 0
        func floorDiv(_ a: Int, _ b: Int) -> Int { a >= 0 ? a / b : -((-a + b - 1) / b) }
        let phase = floorDiv(-least, s)
        let crop = floorDiv(2 * p - spec.dilation * (spec.kernelSize - 1) - spec.outputPadding - 1, s) + 1
        return max(0, phase, crop)
    }

    /// Weight `[i][o][k]` (`o` within its group).
    public func weight(in i: Int, out o: Int, tap k: Int) -> T {
        weight[(i * (spec.outChannels / spec.groups) + o) * spec.kernelSize + k]
    }

    /// The output for the whole signal `x` (`(in_channels, L)`): the one-node network's
    /// whole-signal call, so it is bit for bit any chunked stream's output.
    /// - Throws: ``Conv1dError`` for a wrong channel count or a too short input.
    public func forward(_ x: Signal<T>) throws(Conv1dError) -> Signal<T> {
        let graph = try! NetworkGraph<T>(inputChannels: spec.inChannels, nodes: [NetworkNode(name: "conv_transpose1d", op: .convTranspose1d(self))])
        var stream = Network(graph, maxFrames: max(1, x.frames))
        return try stream.wholeOutput(x)
    }
}
