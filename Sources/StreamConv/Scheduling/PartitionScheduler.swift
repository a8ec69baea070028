/// Where the block steps of an FFT engine's partition classes run.
///
/// Without one (the default, every offline run and ``Conv1dSegments``) the streaming thread
/// runs each step itself, the moment its block is complete. With one attached
/// (``Stage/schedule(on:)``), the streaming thread runs only the direct head and the first
/// class; it submits the other classes' blocks to their ``PartitionWork`` and, before reading an
/// output a step writes, checks that the step has finished. The core has no threads: a
/// scheduler with threads lives in the live module; the steps and their bits are the same
/// either way.
public protocol PartitionScheduler: AnyObject, Sendable {
    /// Takes the works of a stage being attached, smallest block first. Called off the
    /// real-time thread; may allocate and start threads.
    func adopt(_ works: [PartitionWork])

    /// Step `step` of `work` was submitted. Real-time: no allocation, lock or system call.
    func submitted(_ work: PartitionWork, step: Int64)

    /// The streaming thread needs `work`'s steps through `step` finished and they are not:
    /// returns once they are (a late block, which the scheduler counts). The one path that
    /// may wait.
    func wait(for work: PartitionWork, through step: Int64)

    /// The works of a stage being detached: from now on the streaming thread runs them
    /// inline. Called off the real-time thread, with nothing pending.
    func release(_ works: [PartitionWork])
}
