/// The FFT engine's CPU cost per output frame for a partition plan, from measured costs of
/// its parts (as zita-convolver's `configure` weighs its levels): the transforms, the
/// spectrum multiply-accumulate, the direct head and the per-class sample traffic.
///
/// The constants are measured once (`streamconv-bench --workload plan-costs`, native release
/// build) and compiled in, not measured at start-up: the plan they choose decides the bits,
/// which must not depend on the machine or the moment. Only the plan's speed does.
public struct FFTCostModel: Sendable {
    /// Nanoseconds for a forward and an inverse real FFT of 2^k points, k = 0…15 (index k;
    /// sizes below 64 are never used).
    public let transformPair: [Double]
    /// The transforms' share in the engine over their cost alone (fitted: inside the engine
    /// they meet warm or cold caches that the transform benchmark does not).
    public let transformScale: Double
    /// Nanoseconds per complex bin per partition per channel pair in the multiply-accumulate.
    public let binProduct: Double
    /// Nanoseconds per head tap per output frame per channel pair (the direct engine).
    public let headTap: Double
    /// Nanoseconds per frame per class per channel: taking samples into a class's input
    /// ring, writing its share into the output ring and adding it to the output.
    public let classFrame: Double

    /// Measured on the development machine (Intel Xeon, Sapphire Rapids, AVX-512, 2 cores
    /// under KVM; Swift 6 native release build), medians of interleaved runs.
    public static let measured = FFTCostModel(
        transformPair: [0, 0, 0, 0, 0, 0, 380, 487, 845, 1498, 2476, 5378, 11409, 26286, 57701, 111362],
        transformScale: 0.895, binProduct: 1.0, headTap: 0.054, classFrame: 3.42)

    /// Modelled nanoseconds per output frame (all channels) of the FFT engine on `spec` with `plan`.
    public func nanosecondsPerFrame(_ plan: FFTPartitionPlan, spec: Conv1dSpec) -> Double {
        let (inputs, outputs) = (Double(spec.inChannels), Double(spec.outChannels))
        let pairs = outputs * Double(spec.inChannelsPerGroup)
        var total = pairs * Double(plan.firstBlock) * headTap
        for c in plan.classes {
            // Blocks are powers of two: the transform has 2N = 2^log2 points.
            let log2 = (2 * c.size).trailingZeroBitCount
            let n = Double(c.size)
            let transforms = (inputs + outputs) * transformScale * transformPair[min(log2, transformPair.count - 1)] / 2
            let products = pairs * Double(c.count) * (n + 1) * binProduct
            total += (transforms + products) / n + (inputs + outputs) * classFrame
        }
        return total
    }
}
