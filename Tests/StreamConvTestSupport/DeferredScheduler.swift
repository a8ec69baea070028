import StreamConv

/// A scheduler with no threads that runs a step at the last moment the engine allows: only
/// when the streaming thread waits for it (the latest a worker could ever be without a
/// wrong sample). It counts submissions and waits, so tests can see where work lands.
public final class DeferredScheduler: PartitionScheduler, @unchecked Sendable {
    // Unchecked: used from one thread only, the streaming one.
    /// Steps submitted, per class index.
    public private(set) var submissions: [Int: Int] = [:]
    /// Times the engine had to wait.
    public private(set) var waits = 0
    /// Works adopted so far, and released.
    public private(set) var adopted = 0, released = 0
    /// The smallest slack of a work adopted, in its own blocks.
    public private(set) var leastSlackInBlocks = Int.max

    public init() {}

    public func adopt(_ works: [PartitionWork]) {
        adopted += works.count
        for work in works { leastSlackInBlocks = min(leastSlackInBlocks, work.slack / work.blockSize) }
    }

    public func submitted(_ work: PartitionWork, step: Int64) { submissions[work.classIndex, default: 0] += 1 }

    public func wait(for work: PartitionWork, through step: Int64) {
        waits += 1
        work.runPending()
    }

    public func release(_ works: [PartitionWork]) { released += works.count }

    /// Forgets the counts.
    public func clearCounts() {
        submissions = [:]
        waits = 0
    }
}
