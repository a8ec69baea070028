import Foundation
import StreamConv
import Synchronization

/// Worker threads for an FFT engine's large partitions, one per class, as zita-convolver
/// has them: the audio thread runs the direct head and the smallest class and only hands the
/// other classes' completed blocks over; each worker runs its class's block steps, at a
/// real-time priority below the audio thread's (smaller blocks higher), so a long filter's
/// large transforms no longer land in the one period that completes their block.
///
/// The audio thread's side is lock-free and makes no system call: a submission is an atomic
/// store, which the worker sees when it next looks (it looks every eighth of its block's
/// duration, well inside the block of slack the plan gives it). When a step the audio thread
/// must read has not finished (a late block, counted in ``lateBlocks``), the audio thread
/// runs it itself if no worker has started it, and otherwise waits for the worker running it;
/// the bits are the same either way.
public final class PartitionWorkers: PartitionScheduler, @unchecked Sendable {
    // Unchecked: `lanes` is written in `adopt`/`release`/`stop` (off the audio thread, with
    // no step pending) and only read otherwise; everything shared with the workers is atomic
    // or a semaphore.

    /// Late blocks and the longest wait (shared with the run's other filters' workers).
    public let counters: WorkerCounters
    private let flushing = Atomic<Bool>(false)

    /// From now on the stream is flushing its tail (computed at once, against no deadline):
    /// waits are no longer counted as late blocks.
    public func beginFlush() { flushing.store(true, ordering: .relaxed) }

    /// Whether waits count as late blocks: not while a swap's builder catches its new
    /// filter up faster than real time (its waits miss no deadline); again from its offer.
    public func countLateBlocks(_ counting: Bool) { flushing.store(!counting, ordering: .relaxed) }

    /// Steps the workers ran.
    public var stepsRun: Int { shared.stepsRun.load(ordering: .relaxed) }

    private let rate: Int
    private let priority: Int32
    private var lanes: [Lane] = []
    private let shared = Shared()

    /// What the worker threads count (a box: a thread's closure cannot capture an atomic).
    private final class Shared: Sendable {
        let stepsRun = Atomic<Int>(0)
    }

    /// Workers for a stream at `rate` Hz, the first at `priority` (each further class one
    /// lower), real time when the system permits it and ordinary scheduling otherwise,
    /// counting late blocks into `counters`.
    public init(rate: Int, priority: Int32 = RealTimePriority.audio - 1, counters: WorkerCounters = WorkerCounters()) {
        self.rate = max(1, rate)
        self.priority = priority
        self.counters = counters
    }

    deinit { stop() }

    /// Worker threads running.
    public var threads: Int { lanes.count }

    /// One thread per work, smallest block first.
    public func adopt(_ works: [PartitionWork]) {
        for work in works {
            // A look every eighth of a block: a step starts at most that late, and the plan
            // gives it a whole block.
            let poll = max(100_000, work.blockSize * 125_000_000 / rate)
            let lane = Lane(work: work, pollNanos: poll)
            let priority = max(1, self.priority - Int32(work.classIndex - 1))
            let shared = shared
            let thread = Thread {
                // Ordinary scheduling when refused: the audio thread's note already says so.
                _ = RealTimePriority.request(priority)
                lane.loop(shared: shared)
            }
            thread.stackSize = 1 << 20
            thread.name = "streamconv-partition-\(work.blockSize)"
            lanes.append(lane)
            thread.start()
        }
    }

    /// Nothing: the worker looks on its own. (Waking it here would be a system call on the
    /// audio thread.)
    public func submitted(_ work: PartitionWork, step: Int64) {}

    /// The audio thread needs a step not yet finished: it runs the steps no worker has
    /// started itself, and waits for one a worker is running (waking it first). With the
    /// workers stopped, it runs them all.
    public func wait(for work: PartitionWork, through step: Int64) {
        if !flushing.load(ordering: .relaxed) { counters.lateBlocks.add(Int(max(1, step - work.finished)), ordering: .relaxed) }
        let started = DispatchTime.now().uptimeNanoseconds
        // Steps no worker has started are run here at once: a worker that lost its CPU then
        // costs the step's own time, not the wait for it to be scheduled again.
        work.runPending(through: step)
        if work.finished < step, let lane = lanes.first(where: { $0.work === work }), !lane.stopped.load(ordering: .acquiring) {
            lane.waiting.store(true, ordering: .sequentiallyConsistent)
            lane.wake.signal()
            // Bounded waits: a wake-up lost between the worker's check and its store only
            // costs the timeout.
            // After each, take over what the worker has not claimed.
            while work.finished < step && !lane.stopped.load(ordering: .acquiring) {
                lane.done.wait(nanoseconds: 200_000)
                work.runPending(through: step)
            }
            lane.waiting.store(false, ordering: .relaxed)
            while lane.done.take() {}
        }
        // Stopped (or never adopted): nobody else runs these steps now.
        if work.finished < step { work.runPending() }
        let waited = Int(DispatchTime.now().uptimeNanoseconds - started)
        if waited > counters.worstWaitNanos.load(ordering: .relaxed) { counters.worstWaitNanos.store(waited, ordering: .relaxed) }
    }

    /// Stops and joins the threads of these works.
    public func release(_ works: [PartitionWork]) {
        let ids = Set(works.map { ObjectIdentifier($0) })
        for lane in lanes where ids.contains(ObjectIdentifier(lane.work)) { lane.stop() }
        lanes.removeAll { ids.contains(ObjectIdentifier($0.work)) }
    }

    /// Stops and joins every worker. A stream still attached then runs its steps inline
    /// when it needs them.
    public func stop() {
        for lane in lanes { lane.stop() }
        lanes.removeAll()
    }

    /// One work's thread and what it waits on.
    private final class Lane: @unchecked Sendable {
        // Unchecked: atomics and semaphores only, besides constants.
        let work: PartitionWork
        let pollNanos: Int
        let wake = Semaphore()
        let done = Semaphore()
        let waiting = Atomic<Bool>(false)
        let stopping = Atomic<Bool>(false)
        let stopped = Atomic<Bool>(false)

        init(work: PartitionWork, pollNanos: Int) {
            self.work = work
            self.pollNanos = pollNanos
        }

        func loop(shared: Shared) {
            while !stopping.load(ordering: .acquiring) {
                let ran = work.runPending()
                if ran > 0 {
                    shared.stepsRun.add(ran, ordering: .relaxed)
                    if waiting.load(ordering: .sequentiallyConsistent) { done.signal() }
                } else {
                    wake.wait(nanoseconds: pollNanos)
                }
            }
            stopped.store(true, ordering: .releasing)
            done.signal()
        }

        /// Asks the thread to end and waits until it has.
        func stop() {
            stopping.store(true, ordering: .releasing)
            wake.signal()
            while !stopped.load(ordering: .acquiring) { done.wait(nanoseconds: 1_000_000) }
        }
    }
}
