/// The direct engine: the convolution sum, output by output.
///
/// Summation order, per output sample: bias (or zero), then input channel ascending, then tap
/// ascending, each product and each sum rounded to `Scalar` (never fused). The loops keep a
/// block of outputs in SIMD registers while the terms are added (``DirectKernelLoops``), which
/// vectorises across outputs without reassociating any output's sum. Stateless: it needs no
/// workspace and ignores `first`.
public struct DirectConv1dEngine<Scalar: ConvScalar>: Conv1dEngine {
    /// The configuration the weights were made for.
    public let spec: Conv1dSpec
    /// Weights and bias.
    public let weights: Conv1dWeights<Scalar>

    /// Outputs per tile of the strided loop: a tile row of `Scalar` stays in L1 while every
    /// (channel, tap) pair is added into it.
    @usableFromInline static var tile: Int { 512 }

    /// An engine for `weights` (already checked against `spec`).
    public init(spec: Conv1dSpec, weights: Conv1dWeights<Scalar>) {
        self.spec = spec
        self.weights = weights
    }

    public var name: String { "direct" }

    public func makeWorkspace(maxOutputs: Int) -> Conv1dWorkspace { Conv1dWorkspace() }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func compute(
        input: UnsafePointer<Scalar>, inputStride: Int,
        output: UnsafeMutablePointer<Scalar>, outputStride: Int,
        first: Int64, count: Int, workspace: Conv1dWorkspace
    ) {
        guard count > 0 else { return }
        weights.weight.withUnsafeBufferPointer { w in
            DirectKernelLoops.run(
                weight: w.baseAddress!, bias: weights.bias,
                inPerGroup: spec.inChannelsPerGroup, outPerGroup: spec.outChannelsPerGroup,
                groups: spec.groups, kernelSize: spec.kernelSize,
                stride: spec.stride, dilation: spec.dilation,
                input: input, inputStride: inputStride,
                output: output, outputStride: outputStride, count: count, tile: Self.tile)
        }
    }
}
