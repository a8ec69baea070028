import Synchronization

/// The block work of one FFT partition class (every class but the first), which a
/// ``PartitionScheduler`` may run on a thread other than the one that streams.
///
/// The streaming thread takes samples into the class's input ring and, when block `b` is
/// complete, *submits* it; the step of block `b` (its spectrum into the frequency-domain delay
/// line, the multiply-accumulate, the inverse into the output ring) may then run anywhere, in
/// block order, as long as it has finished before the streaming thread reads an output it
/// wrote. The class plan guarantees that time: the class starts at least two of its blocks
/// into the response, so the step of block `b` is first read a whole block after `b` is
/// complete (``slack``). The step is the inline engine's, on the same memory, so an output's
/// bits never depend on which thread computed it.
///
/// Hand-over is sequence counters, with acquire/release: steps submitted, claimed and
/// finished, which only ever grow. No lock, no allocation, no system call on either side; a
/// scheduler adds only how its threads wait. A step not yet claimed can be run by whichever
/// thread gets to it first: the streaming thread, finding one late, runs it itself rather
/// than wait for a worker that has not been scheduled.
public final class PartitionWork: @unchecked Sendable {
    // Unchecked: the counters are atomics; `blocks` is written by the streaming thread before
    // the release that publishes it and read by the worker after the acquire that sees it; the
    // streaming side's bookkeeping below is touched by the streaming thread alone; the step's
    // memory is touched by the streaming thread only outside the slots an unfinished step
    // uses (see FFTClassState), and by one thread at a time, the one that claimed the step.

    /// The class's place in the plan (1 for the first class a worker can take), smallest block
    /// first: a scheduler gives earlier classes the higher priority.
    public let classIndex: Int
    /// Samples per block.
    public let blockSize: Int
    /// The class's first tap: the step of block b writes the shares of outputs
    /// `offset + b·blockSize …`.
    let offset: Int
    /// Samples between a block being complete and the first output its step writes being
    /// read: the time a worker has (at least one block).
    public var slack: Int { offset - blockSize }

    private let submittedCount = Atomic<Int64>(0)
    private let finishedCount = Atomic<Int64>(0)
    /// Steps claimed by a thread that runs them: one more than finished while one runs.
    private let claimedCount = Atomic<Int64>(0)
    /// The block of step `q` (counted from 1) at `q mod capacity`.
    private let blocks: UnsafeMutablePointer<Int64>
    private static var capacity: Int64 { 8 }
    private let step: @Sendable (Int64) -> Void

    // The streaming thread's own bookkeeping: blocks from `startBlock` on are steps from
    // `startStep` on; earlier blocks ran inline or precede the signal.
    private var startBlock: Int64 = 0
    private var startStep: Int64 = 1
    private var knownFinished: Int64 = 0
    private var lastSubmitted: Int64 = 0

    init(classIndex: Int, blockSize: Int, offset: Int, step: @escaping @Sendable (Int64) -> Void) {
        (self.classIndex, self.blockSize, self.offset) = (classIndex, blockSize, offset)
        self.step = step
        blocks = .allocate(capacity: Int(Self.capacity))
        blocks.initialize(repeating: 0, count: Int(Self.capacity))
    }

    deinit { blocks.deallocate() }

    /// Steps finished so far.
    public var finished: Int64 { finishedCount.load(ordering: .acquiring) }

    /// Runs every submitted step not yet run, in order, publishing each as it finishes;
    /// returns how many ran. Real-time safe. Any thread may call it: a step is claimed before
    /// it runs, so each runs once, and one at a time, in order.
    @discardableResult
    public func runPending() -> Int { runPending(through: .max) }

    /// Runs submitted steps up to step `through`, as ``runPending()`` does; stops early when
    /// another thread is running one (then that thread finishes it). Returns how many ran.
    @discardableResult
    public func runPending(through: Int64) -> Int {
        var ran = 0
        while true {
            let done = finishedCount.load(ordering: .acquiring)
            guard done < min(through, submittedCount.load(ordering: .acquiring)) else { return ran }
            // Claimed == finished while no step runs; whoever moves it first runs the step.
            guard claimedCount.compareExchange(expected: done, desired: done + 1, ordering: .acquiringAndReleasing).exchanged else { return ran }
            step(blocks[Int((done + 1) % Self.capacity)])
            finishedCount.store(done + 1, ordering: .releasing)
            ran += 1
        }
    }

    // MARK: - The streaming side

    /// Blocks from `block` on are new steps; earlier ones count as done. Only with nothing
    /// pending.
    func restart(atBlock block: Int64) {
        startBlock = block
        startStep = lastSubmitted + 1
        knownFinished = lastSubmitted
    }

    /// Block `block` (the one after the last submitted, or `startBlock`) is complete.
    func submit(_ block: Int64, to scheduler: any PartitionScheduler) {
        precondition(block == startBlock + (lastSubmitted + 1 - startStep), "FFT blocks submitted out of order")
        lastSubmitted += 1
        blocks[Int(lastSubmitted % Self.capacity)] = block
        submittedCount.store(lastSubmitted, ordering: .releasing)
        scheduler.submitted(self, step: lastSubmitted)
    }

    /// Returns once the step of `block` (and every earlier one) has finished, waiting through
    /// the scheduler if it has not. Blocks before the start need nothing.
    @inline(__always)
    func ensureFinished(_ block: Int64, scheduler: any PartitionScheduler) {
        guard block >= startBlock else { return }
        let needed = startStep + (block - startBlock)
        guard needed > knownFinished else { return }
        precondition(needed <= lastSubmitted, "an FFT block read before it was submitted")
        knownFinished = finishedCount.load(ordering: .acquiring)
        if knownFinished < needed {
            scheduler.wait(for: self, through: needed)
            knownFinished = finishedCount.load(ordering: .acquiring)
        }
    }

    /// Returns once every submitted step has finished.
    func drain(scheduler: any PartitionScheduler) {
        if finishedCount.load(ordering: .acquiring) < lastSubmitted { scheduler.wait(for: self, through: lastSubmitted) }
        knownFinished = lastSubmitted
    }
}
