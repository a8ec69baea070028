import StreamConv

/// One live filter and what belongs to it: its stage, its partition workers (a filter's own,
/// stopped when it is retired), its name for the stats, and how far into the input it is.
///
/// A slot is owned by one thread at a time, handed between the builder and the audio thread
/// only through ``SwapControl``'s mailboxes (acquire/release), so its state is never shared.
public final class StageSlot: @unchecked Sendable {
    // Unchecked: one owner at a time, handed over through SwapControl's atomics.
    /// The filter's name (a preset's name), as the stats show it.
    public let name: String
    /// Threads for the stage's large partitions (`nil`: all on the audio thread).
    public let workers: PartitionWorkers?
    var stage: any Stage<Float> & ~Copyable
    /// Input frames the stage has taken (its place in the capture).
    var position: Int64 = 0
    /// Where ``Stage/finish(head:tail:)`` writes, sized for this stage (``makeFinishBuffers()``).
    var head = Signal<Float>(channels: 0, capacity: 0)
    var tail = Signal<Float>(channels: 0, capacity: 0)
    /// Handed back by the audio thread because the input ran too far ahead of it to catch
    /// up within a period (the builder catches up and offers it again).
    var stale = false

    /// A slot for `stage`, named `name`, whose large partitions run on `workers` once the
    /// stage is scheduled on them.
    public init<S: Stage<Float> & ~Copyable>(name: String, stage: consuming S, workers: PartitionWorkers? = nil) {
        self.name = name
        self.workers = workers
        self.stage = consume stage
    }

    /// Channels the stage takes.
    public var inputChannels: Int { stage.inputChannels }
    /// Channels the stage makes.
    public var outputChannels: Int { stage.outputChannels }
    /// The stage's latency, in input frames.
    public var latency: Int { stage.latency }
    /// The stage's output frames per input frame.
    public var rateRatio: FrameRatio { stage.rateRatio }
    /// Frames the stage's ``Stage/finish(head:tail:)`` may make.
    public var finishBound: (head: Int, tail: Int) { stage.finishBound }
    /// Input frames a join needs (`nil`: only the whole signal so far).
    public var joinHistory: Int? { stage.joinHistory }

    /// Prepares the stage for periods of `period` frames and rehearses it (off the audio
    /// thread: this allocates).
    func prepare(period: Int) {
        Self.prepare(&stage, period)
        makeFinishBuffers()
    }

    /// Allocates the buffers the stage's finish writes into (its own bounds).
    func makeFinishBuffers() {
        let bounds = finishBound
        head = Signal(channels: outputChannels, capacity: max(1, bounds.head))
        tail = Signal(channels: outputChannels, capacity: bounds.tail)
    }

    private static func prepare<S: Stage<Float> & ~Copyable>(_ stage: inout S, _ period: Int) {
        stage.prepare(maxFrames: period)
        PeriodProcessor.rehearse(stage, period: period)
    }

    /// Outputs the next `frames` input frames make, from the stage's state now.
    public func outputFrameCount(afterProcessing frames: Int) -> Int {
        // Through an inout access: a borrow of a class's noncopyable existential cannot be
        // opened for a method call.
        Self.outputFrameCount(of: &stage, frames)
    }

    private static func outputFrameCount<S: Stage<Float> & ~Copyable>(of stage: inout S, _ frames: Int) -> Int {
        stage.outputFrameCount(afterProcessing: frames)
    }
}
