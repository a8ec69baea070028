import StreamConv
import StreamConvIO

#if canImport(Glibc)
import Glibc
#endif

/// One period of live audio, independent of any audio driver: captured bytes are decoded,
/// run through the stage, measured, and (for a device) encoded for playback. With a
/// ``SwapControl`` it also keeps the input's recent past and takes over new filters offered
/// while it runs, crossfading from the old one (see ``filter(captured:frames:)``).
///
/// Everything is allocated in `init`: ``filter(captured:frames:)``, ``finish()`` and
/// ``encodeReady(as:into:)`` then allocate nothing, take no lock, print nothing and do no I/O,
/// so a device loop can call them on the audio thread. What to deliver after each call is in
/// ``ready``. The frames delivered, one period after another, are the offline filtering of the
/// frames captured, bit for bit.
public struct PeriodProcessor: ~Copyable {
    /// Channels captured.
    public let inputChannels: Int
    /// Channels delivered.
    public let outputChannels: Int
    /// The most frames one ``filter(captured:frames:)`` takes.
    public let period: Int
    /// The stage's latency, in input frames.
    public let latency: Int

    /// The active filter.
    private var current: StageSlot
    /// The filter fading out (during a crossfade).
    private var outgoing: StageSlot?
    /// A filter waiting to be handed back to the builder (its mailbox was full).
    private var returning: StageSlot?
    private let swaps: SwapControl?
    /// Output frames `[fadeStart, fadeStart + crossfadeFrames)` mix the two filters.
    private var fadeStart: Int64 = 0
    private var fading: Signal<Float>
    private var gap: Signal<Float>
    private var gapOut: Signal<Float>
    private var input: Signal<Float>
    /// What the last call made: a period's outputs, or the stage's tail after ``finish()``.
    public private(set) var ready: Signal<Float>
    /// Tail frames of the finished filter not yet made ready.
    private var tailDelivered = 0
    private let keepTail: Bool
    private let capture: SampleEncoding
    private let rate: Int
    private let counters: LiveCounters
    private var quantizer: Quantizer?
    private var peaks: [Float]
    private var squares: [Double]
    /// Output frames per metering interval; the intervals start at output frame 0.
    private let levelInterval: Int
    /// The interval being measured: peaks, sums of squares, frames so far.
    private var intervalPeaks: [Float]
    private var intervalSquares: [Double]
    private var intervalFilled = 0
    /// The last completed interval (published with the totals).
    private var lastPeaks: [Float]
    private var lastSquares: [Double]
    private var lastFrames = 0
    private var lastStart: Int64 = 0
    private let meter: LevelMeter
    /// Frames delivered before ``ready``'s (the position integer output dithers from).
    private var readyStart: Int64 = 0
    /// Frames made ready so far.
    public private(set) var outputFrames: Int64 = 0
    /// Frames captured so far.
    public private(set) var capturedFrames: Int64 = 0

    /// A processor for periods of up to `period` frames in `capture`'s encoding at `rate` Hz,
    /// through `stage` (prepared here for the period); allocates everything it needs.
    /// - Parameters:
    ///   - quantizeTo: the bits of an integer playback format, whose output ``encodeReady(as:into:)``
    ///     rounds (with `dither`); `nil` for float playback or none.
    ///   - keepTail: false ends at the last captured frame instead of delivering the stage's
    ///     tail (an impulse-response preset with `"tail": false`).
    ///   - workers: threads for the stage's deferrable work (a long FFT filter's large
    ///     partitions); `nil` runs everything on the calling thread.
    ///   - name: the filter's name, for the stats.
    ///   - swaps: where new filters are offered (and the input history kept); `nil`: no swaps.
    ///   - levelInterval: output frames per metering interval (``levels``); `nil`: one second
    ///     of output.
    public init<S: Stage<Float> & ~Copyable>(
        stage: consuming S, period: Int, capture: SampleEncoding, rate: Int,
        quantizeTo bits: Int? = nil, dither: Dither = .none, keepTail: Bool = true, counters: LiveCounters,
        workers: PartitionWorkers? = nil, name: String = "", swaps: SwapControl? = nil, levelInterval: Int? = nil
    ) {
        stage.prepare(maxFrames: period)
        Self.rehearse(stage, period: period)
        if let workers { stage.schedule(on: workers) }
        (inputChannels, outputChannels, latency) = (stage.inputChannels, stage.outputChannels, stage.latency)
        let ratio = stage.rateRatio
        let readyBound = max(stage.outputBound(inputFrames: period), stage.finishBound.tail)
        input = Signal(channels: inputChannels, capacity: period)
        ready = Signal(channels: outputChannels, capacity: readyBound)
        // Room for a swap's second filter's period outputs: a new filter's count is checked
        // against it before it is offered (``FilterShape/readyCapacity``). Its tail goes to
        // buffers of its own.
        let swapping = swaps != nil
        fading = Signal(channels: outputChannels, capacity: swapping ? readyBound : 0)
        gap = Signal(channels: inputChannels, capacity: swapping ? period : 0)
        gapOut = Signal(channels: outputChannels, capacity: swapping ? readyBound : 0)
        current = StageSlot(name: name, stage: stage, workers: workers)
        current.makeFinishBuffers()
        self.swaps = swaps
        // The first decode instantiates runtime metadata (which allocates, once per process):
        // here, on a frame of silence, not in the first period.
        let silence = UnsafeMutableRawPointer.allocate(byteCount: inputChannels * capture.bytes, alignment: 16)
        silence.initializeMemory(as: UInt8.self, repeating: 0, count: inputChannels * capture.bytes)
        capture.decode(silence, frames: 1, into: &input)
        silence.deallocate()
        self.period = period
        self.capture = capture
        self.rate = rate
        self.keepTail = keepTail
        self.counters = counters
        // Sized for every channel now: a shaped dither's history must not allocate in a period.
        let channels = outputChannels
        quantizer = bits.map { Quantizer(bits: $0, dither: dither, channels: channels) }
        peaks = [Float](repeating: 0, count: outputChannels)
        squares = [Double](repeating: 0, count: outputChannels)
        self.levelInterval = max(1, levelInterval ?? rate * ratio.outputs / ratio.inputs)
        // Buffers of their own (a copy of `peaks` would share its storage until the first
        // write, which would then allocate in a period).
        (intervalPeaks, lastPeaks) = ([Float](repeating: 0, count: outputChannels), [Float](repeating: 0, count: outputChannels))
        (intervalSquares, lastSquares) = ([Double](repeating: 0, count: outputChannels), [Double](repeating: 0, count: outputChannels))
        meter = LevelMeter(channels: outputChannels)
        counters.attach(meter)
    }

    /// Runs a copy of `stage` on silence until it has made an output, then drops it: the
    /// first call into an engine makes the runtime instantiate generic metadata (which
    /// allocates, once per process), and that must happen here, not in the first period.
    /// The copy continues from the stage's state (no reset: for a long filter that would take
    /// the zero padding in a second time). Bounded: a stage that has made nothing after 2^20
    /// frames is left alone.
    static func rehearse<S: Stage<Float> & ~Copyable>(_ stage: borrowing S, period: Int) {
        var probe = stage.copy()
        let silence = Signal<Float>(channels: probe.inputChannels, frames: period)
        var out = Signal<Float>(channels: probe.outputChannels, capacity: probe.outputBound(inputFrames: period))
        var fed = 0
        while fed < max(period, 1 << 20) {
            guard (try? probe.process(silence, into: &out)) != nil, out.frames == 0 else { return }
            fed += period
        }
    }

    /// Why `slot`'s stage cannot take over from this processor's filter, or `nil` when it can:
    /// the same channels, stride and latency (the output's timeline goes on). Call it off the
    /// audio thread, before offering; that a period's outputs fit the buffers made at init is
    /// checked after the join (``StageSlot/outputFrameCount(afterProcessing:)``), from the
    /// joined state.
    public static func refusal(_ slot: StageSlot, replacing shape: FilterShape) -> String? {
        if slot.inputChannels != shape.inputChannels || slot.outputChannels != shape.outputChannels {
            return "it has \(slot.inputChannels) in / \(slot.outputChannels) out channels, the running filter \(shape.inputChannels) / \(shape.outputChannels)"
        }
        if slot.rateRatio != shape.rateRatio {
            return "its stride changes the output rate (\(slot.rateRatio.outputs)/\(slot.rateRatio.inputs) of the input, running: \(shape.rateRatio.outputs)/\(shape.rateRatio.inputs))"
        }
        if slot.latency != shape.latency {
            return "its latency is \(slot.latency) frames, the running filter's \(shape.latency); a swap keeps the output's timeline, so both need the same latency (the same padding, or an impulse response)"
        }
        return nil
    }

    /// What a new filter must match to take over from this one.
    public var shape: FilterShape {
        FilterShape(inputChannels: inputChannels, outputChannels: outputChannels, rateRatio: current.rateRatio, latency: latency,
                    period: period, readyCapacity: ready.capacity)
    }

    /// The name of the filter running now.
    public var activeName: String { current.name }

    /// The most frames ``ready`` can hold: size playback buffers with it.
    public var readyCapacity: Int { ready.capacity }

    /// Decodes `frames` captured frames (≤ ``period``), filters them into ``ready``, measures
    /// them, and counts the time spent against the period's audio time.
    ///
    /// With swaps, a new filter offered since the last period takes over first: it has joined
    /// the input from the history a little earlier, is fed the frames since (at most
    /// ``SwapControl/maxGap``; one further behind is handed back to catch up), and from the
    /// next output on both filters run and their outputs are mixed, output frame `j` of the
    /// fade starting at `s` being `old · (1 − g) + new · g` with `g = (j − s + 1) / (F + 1)`
    /// over `F` = ``SwapControl/crossfadeFrames``. Before the fade the output is the old
    /// filter's, after it the new filter's, bit for bit; then the old filter is handed back.
    /// - Throws: the stage's error (only a stage that breaks its own bounds throws here).
    public mutating func filter(captured bytes: UnsafeRawPointer, frames: Int) throws(Conv1dError) {
        let started = Self.nanoseconds()
        capture.decode(bytes, frames: frames, into: &input)
        if let swaps {
            try takeOver(swaps)
            swaps.history.append(input)
        }
        capturedFrames += Int64(frames)
        counters.framesIn.add(frames, ordering: .relaxed)
        try current.stage.process(input, into: &ready)
        if let old = outgoing {
            try old.stage.process(input, into: &fading)
            if Self.mix(&ready, old: fading, first: outputFrames, fadeStart: fadeStart, length: swaps?.crossfadeFrames ?? 0) { retire() }
        }
        let busy = Self.nanoseconds() - started
        let audio = Int64(frames) * 1_000_000_000 / Int64(rate)
        counters.busyNanos.add(Int(busy), ordering: .relaxed)
        let ppm = Int(busy * 1_000_000 / max(1, audio))
        counters.periodLoads.record(ppm: ppm)
        if ppm > counters.worstLoadPPM.load(ordering: .relaxed) {
            counters.worstLoadPPM.store(ppm, ordering: .relaxed)
            counters.worstPeriodFrame.store(Int(capturedFrames) - frames, ordering: .relaxed)
        }
        measureReady()
    }

    /// Ends the signal: the stage's tail becomes ``ready``, its first ``readyCapacity``
    /// frames; call ``nextTailChunk()`` for the rest (a filter swapped in may have a longer
    /// tail than the first one). Nothing when the tail is not kept.
    /// - Throws: the stage's refusal (a signal shorter than its receptive field).
    public mutating func finish() throws(Conv1dError) {
        // The tail is computed at once, not against a period: waits for workers now are no
        // deadline missed.
        current.workers?.beginFlush()
        outgoing?.workers?.beginFlush()
        try current.stage.finish(head: &current.head, tail: &current.tail)
        if let old = outgoing {
            try old.stage.finish(head: &old.head, tail: &old.tail)
            _ = Self.mix(&current.tail, old: old.tail, first: outputFrames, fadeStart: fadeStart, length: swaps?.crossfadeFrames ?? 0)
            // Done with, fade over or not: back to the builder with it.
            retire()
        }
        swaps?.ended.store(true, ordering: .releasing)
        tailDelivered = 0
        if !keepTail { current.tail.setFrames(0) }
        _ = nextTailChunk()
    }

    /// Makes the next part of the finished filter's tail ``ready``; false (and nothing
    /// ready) when all of it has been.
    public mutating func nextTailChunk() -> Bool {
        let count = min(ready.capacity, current.tail.frames - tailDelivered)
        current.tail.copyFrames(tailDelivered..<(tailDelivered + count), into: &ready)
        tailDelivered += count
        measureReady()
        return count > 0
    }

    /// Encodes ``ready`` as interleaved `encoding` samples into `bytes` (room for
    /// ``readyCapacity`` frames), rounding integers through the quantizer; clipped samples
    /// are counted.
    public mutating func encodeReady(as encoding: SampleEncoding, into bytes: UnsafeMutableRawPointer) {
        let clippedBefore = quantizer?.clipped ?? 0
        encoding.encode(ready, start: readyStart, quantizer: &quantizer, into: bytes)
        counters.clipped.add((quantizer?.clipped ?? 0) - clippedBefore, ordering: .relaxed)
    }

    /// Hands back what waits to be, then takes over an offered filter if there is one and no
    /// fade is running. Real-time safe: pointer exchanges, and the catch-up's processing.
    private mutating func takeOver(_ swaps: SwapControl) throws(Conv1dError) {
        if let slot = returning, swaps.giveBack(slot) { returning = nil }
        defer { swaps.idle.store(outgoing == nil && returning == nil, ordering: .releasing) }
        guard outgoing == nil, returning == nil, let slot = swaps.takeOffer() else { return }
        // The frames captured since the slot's join point, from the history: then it has
        // taken exactly what the running filter has.
        var at = slot.position
        while at < capturedFrames && capturedFrames - slot.position <= Int64(swaps.maxGap) {
            let n = min(Int64(period), capturedFrames - at)
            guard swaps.history.read(at..<(at + n), into: &gap) else { break }
            try slot.stage.process(gap, into: &gapOut)
            at += n
        }
        slot.position = at
        guard at == capturedFrames else {
            slot.stale = true
            swaps.staleOffers.add(1, ordering: .relaxed)
            if !swaps.giveBack(slot) { returning = slot }
            return
        }
        outgoing = current
        current = slot
        fadeStart = outputFrames
        swaps.lastSwapFrame.store(Int(outputFrames), ordering: .relaxed)
        swaps.swaps.add(1, ordering: .releasing)
        if swaps.crossfadeFrames == 0 { retire() }
    }

    /// The fade is over: the old filter goes back to the builder, to be freed there.
    private mutating func retire() {
        guard let old = outgoing, let swaps else { return }
        outgoing = nil
        if !swaps.giveBack(old) { returning = old }
    }

    /// Mixes `old` into `new` (outputs `first…`) over the fade `[fadeStart, fadeStart + length)`:
    /// `old · (1 − g) + new · g`, `g = (j − fadeStart + 1) / (length + 1)`; outputs past the
    /// fade stay `new`'s. True when the fade has ended by `new`'s last output.
    static func mix(_ new: inout Signal<Float>, old: Signal<Float>, first: Int64, fadeStart: Int64, length: Int) -> Bool {
        let frames = min(new.frames, old.frames)
        let fadeEnd = fadeStart + Int64(length)
        let count = Int(max(0, min(Int64(frames), fadeEnd - first)))
        if count > 0 {
            let (newStride, oldStride) = (new.capacity, old.capacity)
            let steps = Float(length + 1)
            old.withUnsafeBufferPointer { o in
                let channels = new.channels
                new.withUnsafeMutableBufferPointer { n in
                    for c in 0..<channels {
                        for i in 0..<count {
                            let g = Float(first + Int64(i) - fadeStart + 1) / steps
                            let a = o[c * oldStride + i], b = n[c * newStride + i]
                            n[c * newStride + i] = a * (1 - g) + b * g
                        }
                    }
                }
            }
        }
        return first + Int64(new.frames) >= fadeEnd
    }

    /// Peak (linear) and RMS per output channel over everything made ready, and over the
    /// last completed metering interval.
    public var levels: Levels {
        var levels = Levels(channels: outputChannels)
        let frames = max(1, Double(outputFrames))
        (levels.peaks, levels.rms) = (peaks, squares.map { ($0 / frames).squareRoot() })
        if lastFrames > 0 {
            (levels.intervalPeaks, levels.intervalRMS) = (lastPeaks, lastSquares.map { ($0 / Double(lastFrames)).squareRoot() })
            (levels.intervalStart, levels.intervalFrames) = (lastStart, lastFrames)
        }
        return levels
    }

    /// Ends the metering interval in progress, complete or not, so that the levels of the
    /// run's last frames are the last interval's (call once, after the tail).
    public mutating func closeLevels() {
        guard intervalFilled > 0 else { return }
        closeInterval(start: outputFrames - Int64(intervalFilled))
        publishLevels()
    }

    private mutating func closeInterval(start: Int64) {
        for c in 0..<outputChannels {
            (lastPeaks[c], lastSquares[c]) = (intervalPeaks[c], intervalSquares[c])
            (intervalPeaks[c], intervalSquares[c]) = (0, 0)
        }
        (lastFrames, lastStart, intervalFilled) = (intervalFilled, start, 0)
    }

    private func publishLevels() {
        peaks.withUnsafeBufferPointer { p in
            squares.withUnsafeBufferPointer { q in
                lastPeaks.withUnsafeBufferPointer { lp in
                    lastSquares.withUnsafeBufferPointer { lq in
                        meter.publish(peaks: p, squares: q, frames: outputFrames, intervalPeaks: lp, intervalSquares: lq,
                                      intervalFrames: lastFrames, intervalStart: lastStart)
                    }
                }
            }
        }
    }

    /// Peak and sum of squares per output channel of ``ready``, since the start and per
    /// metering interval (cut exactly at its frame boundaries), published to the meter.
    private mutating func measureReady() {
        let (frames, capacity) = (ready.frames, ready.capacity)
        readyStart = outputFrames
        guard frames > 0 else { return }
        var done = 0
        while done < frames {
            let n = min(frames - done, levelInterval - intervalFilled)
            ready.withUnsafeBufferPointer { src in
                for c in 0..<outputChannels {
                    var (peak, intervalPeak) = (peaks[c], intervalPeaks[c])
                    var sum = 0.0
                    for i in done..<(done + n) {
                        let x = src[c * capacity + i]
                        peak = max(peak, abs(x))
                        intervalPeak = max(intervalPeak, abs(x))
                        sum += Double(x) * Double(x)
                    }
                    (peaks[c], intervalPeaks[c]) = (peak, intervalPeak)
                    squares[c] += sum
                    intervalSquares[c] += sum
                }
            }
            intervalFilled += n
            done += n
            if intervalFilled == levelInterval { closeInterval(start: outputFrames + Int64(done - levelInterval)) }
        }
        outputFrames += Int64(frames)
        counters.framesOut.add(frames, ordering: .relaxed)
        publishLevels()
    }

    /// CLOCK_MONOTONIC in nanoseconds (a vDSO call: no system call, no allocation).
    public static func nanoseconds() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
    }
}
