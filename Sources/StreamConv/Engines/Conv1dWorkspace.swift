/// An engine bound to its per-stream state: the one thing that computes outputs.
///
/// Each stream, and each whole-signal segment, owns one, made by
/// ``Conv1dEngine/makeWorkspace(maxOutputs:)`` when it is prepared, so ``compute(input:inputStride:output:outputStride:first:count:)``
/// allocates nothing. The direct engine's state is only scratch (the phase rows of a strided
/// spec); the FFT engine keeps each partition class's open block, delay line and output ring.
///
/// Non-copyable: state has one owner, so no copy can share it and then copy it on first write
/// on an audio thread. ``copy()`` is the explicit, allocating copy, for a thread that is not
/// real-time.
public struct Conv1dWorkspace<Scalar: ConvScalar>: ~Copyable, Sendable {
    /// The engine with state of its own kind: they can never be mismatched.
    enum Bound: Sendable {
        case direct(DirectConv1dEngine<Scalar>, PhaseRows<Scalar>?)
        case fft(FFTConv1dEngine<Scalar>, FFTState<Scalar>)
        /// For a computation that never runs (a stream that withholds no head).
        case idle
    }

    private var bound: Bound

    init(_ bound: Bound) { self.bound = bound }

    /// A workspace that holds nothing, for a computation that never runs;
    /// ``compute(input:inputStride:output:outputStride:first:count:)`` on it is a bug.
    public static var idle: Conv1dWorkspace { Conv1dWorkspace(.idle) }

    /// Bytes of state and scratch held, counted from the buffers.
    public var bytes: Int {
        switch bound {
        case let .direct(_, rows): rows?.storage.bytes ?? 0
        case let .fft(_, state): state.bytes
        case .idle: 0
        }
    }

    /// Forgets the signal: the next call may start anywhere. Allocates nothing.
    public mutating func reset() { reset(zeroPrefix: 0) }

    /// Forgets the signal, which will start with `zeroPrefix` padding zeros at padded sample
    /// 0: the engine's work on them, which no sample changes, is done now (for the FFT
    /// engine, every block step they complete), so the first call costs what any call costs.
    /// The same operations as taking the zeros in later: the bits are the same. Allocates
    /// nothing.
    public mutating func reset(zeroPrefix: Int) {
        if case let .fft(engine, state) = bound { state.reset(engine: engine, zeros: zeroPrefix) }
    }

    /// Runs the engine's large partitions' block steps on `scheduler` (`nil`: on the calling
    /// thread, the default). Waits for any pending step first; the bits do not change.
    /// Allocates; not on an audio thread.
    public mutating func schedule(on scheduler: (any PartitionScheduler)?) {
        if case let .fft(_, state) = bound { state.schedule(on: scheduler) }
    }

    /// Makes room for calls of up to `maxOutputs` outputs, keeping the state. Allocates when
    /// the scratch must grow.
    public mutating func reserve(maxOutputs: Int) {
        if case let .direct(engine, rows?) = bound, rows.maxOutputs < min(maxOutputs, DirectConv1dEngine<Scalar>.phaseTile) {
            bound = .direct(engine, engine.makePhaseRows(maxOutputs: maxOutputs))
        }
    }

    /// An independent workspace in the same state. Allocates: not for an audio thread.
    public func copy() -> Conv1dWorkspace {
        switch bound {
        case let .direct(engine, rows): Conv1dWorkspace(.direct(engine, rows.map { $0.fresh() }))
        case let .fft(engine, state): Conv1dWorkspace(.fft(engine, state.copy(engine: engine)))
        case .idle: Conv1dWorkspace(.idle)
        }
    }

    /// Computes outputs `first..<first + count`:
    /// `output[o·outputStride + j] = bias[o] + Σ_i Σ_k weight[o][i][k] · x[c(o,i)][(first + j)·stride + k·dilation]`
    /// in padded coordinates, `c(o,i)` being the `i`-th input channel of `o`'s group.
    ///
    /// Allocates nothing, takes no lock, never throws: safe on an audio thread.
    /// - Parameters:
    ///   - input: channel-major; `input[c·inputStride]` is padded sample `first·stride` of channel `c`.
    ///   - output: channel-major; at least `count` writable samples per output channel.
    ///   - count: at most the `maxOutputs` the workspace was made or reserved for.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public mutating func compute(
        input: UnsafePointer<Scalar>, inputStride: Int,
        output: UnsafeMutablePointer<Scalar>, outputStride: Int,
        first: Int64, count: Int
    ) {
        switch bound {
        case let .direct(engine, rows):
            engine.compute(input: input, inputStride: inputStride, output: output, outputStride: outputStride, count: count, phases: rows)
        case let .fft(engine, state):
            FFTEngineLoops.compute(engine, state, input: input, inputStride: inputStride, output: output, outputStride: outputStride, first: first, count: count)
        case .idle:
            preconditionFailure("an idle workspace computes nothing")
        }
    }
}
