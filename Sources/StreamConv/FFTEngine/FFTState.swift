/// The FFT engine's state for one stream: where the stream is, and each partition class's
/// state in an allocation of its own (the unit a worker thread takes over).
/// A class only so that ``Conv1dWorkspace`` can hold it beside its engine; the workspace,
/// non-copyable, is its one owner.
final class FFTState<Scalar: ConvScalar>: @unchecked Sendable {
    /// Padded samples taken in so far (the absolute index of the next one).
    var ingested: Int64 = 0
    /// Whether a call has come since the last reset.
    var started = false
    /// One per partition class, in class order.
    let classes: [FFTClassState<Scalar>]
    /// The block work of classes 1…, which a scheduler may run elsewhere (index c − 1).
    let works: [PartitionWork]
    /// Where classes 1… run their steps; `nil`: inline, on the streaming thread.
    private(set) var scheduler: (any PartitionScheduler)?

    init(engine: FFTConv1dEngine<Scalar>) {
        let classes = engine.classes.map { FFTClassState(plan: $0, spec: engine.spec) }
        self.classes = classes
        works = Self.works(engine: engine, classes: classes)
    }

    private init(copying other: FFTState, engine: FFTConv1dEngine<Scalar>) {
        ingested = other.ingested
        started = other.started
        let classes = other.classes.map { $0.copy() }
        self.classes = classes
        works = Self.works(engine: engine, classes: classes)
        restartWorks()
    }

    /// The block work of classes 1…: each runs its class's block step on its class's state.
    private static func works(engine: FFTConv1dEngine<Scalar>, classes: [FFTClassState<Scalar>]) -> [PartitionWork] {
        classes.indices.dropFirst().map { c in
            let (state, plan) = (classes[c], engine.classes[c])
            return PartitionWork(classIndex: c, blockSize: plan.size, offset: plan.offset) { block in
                FFTEngineLoops.blockStep(engine, state, class: c, block: block)
            }
        }
    }

    /// Bytes held, counted from the buffers.
    var bytes: Int { classes.reduce(0) { $0 + $1.buffer.bytes } }

    /// Forgets the signal, then takes in `zeros` padding zeros (a signal-independent start:
    /// their block steps run now, not in the first call). Allocates nothing.
    func reset(engine: FFTConv1dEngine<Scalar>, zeros: Int) {
        drain()
        ingested = 0
        started = false
        for state in classes { state.buffer.zero() }
        // No further than the first output reads: the rings hold only so far ahead.
        let zeros = min(zeros, engine.field - 1)
        if zeros > 0 {
            FFTEngineLoops.ingestZeros(engine, self, count: zeros)
            started = true
        }
        restartWorks()
    }

    /// Runs classes 1… on `scheduler` from the next block on (`nil`: inline again).
    func schedule(on scheduler: (any PartitionScheduler)?) {
        drain()
        if let old = self.scheduler, !works.isEmpty { old.release(works) }
        self.scheduler = scheduler
        restartWorks()
        if let scheduler, !works.isEmpty { scheduler.adopt(works) }
    }

    /// Waits for every submitted step.
    func drain() {
        guard let scheduler else { return }
        for work in works { work.drain(scheduler: scheduler) }
    }

    /// Blocks already complete count as done; the next to complete is each work's first.
    private func restartWorks() {
        for (c, work) in zip(1..., works) { work.restart(atBlock: ingested / Int64(classes[c].size)) }
    }

    /// Starts a sequence at padded sample `first` (samples before it are the zeros reset left).
    func start(at first: Int64) {
        started = true
        ingested = first
        restartWorks()
    }

    /// The same state in new memory, run inline. Allocates; waits for pending steps first.
    func copy(engine: FFTConv1dEngine<Scalar>) -> FFTState {
        drain()
        return FFTState(copying: self, engine: engine)
    }
}
