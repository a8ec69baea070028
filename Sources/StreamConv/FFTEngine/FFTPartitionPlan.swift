/// How the FFT engine splits a filter: the direct head and the partition classes after it.
///
/// Chosen by ``init(spec:)`` from ``FFTCostModel/measured``, the engine's own costs, for the
/// filter alone (its receptive field and channels): never from a block or period size, so
/// the plan, and with it every output's bits, is the same for every caller, chunking and
/// thread. Class `c` has blocks of `N` samples; the first block size is also the head's
/// length, each later size is `growth` times the one before up to ``largestBlock``, and each
/// class starts where the previous ends: the first one block in (a = N, right after the
/// head), every later one at least two of its blocks in (a ≥ 2N), as in Gardner's scheme and
/// zita-convolver's, so the step of a block is first read a block after the block is complete
/// (the slack a worker thread needs).
public struct FFTPartitionPlan: Sendable, Equatable, CustomStringConvertible {
    /// One class: block size N, first tap `offset`, `count` partitions (taps
    /// [offset, offset + count·N)), output ring slots (a power of two ≥ offset + N).
    public struct PartitionClass: Sendable, Equatable {
        public let size: Int
        public let offset: Int
        public let count: Int
        public let ring: Int
    }

    /// The head's taps, and the first class's block size.
    public let firstBlock: Int
    /// Each class's block size over the previous one's (until ``largestBlock``).
    public let growth: Int
    /// The classes, smallest block first.
    public let classes: [PartitionClass]

    /// The largest partition block any plan uses.
    public static let largestBlock = 16384
    /// First block sizes the cost model chooses from.
    public static let firstBlocks = [32, 64, 128, 256]
    /// Growth factors the cost model chooses from.
    public static let growths = [2, 4, 8]

    /// The plan with the least modelled CPU time per output frame for `spec`
    /// (``FFTCostModel/measured``); ties go to the larger first block, then the larger growth
    /// (fewer classes). `spec.receptiveField` must exceed the smallest first block.
    public init(spec: Conv1dSpec) {
        let model = FFTCostModel.measured
        var best: (cost: Double, plan: FFTPartitionPlan)?
        for first in Self.firstBlocks.reversed() where first < spec.receptiveField {
            for growth in Self.growths.reversed() {
                let plan = FFTPartitionPlan(receptiveField: spec.receptiveField, firstBlock: first, growth: growth)
                let cost = model.nanosecondsPerFrame(plan, spec: spec)
                if best.map({ cost < $0.cost }) ?? true { best = (cost, plan) }
            }
        }
        self = best?.plan ?? FFTPartitionPlan(receptiveField: spec.receptiveField, firstBlock: Self.firstBlocks[0], growth: Self.growths[0])
    }

    /// The plan with a given first block and growth (benchmarks and tests compare plans).
    public init(receptiveField field: Int, firstBlock: Int, growth: Int) {
        precondition(firstBlock > 0 && firstBlock & (firstBlock - 1) == 0 && firstBlock <= Self.largestBlock, "first block: a power of two ≤ largestBlock")
        precondition(growth >= 2 && growth & (growth - 1) == 0, "growth: a power of two ≥ 2")
        self.firstBlock = firstBlock
        self.growth = growth
        var classes: [PartitionClass] = []
        var offset = firstBlock
        var size = firstBlock
        while offset < field {
            let next = min(growth * size, Self.largestBlock)
            // This class reaches to where the next can start two of its blocks in.
            let end = next > size ? min(field, 2 * next) : field
            let count = (end - offset + size - 1) / size
            var ring = 1
            while ring < offset + size { ring *= 2 }
            classes.append(PartitionClass(size: size, offset: offset, count: count, ring: ring))
            offset += count * size
            size = next
        }
        self.classes = classes
    }

    /// "head 64 + 7×64 + 6×256 + …": the blocks of each class.
    public var description: String {
        (["head \(firstBlock)"] + classes.map { "\($0.count)×\($0.size)" }).joined(separator: " + ")
    }
}
