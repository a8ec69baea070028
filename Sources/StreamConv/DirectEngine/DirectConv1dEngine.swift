/// The direct engine: the convolution sum, output by output.
///
/// Summation order, per output sample: bias (or zero), then input channel ascending, then tap
/// ascending, each product and each sum rounded to `Scalar` (``Conv1dArithmetic/unfused``, the
/// default), or each term one fused multiply-add (``Conv1dArithmetic/fused``). The loops keep a
/// block of outputs in SIMD registers while the terms are added (``DirectKernelLoops``), which
/// vectorises across outputs without reassociating any output's sum. It keeps nothing between
/// calls; a strided spec's workspace is only scratch for its phase rows.
public struct DirectConv1dEngine<Scalar: ConvScalar>: Sendable {
    /// The configuration the weights were made for.
    public let spec: Conv1dSpec
    /// Weights and bias.
    public let weights: Conv1dWeights<Scalar>
    /// How each term is multiplied and added.
    public let arithmetic: Conv1dArithmetic

    /// The most outputs the strided loop splits into phases at once: a whole-signal call's
    /// phase rows would otherwise leave the cache before every output channel has read them.
    static var phaseTile: Int { 2048 }

    /// An engine for `weights` (already checked against `spec`) adding terms as `arithmetic` says.
    public init(spec: Conv1dSpec, weights: Conv1dWeights<Scalar>, arithmetic: Conv1dArithmetic = .unfused) {
        self.spec = spec
        self.weights = weights
        self.arithmetic = arithmetic
    }

    /// Stride 1 needs no scratch. A strided spec gets room to split its input into `stride`
    /// phases, so the strided sum reads contiguous vectors.
    func makePhaseRows(maxOutputs: Int) -> PhaseRows<Scalar>? {
        spec.stride > 1 ? PhaseRows(spec: spec, maxOutputs: min(maxOutputs, Self.phaseTile)) : nil
    }

    /// Bytes ``makePhaseRows(maxOutputs:)`` allocates for `spec` in scalars of `scalarSize`
    /// bytes, before any engine is made.
    static func phaseRowBytes(spec: Conv1dSpec, maxOutputs: Int, scalarSize: Int) -> Int {
        guard spec.stride > 1 else { return 0 }
        let outputs = max(1, min(maxOutputs, phaseTile))
        return Saturating.product([spec.inChannels, spec.stride, PhaseRows<Scalar>.rowLength(spec: spec, maxOutputs: outputs), scalarSize])
    }

    /// Outputs `0..<count` from `input` (see ``Conv1dWorkspace/compute(input:inputStride:output:outputStride:first:count:)``);
    /// `phases` is the scratch ``makePhaseRows(maxOutputs:)`` made, present exactly for strided specs.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    func compute(
        input: UnsafePointer<Scalar>, inputStride: Int,
        output: UnsafeMutablePointer<Scalar>, outputStride: Int,
        count: Int, phases: PhaseRows<Scalar>?
    ) {
        switch arithmetic {
        case .unfused: compute(UnfusedArithmetic.self, input: input, inputStride: inputStride, output: output, outputStride: outputStride, count: count, phases: phases)
        case .fused: compute(FusedArithmetic.self, input: input, inputStride: inputStride, output: output, outputStride: outputStride, count: count, phases: phases)
        }
    }

    @inline(__always)
    private func compute<A: KernelArithmetic>(
        _: A.Type, input: UnsafePointer<Scalar>, inputStride: Int,
        output: UnsafeMutablePointer<Scalar>, outputStride: Int,
        count: Int, phases: PhaseRows<Scalar>?
    ) {
        guard count > 0 else { return }
        guard let phases else {
            precondition(spec.stride == 1, "a strided direct engine computes through its phase rows")
            weights.weight.withUnsafeBufferPointer { w in
                DirectKernelLoops.run(
                    A.self,
                    weight: w.baseAddress!, bias: weights.bias,
                    inPerGroup: spec.inChannelsPerGroup, outPerGroup: spec.outChannelsPerGroup,
                    groups: spec.groups, kernelSize: spec.kernelSize, dilation: spec.dilation,
                    input: input, inputStride: inputStride,
                    output: output, outputStride: outputStride, count: count)
            }
            return
        }
        // In tiles of at most the scratch's outputs, so a whole-signal call's phases stay in
        // cache like a stream's (each output's operations do not depend on the tile).
        weights.weight.withUnsafeBufferPointer { w in phases.tapOffsets.withUnsafeBufferPointer { taps in
            var done = 0
            while done < count {
                let n = min(phases.maxOutputs, count - done)
                DirectKernelLoops.phased(
                    A.self,
                    weight: w.baseAddress!, bias: weights.bias, spec: spec,
                    input: input + done * spec.stride, inputStride: inputStride,
                    phases: phases.storage.base, phaseLength: phases.phaseLength, taps: taps.baseAddress!,
                    output: output + done, outputStride: outputStride, count: n)
                done += n
            }
        } }
    }
}
