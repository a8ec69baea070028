/// The FFT engine for long filters (stride 1): zero-latency, non-uniformly partitioned
/// overlap-save with a frequency-domain delay line, in the manner of Gardner's and
/// zita-convolver's schemes.
///
/// With `R` the receptive field and the taps flipped into an impulse response
/// `h[j] = w[R−1−j]` (dilation folded in as zero taps), output `t` is
/// `y = bias + Σ_j h[j]·x[n−j]` at `n = t + R − 1`, the newest padded sample it reads:
/// - the first ``head`` taps are summed directly (the direct engine on those taps, bias
///   included), so nothing waits for a block;
/// - the rest is split into partition classes: class `c` has blocks of `N` samples on a grid
///   fixed to absolute padded positions (multiples of `N`) and covers taps `[a, a + m·N)` with
///   `a ≥ N`. When input block `b` completes, its 2N-point spectrum enters the class's delay
///   line and `Σ_p H_p · X_(b−p)` (input channel, then partition ascending) gives, by one
///   inverse FFT, the class's share of outputs `n ∈ [a + b·N, a + b·N + N)`, all still ahead.
///
/// `y = head + class 1 + class 2 + …`, in that order. Every term depends only on absolute
/// positions and samples, never on how calls cut the outputs, so streams stay bitwise equal to
/// the whole-signal call (which runs this same engine). The error is an FFT's, bounded against
/// ‖h‖₂·‖window‖₂ rather than per term (see the README).
public struct FFTConv1dEngine<Scalar: ConvScalar>: Sendable {
    /// One size of partition.
    struct PartitionClass: Sendable {
        /// Block size N (the FFT has 2N points).
        let size: Int
        /// First tap covered, a ≥ N.
        let offset: Int
        /// Partitions m: taps [offset, offset + m·size).
        let count: Int
        /// Slots in each output ring: a power of two ≥ offset + size.
        let ring: Int
        let fft: RealFFT<Scalar>
        /// Spectra of the partitions, prescaled by 1/(2N): [pair (o, i)][partition][bin], split.
        let re: [Scalar]
        let im: [Scalar]
    }

    public let spec: Conv1dSpec
    /// Taps summed directly: the plan's first block.
    public var head: Int { plan.firstBlock }
    /// The receptive field R.
    let field: Int
    let headEngine: DirectConv1dEngine<Scalar>
    let classes: [PartitionClass]

    /// The head and the partition classes, chosen by cost for this filter.
    public let plan: FFTPartitionPlan

    /// How the direct head adds its terms (the spectra's products are never fused).
    public var arithmetic: Conv1dArithmetic { headEngine.arithmetic }

    /// An FFT engine for `weights` with `plan` (by default the one the cost model chooses
    /// for the filter, ``FFTPartitionPlan/init(spec:)``), its head adding terms as
    /// `arithmetic` says, or `nil` when the spec does not suit one (stride > 1, or a
    /// receptive field the direct head covers alone).
    public init?(spec: Conv1dSpec, weights: Conv1dWeights<Scalar>, plan: FFTPartitionPlan? = nil, arithmetic: Conv1dArithmetic = .unfused) {
        guard Conv1dEngines.fftUnsuitable(spec) == nil else { return nil }
        let field = spec.receptiveField
        let plan = plan ?? FFTPartitionPlan(spec: spec)
        guard plan.firstBlock < field else { return nil }
        let head = plan.firstBlock
        self.plan = plan
        self.spec = spec
        self.field = field
        let (inPer, outs) = (spec.inChannelsPerGroup, spec.outChannels)
        // The head: the last `head` dense taps, read from padded sample t + R − head.
        var headWeight: [Scalar] = []
        headWeight.reserveCapacity(outs * inPer * head)
        for o in 0..<outs {
            for i in 0..<inPer {
                for j in (field - head)..<field { headWeight.append(Self.denseTap(weights.weight, spec: spec, o, i, j)) }
            }
        }
        let headSpec = try! Conv1dSpec(
            inChannels: spec.inChannels, outChannels: outs, kernelSize: head, groups: spec.groups, bias: spec.bias)
        headEngine = DirectConv1dEngine(spec: headSpec, weights: try! Conv1dWeights(spec: headSpec, weight: headWeight, bias: weights.bias), arithmetic: arithmetic)
        classes = Self.spectra(plan, spec: spec, weights: weights)
    }

    /// Tap `j` of the dilated kernel as dense taps: w[o][i][j/d] where d divides j, zero between.
    @inline(__always)
    static func denseTap(_ w: [Scalar], spec: Conv1dSpec, _ o: Int, _ i: Int, _ j: Int) -> Scalar {
        j % spec.dilation == 0 ? w[(o * spec.inChannelsPerGroup + i) * spec.kernelSize + j / spec.dilation] : 0
    }

    /// The plan's classes with their filter spectra. Pre-specialised: the engine is made
    /// from other modules, where generic code would run through witness tables.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    static func spectra(_ partitions: FFTPartitionPlan, spec: Conv1dSpec, weights: Conv1dWeights<Scalar>) -> [PartitionClass] {
        let field = spec.receptiveField
        let (inPer, outs) = (spec.inChannelsPerGroup, spec.outChannels)
        let w = weights.weight
        var plan: [PartitionClass] = []
        for c in partitions.classes {
            let (size, offset, count, ring) = (c.size, c.offset, c.count, c.ring)
            let fft = RealFFT<Scalar>(size: 2 * size)
            let bins = size + 1
            var re = [Scalar](repeating: 0, count: outs * inPer * count * bins)
            var im = re
            var block = [Scalar](repeating: 0, count: 2 * size)
            let scale = 1 / Scalar(2 * size)
            re.withUnsafeMutableBufferPointer { r in
                im.withUnsafeMutableBufferPointer { m in
                    for o in 0..<outs {
                        for i in 0..<inPer {
                            for p in 0..<count {
                                // h[a + pN + j] = w_eff[R − 1 − (a + pN + j)], zero past R.
                                for j in 0..<(2 * size) {
                                    let tap = offset + p * size + j
                                    block[j] = j < size && tap < field ? denseTap(w, spec: spec, o, i, field - 1 - tap) * scale : 0
                                }
                                let at = ((o * inPer + i) * count + p) * bins
                                block.withUnsafeBufferPointer { fft.forward($0.baseAddress!, re: r.baseAddress! + at, im: m.baseAddress! + at, order: .bitReversed) }
                            }
                        }
                    }
                }
            }
            plan.append(PartitionClass(size: size, offset: offset, count: count, ring: ring, fft: fft, re: re, im: im))
        }
        return plan
    }

    /// Bytes an FFT engine for `spec` allocates, before it is made: its filter spectra, FFT
    /// tables and head taps, and `streams` streams' state (``FFTState``).
    public static func estimatedBytes(spec: Conv1dSpec, scalarSize: Int, streams: Int) -> Int {
        let plan = FFTPartitionPlan(spec: spec)
        var total = Saturating.product([spec.outChannels, spec.inChannelsPerGroup, plan.firstBlock, scalarSize])
        for c in plan.classes {
            let (size, count, ring) = (c.size, c.count, c.ring)
            let spectra = Saturating.product([2, spec.outChannels, spec.inChannelsPerGroup, count, size + 1, scalarSize])
            let state = Saturating.product([FFTClassState<Float>.scalars(size: size, count: count, ring: ring, spec: spec, lineScalars: max(1, 64 / scalarSize)), scalarSize])
            total = Saturating.sum([total, spectra, RealFFT<Float>.tableBytes(size: 2 * size, scalarSize: scalarSize), Saturating.product([state, streams])])
        }
        return total
    }

    /// A class's share of output `t` comes from 2N-sample windows reaching back at most
    /// (a + m·N) + N < R + 2N samples before the newest sample `t + R − 1` it reads, so no
    /// earlier than `t − 2N + 1`: from `2·reach` outputs on, a fresh workspace has seen every
    /// sample that touches an output's bits (one more for margin).
    public var warmUp: Int { 2 * reach + 1 }

    /// The largest block any class uses: an output's error involves the samples of the blocks
    /// its share came from, up to this many before its receptive field.
    public var reach: Int { classes.map(\.size).max() ?? 0 }

    /// The engine's stated error bound, in units of u·‖h‖₂·‖x‖₂: u the unit roundoff, h the
    /// taps of one output channel, x the padded samples from ``reach`` before the output's
    /// receptive field to its end (the blocks its share was computed from). |y − exact| stays
    /// within 2·log2(2·reach) of those units; measured worst cases are in the README.
    public var errorBound: Double {
        var log2 = 0
        while 1 << log2 < 2 * max(reach, 1) { log2 += 1 }
        return 2 * Double(log2)
    }

    /// Blocks of each class, for `info`: "head 64 + 7×64 + 6×256 + …".
    public var layout: String { plan.description }

    /// Bytes of the filter spectra, FFT tables and the head's taps, counted from the arrays.
    var spectrumBytes: Int {
        let spectra = classes.reduce(0) { Saturating.sum([$0, ($1.re.count + $1.im.count) * MemoryLayout<Scalar>.stride, $1.fft.tableBytes]) }
        return Saturating.sum([spectra, Saturating.product([headEngine.weights.weight.count, MemoryLayout<Scalar>.stride])])
    }
}
