/// The direct engine: the convolution sum, output by output.
///
/// Summation order, per output sample: bias (or zero), then input channel ascending, then tap
/// ascending, each product and each sum rounded to `Scalar` (never fused). The loops keep a
/// block of outputs in SIMD registers while the terms are added (``DirectKernelLoops``), which
/// vectorises across outputs without reassociating any output's sum. It ignores `first` and
/// keeps nothing between calls; a strided spec's workspace is only scratch for its phases.
public struct DirectConv1dEngine<Scalar: ConvScalar>: Conv1dEngine {
    /// The configuration the weights were made for.
    public let spec: Conv1dSpec
    /// Weights and bias.
    public let weights: Conv1dWeights<Scalar>

    /// Outputs per tile of the strided loop: a tile row of `Scalar` stays in L1 while every
    /// (channel, tap) pair is added into it.
    @usableFromInline static var tile: Int { 512 }

    /// The most outputs the strided loop splits into phases at once: a whole-signal call's
    /// phase rows would otherwise leave the cache before every output channel has read them.
    static var phaseTile: Int { 2048 }

    /// An engine for `weights` (already checked against `spec`).
    public init(spec: Conv1dSpec, weights: Conv1dWeights<Scalar>) {
        self.spec = spec
        self.weights = weights
    }

    public var name: String { "direct" }

    /// Each output is its own sum over its receptive field: nothing to warm up.
    public var warmUp: Int { 0 }

    /// Stride 1 needs no workspace. A strided spec gets room to split its input into
    /// `stride` phases, so the strided sum reads contiguous vectors.
    public func makeWorkspace(maxOutputs: Int) -> Conv1dWorkspace {
        guard spec.stride > 1 else { return Conv1dWorkspace() }
        return PhaseWorkspace<Scalar>(spec: spec, maxOutputs: min(maxOutputs, Self.phaseTile))
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func compute(
        input: UnsafePointer<Scalar>, inputStride: Int,
        output: UnsafeMutablePointer<Scalar>, outputStride: Int,
        first: Int64, count: Int, workspace: Conv1dWorkspace
    ) {
        guard count > 0 else { return }
        if spec.stride > 1, let phases = workspace as? PhaseWorkspace<Scalar> {
            // In tiles of at most the workspace's outputs, so a whole-signal call's phases stay
            // in cache like a stream's (each output's operations do not depend on the tile).
            weights.weight.withUnsafeBufferPointer { w in
                phases.storage.withUnsafeMutableBufferPointer { scratch in
                    var done = 0
                    while done < count {
                        let n = min(phases.maxOutputs, count - done)
                        DirectKernelLoops.phased(
                            weight: w.baseAddress!, bias: weights.bias, spec: spec,
                            input: input + done * spec.stride, inputStride: inputStride,
                            phases: scratch.baseAddress!, phaseLength: phases.phaseLength,
                            output: output + done, outputStride: outputStride, count: n)
                        done += n
                    }
                }
            }
            return
        }
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

/// Scratch for a strided spec: each input channel split into its `stride` phases
/// (`phase p, sample j = x[j·stride + p]`), enough for `maxOutputs` outputs per call.
final class PhaseWorkspace<Scalar: ConvScalar>: Conv1dWorkspace, @unchecked Sendable {
    let spec: Conv1dSpec
    let maxOutputs: Int
    let phaseLength: Int
    var storage: [Scalar]

    init(spec: Conv1dSpec, maxOutputs: Int) {
        self.spec = spec
        self.maxOutputs = max(1, maxOutputs)
        // A call reads (count − 1)·stride + R samples: per phase at most count − 1 + ⌈R/stride⌉.
        phaseLength = self.maxOutputs + (spec.receptiveField + spec.stride - 1) / spec.stride
        storage = [Scalar](repeating: 0, count: spec.inChannels * spec.stride * phaseLength)
    }

    // The phases are rebuilt by every call: nothing to carry, but a copied stream may run on
    // another thread, so it gets scratch of its own.
    override func copy() -> Conv1dWorkspace { PhaseWorkspace(spec: spec, maxOutputs: maxOutputs) }
}
