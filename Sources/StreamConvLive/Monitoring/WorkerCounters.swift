import Synchronization

/// What partition workers count for the stats, shared by every filter of a run (a filter swap
/// brings its own workers; the late blocks of all of them add up here).
public final class WorkerCounters: Sendable {
    /// Blocks the audio thread found unfinished when it needed them (and waited for).
    public let lateBlocks = Atomic<Int>(0)
    /// The longest such wait, in nanoseconds.
    public let worstWaitNanos = Atomic<Int>(0)

    public init() {}
}
