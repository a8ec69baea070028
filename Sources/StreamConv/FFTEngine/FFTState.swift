/// The FFT engine's state for one stream: where the stream is, and each partition class's
/// state in an allocation of its own (the unit a worker thread can take over).
/// A class only so that ``Conv1dWorkspace`` can hold it beside its engine; the workspace,
/// non-copyable, is its one owner.
final class FFTState<Scalar: ConvScalar>: @unchecked Sendable {
    /// Padded samples taken in so far (the absolute index of the next one).
    var ingested: Int64 = 0
    /// Whether a call has come since the last reset.
    var started = false
    /// One per partition class, in class order.
    let classes: [FFTClassState<Scalar>]

    init(engine: FFTConv1dEngine<Scalar>) {
        classes = engine.classes.map { FFTClassState(plan: $0, spec: engine.spec) }
    }

    private init(copying other: FFTState) {
        ingested = other.ingested
        started = other.started
        classes = other.classes.map { $0.copy() }
    }

    /// Bytes held, counted from the buffers.
    var bytes: Int { classes.reduce(0) { $0 + $1.buffer.bytes } }

    /// Forgets the signal. Allocates nothing.
    func reset() {
        ingested = 0
        started = false
        for state in classes { state.buffer.zero() }
    }

    /// The same state in new memory. Allocates.
    func copy() -> FFTState { FFTState(copying: self) }
}
