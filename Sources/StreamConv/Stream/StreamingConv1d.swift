/// `torch.nn.Conv1d` on a signal that arrives in chunks of any sizes.
///
/// Works in the coordinates of the padded signal: output `t` reads padded samples
/// `t·stride + k·dilation`. A history buffer per input channel holds the padded samples from
/// `nextOutput·stride` on (fewer than the receptive field once every ready output is out);
/// samples that no output reads, when the stride exceeds the receptive field, are skipped.
/// Every output is computed by the same ``Conv1dEngine`` as ``Conv1d/forward(_:)-(Signal<T>)``
/// from the same padded samples, so the concatenated output is bit for bit the whole-signal
/// output however the input is cut.
///
/// Padding per mode: zeros and replicate pad the start as soon as the first sample is known;
/// reflect holds the first `pad_left+1` samples back to mirror them; circular withholds the
/// outputs that read the left pad (the signal's end) and returns them from ``finish()`` as
/// ``StreamEnd/head``.
///
/// Real-time use: ``prepare(maxFrames:)`` allocates; ``process(_:into:)`` then allocates
/// nothing, takes no lock, does no I/O, and throws only for a caller's mistake (wrong channel
/// count, too small an output buffer, a finished stream). The stream is non-copyable: its state
/// has one owner, so nothing can share it and copy it on first write on an audio thread;
/// ``copy()`` is the explicit, allocating copy, for a thread that is not real-time.
public struct StreamingConv1d<T: ConvScalar>: Stage, ~Copyable, Sendable {
    /// The convolution being streamed.
    public let conv: Conv1d<T>
    /// Its hyper-parameters.
    public var spec: Conv1dSpec { conv.spec }
    /// The largest chunk one pass handles; larger chunks are processed in passes of this size.
    public private(set) var maxFrames: Int
    /// Outputs withheld until ``finish()``: `ceil(pad_left / stride)` with circular padding, else 0.
    public let withheldHeadFrames: Int

    // Geometry, fixed by the spec.
    private let receptiveField: Int
    private let stride: Int
    private let padLeft: Int
    private let padRight: Int
    private let inChannels: Int
    private let mode: PaddingMode

    // The history: padded samples [bufferStart, bufferStart + stored) of every channel, from
    // frame `historyOffset`. A mirrored ring of `ring` frames in 2·ring: each sample is
    // written at its slot and at the slot `ring` away, so every window an engine reads is one
    // contiguous run (what SIMD and FFT engines want) and nothing is ever moved. Moving the
    // kept samples to the front instead cost R − 1 samples at once every R or so frames: for a
    // 262,144-tap stereo filter 2 MB in one period, that period's worst time.
    private var history: PlanarStorage<T>
    private var stored = 0
    /// Where `bufferStart` sits in `history`, in 0..<ring.
    private var historyOffset = 0
    /// The ring's length: R − 1 + maxFrames, so the kept samples and a chunk fit.
    private var ring: Int { history.capacity / 2 }
    /// Padded index of `history` frame `historyOffset`; always `nextOutput · stride`.
    private var bufferStart: Int64 = 0
    /// Padded index of the next sample appended.
    private var nextInput: Int64 = 0
    /// Index of the next output to compute.
    private var nextOutput: Int64 = 0
    /// Input samples received so far (the `L` of the finished signal).
    public private(set) var inputFrames: Int64 = 0
    /// Left padding fed (zeros, replicate, reflect).
    private var started = false
    /// Zeros of the left pad already in the history before the first sample (zero padding:
    /// put there at reset, so the first chunk does not copy up to R − 1 zeros per channel).
    private var prefedZeros = 0
    private var finished = false

    // The first samples of the signal: reflect mirrors x[1…pad_left]; circular needs the start
    // for its right pad and for the withheld head outputs.
    private var staging: PlanarStorage<T>
    private let stagingCapacity: Int
    private var staged = 0
    // The last samples of the signal: replicate needs 1, reflect pad_right+1, circular pad_left.
    private var tail: TailRing<T>
    /// Frames the tail ring keeps.
    private let tailKeep: Int
    // One pad run (mirrored or repeated samples) and, for circular, the head window.
    private var scratch: PlanarStorage<T>
    private var headWindow: PlanarStorage<T>
    // The engine's state for the outputs in order, and for the circular head computed at the end.
    private var workspace: Conv1dWorkspace<T>
    private var headWorkspace: Conv1dWorkspace<T>

    /// A stream of `conv`, prepared for chunks of up to `maxFrames` frames.
    // Pre-specialised, as process is: made from other modules, the generic body zeroed its
    // buffers one sample at a time through witness tables (7 ms for a 65,536-tap stream).
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public init(_ conv: Conv1d<T>, maxFrames: Int = 4096) {
        let spec = conv.spec
        self.conv = conv
        receptiveField = spec.receptiveField
        stride = spec.stride
        padLeft = spec.padLeft
        padRight = spec.padRight
        inChannels = spec.inChannels
        mode = spec.paddingMode
        let head = spec.withheldHeadOutputs
        withheldHeadFrames = head
        let headWindowLength = head > 0 ? (head - 1) * stride + receptiveField : 0
        let tailCapacity: Int
        switch mode {
        case .zeros:
            (stagingCapacity, tailCapacity) = (0, 0)
        case .replicate:
            (stagingCapacity, tailCapacity) = (0, 1)
        case .reflect:
            (stagingCapacity, tailCapacity) = (padLeft + 1, padRight + 1)
        case .circular:
            (stagingCapacity, tailCapacity) = (max(padRight, headWindowLength - padLeft, 0), padLeft)
        }
        // At least one frame each, so every storage has an address.
        staging = PlanarStorage(channels: inChannels, capacity: max(1, stagingCapacity))
        tail = TailRing(channels: inChannels, capacity: tailCapacity)
        tailKeep = tailCapacity
        scratch = PlanarStorage(channels: inChannels, capacity: max(1, padLeft, padRight))
        headWindow = PlanarStorage(channels: inChannels, capacity: max(1, headWindowLength))
        // Only circular padding computes a withheld head: other streams hold no state for it.
        headWorkspace = head > 0 ? conv.engine.makeWorkspace(maxOutputs: head) : .idle
        self.maxFrames = 0
        history = PlanarStorage(channels: inChannels, capacity: 0)
        workspace = conv.engine.makeWorkspace(maxOutputs: 1)
        prepare(maxFrames: max(1, maxFrames))
        reset()
    }

    /// A stream in the same state as `other`, with storage of its own.
    private init(copying other: borrowing StreamingConv1d) {
        conv = other.conv
        maxFrames = other.maxFrames
        withheldHeadFrames = other.withheldHeadFrames
        (receptiveField, stride, padLeft, padRight, inChannels, mode) =
            (other.receptiveField, other.stride, other.padLeft, other.padRight, other.inChannels, other.mode)
        history = other.history.copy()
        (stored, historyOffset, bufferStart, nextInput, nextOutput, inputFrames, started, finished) =
            (other.stored, other.historyOffset, other.bufferStart, other.nextInput, other.nextOutput, other.inputFrames, other.started, other.finished)
        prefedZeros = other.prefedZeros
        staging = other.staging.copy()
        stagingCapacity = other.stagingCapacity
        staged = other.staged
        tail = other.tail.copy()
        tailKeep = other.tailKeep
        scratch = other.scratch.copy()
        headWindow = other.headWindow.copy()
        workspace = other.workspace.copy()
        headWorkspace = other.headWorkspace.copy()
    }

    /// An independent stream in the same state: it continues the signal on its own.
    /// Allocates everything the stream holds, so it is for a thread that is not real-time
    /// (a stream forked before a live swap, a test comparing two continuations).
    public func copy() -> StreamingConv1d { StreamingConv1d(copying: self) }

    /// Makes room for chunks of up to `maxFrames` frames in one pass. Allocates; call it before
    /// handing the stream to a real-time thread. Keeps the stream's state.
    /// `maxFrames` below 1 is taken as 1, as ``Conv1d/makeStream(maxFrames:)`` takes it, and
    /// above ``Conv1dSpec/maximumSize`` as that, so the buffer arithmetic cannot overflow.
    /// The memory it allocates is ``Conv1dSpec/streamBytes(maxFrames:scalarSize:)``.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public mutating func prepare(maxFrames requested: Int) {
        let maxFrames = min(max(1, requested), Conv1dSpec.maximumSize)
        // A ring for the kept samples and a chunk, mirrored (see `history`).
        let ring = receptiveField - 1 + maxFrames
        guard 2 * ring > history.capacity else { return }
        var grown = PlanarStorage<T>(channels: inChannels, capacity: 2 * ring)
        let kept = history.view.dropping(historyOffset)
        grown.copy(from: kept, count: stored, to: 0)
        grown.copy(from: kept, count: stored, to: ring)
        history = grown
        historyOffset = 0
        self.maxFrames = maxFrames
        // One pass computes at most (ring − receptive field) / stride + 1 outputs. The
        // workspace keeps its state (an engine with a block grid keeps its place).
        workspace.reserve(maxOutputs: (ring - receptiveField) / stride + 1)
    }

    /// The first broken internal invariant, or `nil`: the property tests call it after every
    /// chunk (``ChunkEquivalence`` does), so a bookkeeping error is caught where it happens
    /// rather than as a wrong sample later.
    public func checkInvariants() -> String? {
        let stride64 = Int64(stride)
        if bufferStart != nextOutput * stride64 {
            return "bufferStart \(bufferStart) != nextOutput \(nextOutput) · stride \(stride)"
        }
        if stored < 0 || stored > ring || historyOffset < 0 || historyOffset >= max(1, ring) {
            return "stored \(stored) at offset \(historyOffset) outside a ring of \(ring)"
        }
        if ring < receptiveField - 1 + maxFrames {
            return "history ring \(ring) < receptive field − 1 + maxFrames = \(receptiveField - 1 + maxFrames)"
        }
        // Both copies of the oldest and newest kept samples agree.
        if stored > 0 {
            for c in 0..<inChannels {
                for at in [historyOffset, historyOffset + stored - 1] {
                    let (sample, twin) = (history[c, at], history[c, at < ring ? at + ring : at - ring])
                    if sample != twin && !(sample.isNaN && twin.isNaN) {
                        return "history frame \(at) of channel \(c) differs from its mirror"
                    }
                }
            }
        }
        // Appended samples end at nextInput; while skipping, nothing is stored.
        if nextInput >= bufferStart ? nextInput != bufferStart + Int64(stored) : stored != 0 {
            return "nextInput \(nextInput) != bufferStart \(bufferStart) + stored \(stored)"
        }
        // Every output whose window is complete has been computed.
        if !finished && stored >= receptiveField { return "stored \(stored) ≥ receptive field \(receptiveField) after a call" }
        if staged < 0 || staged > stagingCapacity { return "staged \(staged) outside 0…\(stagingCapacity)" }
        if nextOutput < Int64(withheldHeadFrames) { return "nextOutput \(nextOutput) < withheld head \(withheldHeadFrames)" }
        if inputFrames < 0 || (mode != .circular && started && nextInput < Int64(padLeft)) {
            return "input bookkeeping: inputFrames \(inputFrames), nextInput \(nextInput), padLeft \(padLeft)"
        }
        return nil
    }

    /// Forgets the signal: the next chunk starts a new one. Allocates nothing.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public mutating func reset() {
        nextOutput = Int64(withheldHeadFrames)
        bufferStart = nextOutput * Int64(stride)
        // Circular never feeds its left pad: those outputs are computed at the end.
        nextInput = mode == .circular ? Int64(padLeft) : 0
        stored = 0
        historyOffset = 0
        inputFrames = 0
        started = false
        finished = false
        staged = 0
        tail.clear()
        // Zero padding is known before the signal: the engine takes it in now, so the first
        // chunk costs what any chunk costs (for a long FFT filter, every block step of the left
        // pad would otherwise land in it).
        workspace.reset(zeroPrefix: mode == .zeros ? padLeft : 0)
        headWorkspace.reset()
        // The history takes those zeros now too, as many as complete no output (fewer than R),
        // so the first chunk copies only its own samples (a 262,144-tap filter's pad cost its
        // first period about half a millisecond).
        prefedZeros = mode == .zeros ? min(padLeft, receptiveField - 1) : 0
        if prefedZeros > 0 {
            history.fill(count: prefedZeros) { _, _ in 0 }
            history.mirror(from: 0, count: prefedZeros, to: ring)
            stored = prefedZeros
            nextInput = Int64(prefedZeros)
        }
    }

    /// Left-pad frames the first chunk will still feed into the history: 0 for zero padding
    /// shorter than the receptive field (taken in at reset, as the engine's are), the pad
    /// otherwise (replicate and reflect pads depend on the signal).
    public var leftPadPendingFrames: Int {
        guard !started, mode != .circular else { return 0 }
        return padLeft - prefedZeros
    }

    /// Input frames ``join(history:endingAt:)`` needs: the receptive field, and the engine's
    /// warm-up (``Conv1dEngine/warmUp``: how far back an FFT block grid's state sees), a
    /// stride apart. `nil` for circular padding, whose first outputs read the signal's end.
    public var joinHistory: Int? {
        mode == .circular ? nil : max(receptiveField + (conv.engine.warmUp + 1) * stride, tailKeep, padLeft + 1)
    }

    /// Takes up a signal part-way through: starts the engine's workspace a warm-up before the
    /// first output still to come (as a ``Conv1dSegments`` segment starts), at its absolute
    /// output index, so its block grid sits where a stream fed from the start has it, and
    /// feeds the history from there. The padding-mode bookkeeping is that of a stream past its
    /// left pad: the pad's values reach no output from there on. Allocates.
    /// - Throws: ``Conv1dError/cannotJoin(reason:)`` for circular padding,
    ///   ``Conv1dError/joinHistoryTooShort(position:needed:got:)`` for too short a history.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public mutating func join(history: Signal<T>, endingAt position: Int64) throws(Conv1dError) {
        guard let needed = joinHistory else {
            throw .cannotJoin(reason: "circular padding reads the signal's end for its first outputs")
        }
        if history.channels != inChannels {
            throw .channelMismatch(expected: inChannels, got: history.channels, groups: spec.groups)
        }
        reset()
        // The first output not yet emitted once `position` frames are in, and the first the
        // workspace computes to be bit for bit the full stream's from there on.
        let stride64 = Int64(stride)
        let padded = position + Int64(padLeft)
        let pending = padded >= Int64(receptiveField) ? (padded - Int64(receptiveField)) / stride64 + 1 : 0
        let first = max(0, pending - Int64(conv.engine.warmUp))
        let firstFrame = first * stride64 - Int64(padLeft)
        if firstFrame <= 0 || position <= Int64(padLeft) + 1 {
            // Still near the start: the left pad matters (reflect forms it only from frame
            // pad_left on), so take the signal from its first frame.
            guard position <= Int64(history.frames) else {
                throw .joinHistoryTooShort(position: position, needed: Int(position), got: history.frames)
            }
            try replay(history.slice((history.frames - Int(position))..<history.frames))
            return
        }
        // A stride longer than the receptive field can put the next output's window past
        // `position`: then nothing is replayed, and the frames up to it are skipped as usual.
        let start = min(firstFrame, position)
        let count = Int(position - start)
        guard count <= history.frames else {
            throw .joinHistoryTooShort(position: position, needed: min(needed, Int(position)), got: history.frames)
        }
        workspace.reset(zeroPrefix: 0)
        (stored, historyOffset, prefedZeros) = (0, 0, 0)
        nextOutput = first
        bufferStart = first * stride64
        nextInput = start + Int64(padLeft)
        inputFrames = start
        started = true
        staged = stagingCapacity
        // The right pad of replicate and reflect mirrors the signal's last frames: the tail
        // ring must hold them even where the warm-up is shorter.
        let older = min(history.frames - count, max(0, tailKeep - count))
        if older > 0 {
            let before = history.slice((history.frames - count - older)..<(history.frames - count))
            before.withView { tail.append($0, count: older) }
        }
        try replay(history.slice((history.frames - count)..<history.frames))
    }

    /// Runs the FFT engine's large partitions on `scheduler` (`nil`: inline, the default).
    /// Waits for pending steps first; the output's bits do not change. Allocates: not on an
    /// audio thread.
    public mutating func schedule(on scheduler: (any PartitionScheduler)?) {
        workspace.schedule(on: scheduler)
    }

    /// Input frames between a sample arriving and the output aligned with it being emitted,
    /// in steady state (``Conv1dSpec/latency``).
    public var latency: Int { spec.latency }

    /// The delay of the first output: reflect padding waits for `pad_left+1` samples before
    /// it can mirror them. With circular padding the first ``withheldHeadFrames`` outputs come
    /// only at the end.
    public var startupLatency: Int {
        mode == .reflect ? max(latency, padLeft) : latency
    }

    /// Output frames one call of ``process(_:into:)`` with `frames` input frames returns now.
    public func outputFrameCount(afterProcessing frames: Int) -> Int {
        guard !finished else { return 0 }
        let length = inputFrames + Int64(frames)
        let available: Int64
        switch mode {
        case .zeros, .replicate: available = length > 0 ? Int64(padLeft) + length : 0
        case .reflect: available = length > Int64(padLeft) ? Int64(padLeft) + length : 0
        case .circular: available = Int64(padLeft) + length
        }
        guard available >= Int64(receptiveField) else { return 0 }
        let ready = (available - Int64(receptiveField)) / Int64(stride) + 1
        return Int(max(0, ready - nextOutput))
    }

    /// An output capacity any chunk of `frames` frames fits in, in any state: the chunk and
    /// the left pad (twice, for reflect's held-back start), a stride apart.
    public func outputBound(inputFrames frames: Int) -> Int { (2 * padLeft + frames) / stride + 1 }

    /// What ``finish(head:tail:)`` can return: the withheld head, and at most the outputs the
    /// right padding completes once fewer than a receptive field of samples wait.
    public var finishBound: (head: Int, tail: Int) { (withheldHeadFrames, (receptiveField + padRight) / stride + 2) }

    /// Bytes of engine state and scratch this stream holds (its workspaces), counted from the
    /// buffers: what ``Conv1dSpec/engineBytes(choice:maxFrames:scalarSize:)`` estimates besides
    /// the engine's own ``Conv1dEngine/derivedBytes``.
    public var engineBytes: Int { workspace.bytes + headWorkspace.bytes }

    /// ``Conv1dSpec/outputsBeforeTail(inputLength:)``.
    public func outputsBeforeTail(inputLength: Int) -> Int { spec.outputsBeforeTail(inputLength: inputLength) }

    /// `in_channels`.
    public var inputChannels: Int { inChannels }
    /// `out_channels`.
    public var outputChannels: Int { spec.outChannels }
    /// `1/stride`.
    public var rateRatio: FrameRatio { FrameRatio(outputs: 1, inputs: stride) }

    /// Lanes of this stream's convolution (``Conv1d/lanes(_:)``), each a fresh stream
    /// prepared for the same chunks: they start a new signal. One lane is this stream itself.
    public consuming func lanes(_ count: Int) -> [StageLane<StreamingConv1d>] {
        let parts = conv.lanes(count)
        guard parts.count > 1 else { return [StageLane(self, inputChannels: 0..<inChannels, outputChannels: 0..<spec.outChannels)] }
        let most = maxFrames
        return parts.map {
            StageLane($0.conv.makeStream(maxFrames: most), inputChannels: $0.inputChannels, outputChannels: $0.outputChannels)
        }
    }

    /// ``Conv1dSegments``: time segments, each from a fresh workspace warmed up before it.
    public func wholeSignal(_ x: Signal<T>, maxSegments: Int) throws(Conv1dError) -> any WholeSignalCall<T> {
        try Conv1dSegments(conv, input: x, maxSegments: maxSegments)
    }

    /// Filters the next chunk into `output`, whose `frames` is set to the number written.
    ///
    /// Allocates nothing, takes no lock, does no I/O: callable from an audio thread once
    /// prepared, with `output` made beforehand (capacity ≥ ``outputFrameCount(afterProcessing:)``,
    /// for example ``maxOutputFramesPerChunk``) and not shared with a copy.
    /// - Throws: ``Conv1dError`` for a wrong channel count, a too small `output`, or a finished stream.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public mutating func process(_ input: Signal<T>, into output: inout Signal<T>) throws(Conv1dError) {
        if finished { throw .streamFinished }
        if input.channels != inChannels {
            throw .channelMismatch(expected: inChannels, got: input.channels, groups: spec.groups)
        }
        let needed = outputFrameCount(afterProcessing: input.frames)
        try checkOutput(output, needed: needed)
        output.withOutput(capacity: needed) { sink in
            if input.frames > 0 {
                input.withView { consume($0, count: input.frames, into: &sink) }
            }
        }
    }

    /// Output frames ``finish()`` returns: (head, tail). Throws as `finish` would.
    public func finishFrameCounts() throws(Conv1dError) -> (head: Int, tail: Int) {
        let total = Int64(try spec.outputLength(inputLength: Int(inputFrames)))
        let head = min(Int64(withheldHeadFrames), total)
        return (Int(head), Int(max(0, total - nextOutput)))
    }

    /// Ends the signal: pads the right end, returns the remaining outputs (and, for circular
    /// padding, the withheld first ones), and marks the stream finished until ``reset()``.
    /// - Throws: the error ``Conv1d/forward(_:)-(Signal<T>)`` raises for a signal of this
    ///   length (too short for the receptive field or the padding mode).
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public mutating func finish(head: inout Signal<T>, tail: inout Signal<T>) throws(Conv1dError) {
        if finished { throw .streamFinished }
        let counts = try finishFrameCounts()
        try checkOutput(head, needed: counts.head)
        try checkOutput(tail, needed: counts.tail)
        finished = true
        let length = Int(inputFrames)
        tail.withOutput(capacity: counts.tail) { sink in feedRightPad(length: length, into: &sink) }
        head.withOutput(capacity: counts.head) { sink in
            if counts.head > 0 { computeHead(count: counts.head, length: length, into: &sink) }
        }
    }

    /// A network node's end: the right pad's outputs into `sink` (networks refuse circular
    /// padding, so there is no withheld head).
    /// - Throws: the whole-signal call's error for a signal of this length.
    mutating func finish(into sink: inout PlanarOutput<T>) throws(Conv1dError) {
        if finished { throw .streamFinished }
        _ = try finishFrameCounts()
        finished = true
        feedRightPad(length: Int(inputFrames), into: &sink)
    }

    /// Outputs from now through `finish` if `extra` more frames arrive first, or the error
    /// `finish` would throw then.
    func remainingOutputs(afterMore extra: Int) throws(Conv1dError) -> Int {
        let total = Int64(try spec.outputLength(inputLength: Int(inputFrames) + extra))
        return Int(max(0, total - nextOutput))
    }

    /// Refuses an output buffer with the wrong channel count or too little room.
    private func checkOutput(_ buffer: Signal<T>, needed: Int) throws(Conv1dError) {
        if buffer.channels != spec.outChannels {
            throw .outputChannels(expected: spec.outChannels, got: buffer.channels)
        }
        if buffer.capacity < needed { throw .outputCapacity(needed: needed, capacity: buffer.capacity) }
    }

    // MARK: - Feeding

    /// Takes `count` input frames: remembers what the padding mode needs, pads the start when
    /// it can, and feeds the samples.
    mutating func consume(_ source: PlanarView<T>, count: Int, into sink: inout PlanarOutput<T>) {
        let before = Int(inputFrames)
        inputFrames += Int64(count)
        remember(source, count: count)
        switch mode {
        case .zeros:
            if !started {
                started = true
                let rest = padLeft - prefedZeros
                scratch.fill(count: rest) { _, _ in 0 }
                feedScratch(count: rest, into: &sink)
            }
            feed(source, count: count, into: &sink)
        case .replicate:
            if !started {
                started = true
                scratch.fill(count: padLeft) { c, _ in source[c, 0] }
                feedScratch(count: padLeft, into: &sink)
            }
            feed(source, count: count, into: &sink)
        case .reflect:
            if started {
                feed(source, count: count, into: &sink)
            } else if staged == stagingCapacity {
                // x[0…pad_left] are all here: mirror x[pad_left…1], then x[0…pad_left], then the rest.
                started = true
                let (mirrored, left) = (staging.view, padLeft)
                scratch.fill(count: left) { c, j in mirrored[c, left - j] }
                feedScratch(count: left, into: &sink)
                feed(mirrored, count: stagingCapacity, into: &sink)
                let used = stagingCapacity - before
                if count > used { feed(source.dropping(used), count: count - used, into: &sink) }
            }
        case .circular:
            feed(source, count: count, into: &sink)
        }
    }

    /// Copies what the padding mode keeps of a chunk: the signal's first samples (staging)
    /// and its last ones (the tail ring).
    private mutating func remember(_ source: PlanarView<T>, count: Int) {
        if staged < stagingCapacity {
            let take = min(stagingCapacity - staged, count)
            staging.copy(from: source, count: take, to: staged)
            staged += take
        }
        tail.append(source, count: count)
    }

    /// Feeds the first `count` scratch samples of every channel (`count ≤ max(pad_left, pad_right)`).
    private mutating func feedScratch(count: Int, into sink: inout PlanarOutput<T>) {
        guard count > 0 else { return }
        feed(scratch.view, count: count, into: &sink)
    }

    /// Appends padded samples to the history, in passes that fit it, computing every output
    /// that becomes ready after each pass.
    private mutating func feed(_ source: PlanarView<T>, count: Int, into sink: inout PlanarOutput<T>) {
        var done = 0
        while done < count {
            if nextInput < bufferStart {
                // No output reads these samples (stride wider than the receptive field).
                let skip = Int(min(Int64(count - done), bufferStart - nextInput))
                nextInput += Int64(skip)
                done += skip
                continue
            }
            // Room for `take` in the ring: the window [historyOffset, +stored + take) ends
            // before 2·ring; each new sample also goes to its slot `ring` away.
            let take = min(count - done, ring - stored)
            let at = historyOffset + stored
            history.copy(from: source.dropping(done), count: take, to: at)
            let low = max(0, min(take, ring - at))
            history.mirror(from: at, count: low, to: at + ring)
            history.mirror(from: at + low, count: take - low, to: at + low - ring)
            stored += take
            nextInput += Int64(take)
            done += take
            emitReady(into: &sink)
        }
    }

    /// Computes every output whose window is in the history, then drops the samples no
    /// later output reads.
    private mutating func emitReady(into sink: inout PlanarOutput<T>) {
        guard stored >= receptiveField else { return }
        let count = (stored - receptiveField) / stride + 1
        sink.compute(&workspace, from: history.view.dropping(historyOffset), first: nextOutput, count: count)
        nextOutput += Int64(count)
        let start = nextOutput * Int64(stride)
        let drop = Int(start - bufferStart)
        bufferStart = start
        if drop >= stored {
            stored = 0
            historyOffset = 0
        } else {
            // Past the first copy, the window continues in the second's mirror below.
            historyOffset += drop
            if historyOffset >= ring { historyOffset -= ring }
            stored -= drop
        }
    }

    /// Feeds the right padding, which completes every remaining output.
    private mutating func feedRightPad(length: Int, into sink: inout PlanarOutput<T>) {
        let right = padRight
        switch mode {
        case .zeros:
            scratch.fill(count: right) { _, _ in 0 }
        case .replicate:
            let ring = tail.view
            scratch.fill(count: right) { c, _ in ring.fromEnd(0, channel: c) }
        case .reflect:
            // x[L−2−i] for i < pad_right.
            let ring = tail.view
            scratch.fill(count: right) { c, j in ring.fromEnd(1 + j, channel: c) }
        case .circular:
            // x[0…pad_right−1], kept in staging.
            let start = staging.view
            scratch.fill(count: right) { c, j in start[c, j] }
        }
        feedScratch(count: right, into: &sink)
    }

    /// Computes the first `count` outputs of a circular stream from the kept start and end
    /// of the signal.
    private mutating func computeHead(count: Int, length: Int, into sink: inout PlanarOutput<T>) {
        let window = (count - 1) * stride + receptiveField
        let (left, ring, start) = (padLeft, tail.view, staging.view)
        headWindow.fill(count: window) { c, j in
            let i = PaddingMode.circular.sourceIndex(padded: j, length: length, padLeft: left)!
            return j < left ? ring.fromEnd(length - 1 - i, channel: c) : start[c, i]
        }
        headWorkspace.reset()
        sink.compute(&headWorkspace, from: headWindow.view, first: 0, count: count)
    }
}
