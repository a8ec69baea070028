/// The parameters of a `torch.nn.Conv1d`: `weight` of shape `(out_channels, in_channels/groups,
/// kernel_size)`, flattened in PyTorch's row-major order, and an optional `bias`.
public struct Conv1dWeights<T: ConvScalar>: Sendable, Equatable {
    /// `weight[o][i][k]` at `(o · inChannelsPerGroup + i) · kernelSize + k`.
    public let weight: [T]
    /// One value per output channel, or `nil` for `bias=False`.
    public let bias: [T]?

    /// Weights checked against `spec`'s shape.
    /// - Throws: ``Conv1dError/weightShape(expected:got:)`` or ``Conv1dError/biasShape(expected:got:)``.
    public init(spec: Conv1dSpec, weight: [T], bias: [T]?) throws(Conv1dError) {
        let expected = spec.weightShape
        if weight.count != expected.reduce(1, *) {
            throw Conv1dError.weightShape(expected: expected, got: [weight.count])
        }
        switch (spec.bias, bias) {
        case let (true, b?) where b.count != spec.outChannels:
            throw Conv1dError.biasShape(expected: spec.outChannels, got: b.count)
        case (true, nil):
            throw Conv1dError.biasShape(expected: spec.outChannels, got: nil)
        case let (false, b?):
            throw Conv1dError.biasShape(expected: nil, got: b.count)
        default:
            break
        }
        self.weight = weight
        self.bias = bias
    }

    /// Weights from nested arrays `[out][in/groups][kernel]`, as `tensor.tolist()` gives them.
    /// - Throws: ``Conv1dError/weightShape(expected:got:)`` naming both shapes.
    public init(spec: Conv1dSpec, weight nested: [[[T]]], bias: [T]?) throws(Conv1dError) {
        let expected = spec.weightShape
        let outer = nested.count
        let middle = nested.first?.count ?? 0
        let inner = nested.first?.first?.count ?? 0
        let regular = nested.allSatisfy { $0.count == middle && $0.allSatisfy { $0.count == inner } }
        if !regular || [outer, middle, inner] != expected {
            throw Conv1dError.weightShape(expected: expected, got: [outer, middle, inner])
        }
        try self.init(spec: spec, weight: nested.flatMap { $0.flatMap { $0 } }, bias: bias)
    }

    /// PyTorch's default initialisation: weight and bias uniform in `[−√k, √k)`,
    /// `k = groups / (in_channels · kernel_size)` (what `kaiming_uniform_(a=√5)` reduces to).
    /// The values come from ``SeededGenerator``, so they are reproducible but not PyTorch's own
    /// random numbers.
    public init(defaultInitFor spec: Conv1dSpec, seed: UInt64) {
        var rng = SeededGenerator(seed: seed)
        let bound = 1 / ExactSquareRoot.of(spec.inChannelsPerGroup * spec.kernelSize)
        func draw() -> T { T((2 * rng.nextUnit() - 1) * bound) }
        weight = (0..<spec.weightShape.reduce(1, *)).map { _ in draw() }
        bias = spec.bias ? (0..<spec.outChannels).map { _ in draw() } : nil
    }

    /// `weight[o][i][k]`.
    public func weight(out o: Int, in i: Int, tap k: Int, spec: Conv1dSpec) -> T {
        weight[(o * spec.inChannelsPerGroup + i) * spec.kernelSize + k]
    }
}
