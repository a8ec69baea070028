/// Anything that streams: a signal in, in chunks of any sizes, a signal out.
///
/// The contract, for every stage: the full output is `finish`'s head, then every `process`
/// output in order, then `finish`'s tail, and it is bit for bit the same however the input
/// was cut (``ChunkEquivalence`` checks it). ``StreamingConv1d`` is one; containers (chains,
/// networks) are stages made of stages, and the pipeline, lanes, the live period processor and
/// playback only ever see a stage.
///
/// Real-time use: ``prepare(maxFrames:)`` is the only call that allocates; ``process(_:into:)``
/// and ``finish(head:tail:)`` then write into caller-owned buffers sized with
/// ``outputBound(inputFrames:)`` and ``finishBound``, and allocate nothing, take no lock and do
/// no I/O. Stages are non-copyable where they hold state: ``copy()`` is the explicit copy.
public protocol Stage<Scalar>: ~Copyable, SendableMetatype {
    /// The sample type.
    associatedtype Scalar: ConvScalar

    /// Channels of the input signal.
    var inputChannels: Int { get }
    /// Channels of the output signal.
    var outputChannels: Int { get }
    /// Output frames per input frame.
    var rateRatio: FrameRatio { get }
    /// Input frames between a sample arriving and the output aligned with it leaving, in
    /// steady state.
    var latency: Int { get }
    /// The largest chunk one ``process(_:into:)`` pass takes without allocating (larger
    /// chunks are processed in passes).
    var maxFrames: Int { get }

    /// Makes room for chunks of up to `maxFrames` frames, keeping the stage's state. Allocates:
    /// call it before handing the stage to a real-time thread.
    mutating func prepare(maxFrames: Int)

    /// Output frames the next ``process(_:into:)`` of `frames` input frames returns, exactly.
    func outputFrameCount(afterProcessing frames: Int) -> Int
    /// An output capacity that the outputs of any calls of ``process(_:into:)`` adding up to
    /// `frames` input frames fit in, whatever the stage's state: size buffers with it once, at
    /// prepare.
    func outputBound(inputFrames frames: Int) -> Int
    /// Frames ``finish(head:tail:)`` returns now, exactly. Throws as `finish` would.
    func finishFrameCounts() throws(Conv1dError) -> (head: Int, tail: Int)
    /// Capacities that any ``finish(head:tail:)`` fits in, whatever the stage's state.
    var finishBound: (head: Int, tail: Int) { get }
    /// Outputs of a signal of `inputLength` frames that come before `finish`'s tail: the
    /// output cut to what needs no padding past the input's end (an impulse response's
    /// convolution cut to the input's length, `"tail": false`).
    func outputsBeforeTail(inputLength: Int) -> Int

    /// Filters the next chunk into `output` (its `frames` set to the count written).
    /// Allocates nothing once prepared.
    /// - Throws: ``Conv1dError`` for a caller's mistake: a wrong channel count, too small an
    ///   output, a finished stage.
    mutating func process(_ input: Signal<Scalar>, into output: inout Signal<Scalar>) throws(Conv1dError)
    /// Ends the signal: the outputs that belong before the first `process` output (`head`)
    /// and after the last (`tail`). Allocates nothing once prepared.
    /// - Throws: the error the whole-signal call raises for a signal of this length.
    mutating func finish(head: inout Signal<Scalar>, tail: inout Signal<Scalar>) throws(Conv1dError)
    /// Forgets the signal: the next chunk starts a new one. Allocates nothing.
    mutating func reset()

    /// The first broken internal invariant, or `nil` (``ChunkEquivalence`` checks after
    /// every chunk).
    func checkInvariants() -> String?

    /// Input frames of a signal's recent past that ``join(history:endingAt:)`` needs to take the
    /// signal up part-way through; `nil` when the stage can only start at the signal's start
    /// (then it joins only with the whole signal so far).
    var joinHistory: Int? { get }

    /// Takes up a signal part-way through, as a live filter swap does: the stage continues as
    /// if it had been fed the signal's first `position` frames, of which `history` holds the
    /// last `history.frames` (at least `min(position, joinHistory)`). From here on every output
    /// (``process(_:into:)``, ``finish(head:tail:)``) is bit for bit the one a stage fed the
    /// whole signal would give: no start-up transient. The outputs for frames before
    /// `position` are computed and dropped. Allocates: not on an audio thread.
    /// - Throws: ``Conv1dError/joinHistoryTooShort(position:needed:got:)`` for too short a
    ///   history, ``Conv1dError/cannotJoin(reason:)`` for a stage that needs the signal's start.
    mutating func join(history: Signal<Scalar>, endingAt position: Int64) throws(Conv1dError)

    /// Runs the stage's deferrable work (an FFT engine's large partitions) on `scheduler`
    /// from now on; `nil` runs it inline again. The output's bits never depend on it. Waits
    /// for pending work and allocates: call it off the real-time thread.
    mutating func schedule(on scheduler: (any PartitionScheduler)?)

    /// An independent stage in the same state. Allocates: for a thread that is not real-time.
    func copy() -> Self

    /// This stage cut into at most `count` lanes that share nothing and can run side by side
    /// (`run --threads`), each with the input and output channels it covers; their outputs are
    /// this stage's channels bit for bit. One lane, this stage itself, when it cannot be cut.
    consuming func lanes(_ count: Int) -> [StageLane<Self>]

    /// The whole-signal output of `x`, cut into at most `maxSegments` segments that may run on
    /// separate threads; equal bit for bit to streaming `x` through a fresh copy of this stage.
    func wholeSignal(_ x: Signal<Scalar>, maxSegments: Int) throws(Conv1dError) -> any WholeSignalCall<Scalar>
}

extension Stage where Self: ~Copyable {
    /// No internal checks.
    public func checkInvariants() -> String? { nil }

    /// Only at the start: a stage that does not say how far back it sees needs the whole signal.
    public var joinHistory: Int? { nil }

    /// Joins by starting afresh and taking the whole signal so far, which `history` must hold.
    public mutating func join(history: Signal<Scalar>, endingAt position: Int64) throws(Conv1dError) {
        guard position <= Int64(history.frames) else {
            throw .cannotJoin(reason: "it needs the signal from its first frame (\(position) frames so far, \(history.frames) kept)")
        }
        reset()
        try replay(history.slice((history.frames - Int(position))..<history.frames))
    }

    /// Processes `x` in passes of at most ``maxFrames`` frames and drops the outputs (a join's
    /// warm-up). Allocates its output buffer.
    public mutating func replay(_ x: Signal<Scalar>) throws(Conv1dError) {
        let pass = max(1, min(maxFrames, x.frames))
        var chunk = Signal<Scalar>(channels: x.channels, capacity: pass)
        var out = Signal<Scalar>(channels: outputChannels, capacity: outputBound(inputFrames: pass))
        var done = 0
        while done < x.frames {
            let n = min(pass, x.frames - done)
            x.copyFrames(done..<(done + n), into: &chunk)
            try process(chunk, into: &out)
            done += n
        }
    }

    /// Nothing to schedule: all the work is inline.
    public mutating func schedule(on scheduler: (any PartitionScheduler)?) {}

    /// One lane: the whole stage.
    public consuming func lanes(_ count: Int) -> [StageLane<Self>] {
        let (inputs, outputs) = (inputChannels, outputChannels)
        return [StageLane(self, inputChannels: 0..<inputs, outputChannels: 0..<outputs)]
    }

    /// One segment: `x` streamed in one chunk through a fresh copy of the stage.
    public func wholeSignal(_ x: Signal<Scalar>, maxSegments: Int) throws(Conv1dError) -> any WholeSignalCall<Scalar> {
        var stage = copy()
        stage.reset()
        return try StreamedWholeSignal(stage: stage, input: x)
    }

    /// An output capacity any chunk of up to ``maxFrames`` frames fits in.
    public var maxOutputFramesPerChunk: Int { outputBound(inputFrames: maxFrames) }

    /// Filters the next chunk; allocates its output.
    /// - Throws: as ``process(_:into:)``.
    public mutating func process(_ input: Signal<Scalar>) throws(Conv1dError) -> Signal<Scalar> {
        var output = Signal<Scalar>(channels: outputChannels, capacity: outputFrameCount(afterProcessing: input.frames))
        try process(input, into: &output)
        return output
    }

    /// Ends the signal and returns the remaining outputs; allocates them.
    /// - Throws: as ``finish(head:tail:)``.
    public mutating func finish() throws(Conv1dError) -> StreamEnd<Scalar> {
        let counts = try finishFrameCounts()
        var head = Signal<Scalar>(channels: outputChannels, capacity: counts.head)
        var tail = Signal<Scalar>(channels: outputChannels, capacity: counts.tail)
        try finish(head: &head, tail: &tail)
        return StreamEnd(head: head, tail: tail)
    }
}

/// The end of a stream: what `finish` returns.
///
/// The full output of a stream is `head`, then every `process` output in order, then `tail`.
/// `head` is empty except where the first outputs can only be computed once the signal has
/// ended (circular padding: ``StreamingConv1d/withheldHeadFrames``).
public struct StreamEnd<T: ConvScalar>: Sendable, Equatable {
    /// Outputs that belong before the first output `process` returned.
    public var head: Signal<T>
    /// Outputs after the last output `process` returned.
    public var tail: Signal<T>

    /// An end made of its two parts.
    public init(head: Signal<T>, tail: Signal<T>) {
        self.head = head
        self.tail = tail
    }
}
