import StreamConv
import StreamConvIO

#if canImport(Glibc)
import Glibc
#endif

/// One period of live audio, independent of any audio driver: captured bytes are decoded,
/// run through the stage, measured, and (for a device) encoded for playback.
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

    private var stage: any Stage<Float> & ~Copyable
    private var input: Signal<Float>
    /// What the last call made: a period's outputs, or the stage's tail after ``finish()``.
    public private(set) var ready: Signal<Float>
    private var head: Signal<Float>
    private var tail: Signal<Float>
    private let keepTail: Bool
    private let capture: SampleEncoding
    private let rate: Int
    private let counters: LiveCounters
    private let workers: PartitionWorkers?
    private var quantizer: Quantizer?
    private var peaks: [Float]
    private var squares: [Double]
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
    ///     partitions), whose late blocks the counters report; `nil` runs everything on the
    ///     calling thread.
    public init<S: Stage<Float> & ~Copyable>(
        stage: consuming S, period: Int, capture: SampleEncoding, rate: Int,
        quantizeTo bits: Int? = nil, dither: Dither = .none, keepTail: Bool = true, counters: LiveCounters,
        workers: PartitionWorkers? = nil
    ) {
        stage.prepare(maxFrames: period)
        Self.rehearse(stage, period: period)
        self.workers = workers
        if let workers {
            stage.schedule(on: workers)
            counters.attach(workers)
        }
        (inputChannels, outputChannels, latency) = (stage.inputChannels, stage.outputChannels, stage.latency)
        let (headBound, tailBound) = stage.finishBound
        input = Signal(channels: inputChannels, capacity: period)
        ready = Signal(channels: outputChannels, capacity: max(stage.outputBound(inputFrames: period), tailBound))
        head = Signal(channels: outputChannels, capacity: max(1, headBound))
        tail = Signal(channels: outputChannels, capacity: tailBound)
        self.stage = consume stage
        self.period = period
        self.capture = capture
        self.rate = rate
        self.keepTail = keepTail
        self.counters = counters
        quantizer = bits.map { Quantizer(bits: $0, dither: dither) }
        peaks = [Float](repeating: 0, count: outputChannels)
        squares = [Double](repeating: 0, count: outputChannels)
        meter = LevelMeter(channels: outputChannels)
        counters.attach(meter)
    }

    /// Runs a copy of `stage` on silence until it has made an output, then drops it: the
    /// first call into an engine makes the runtime instantiate generic metadata (which
    /// allocates, once per process), and that must happen here, not in the first period.
    /// The copy continues from the stage's state (no reset: for a long filter that would take
    /// the zero padding in a second time). Bounded: a stage that has made nothing after 2^20
    /// frames is left alone.
    private static func rehearse<S: Stage<Float> & ~Copyable>(_ stage: borrowing S, period: Int) {
        var probe = stage.copy()
        let silence = Signal<Float>(channels: probe.inputChannels, frames: period)
        var out = Signal<Float>(channels: probe.outputChannels, capacity: probe.outputBound(inputFrames: period))
        var fed = 0
        while fed < max(period, 1 << 20) {
            guard (try? probe.process(silence, into: &out)) != nil, out.frames == 0 else { return }
            fed += period
        }
    }

    /// The most frames ``ready`` can hold: size playback buffers with it.
    public var readyCapacity: Int { ready.capacity }

    /// Decodes `frames` captured frames (≤ ``period``), filters them into ``ready``, measures
    /// them, and counts the time spent against the period's audio time.
    /// - Throws: the stage's error (only a stage that breaks its own bounds throws here).
    public mutating func filter(captured bytes: UnsafeRawPointer, frames: Int) throws(Conv1dError) {
        let started = Self.nanoseconds()
        capture.decode(bytes, frames: frames, into: &input)
        capturedFrames += Int64(frames)
        counters.framesIn.add(frames, ordering: .relaxed)
        try stage.process(input, into: &ready)
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

    /// Ends the signal: the stage's tail becomes ``ready`` (nothing when the tail is not
    /// kept).
    /// - Throws: the stage's refusal (a signal shorter than its receptive field).
    public mutating func finish() throws(Conv1dError) {
        // The tail is computed at once, not against a period: waits for workers now are no
        // deadline missed.
        workers?.beginFlush()
        try stage.finish(head: &head, tail: &tail)
        if keepTail {
            tail.copyFrames(0..<tail.frames, into: &ready)
        } else {
            ready.setFrames(0)
        }
        measureReady()
    }

    /// Encodes ``ready`` as interleaved `encoding` samples into `bytes` (room for
    /// ``readyCapacity`` frames), rounding integers through the quantizer; clipped samples
    /// are counted.
    public mutating func encodeReady(as encoding: SampleEncoding, into bytes: UnsafeMutableRawPointer) {
        let clippedBefore = quantizer?.clipped ?? 0
        encoding.encode(ready, start: readyStart, quantizer: &quantizer, into: bytes)
        counters.clipped.add((quantizer?.clipped ?? 0) - clippedBefore, ordering: .relaxed)
    }

    /// Peak (linear) and RMS per output channel over everything made ready.
    public var levels: (peaks: [Float], rms: [Double]) {
        let frames = max(1, Double(outputFrames))
        return (peaks, squares.map { ($0 / frames).squareRoot() })
    }

    /// Peak and sum of squares per output channel of ``ready``, published to the meter.
    private mutating func measureReady() {
        let (frames, capacity) = (ready.frames, ready.capacity)
        readyStart = outputFrames
        guard frames > 0 else { return }
        ready.withUnsafeBufferPointer { src in
            for c in 0..<outputChannels {
                var peak = peaks[c]
                var sum = 0.0
                for i in 0..<frames {
                    let x = src[c * capacity + i]
                    peak = max(peak, abs(x))
                    sum += Double(x) * Double(x)
                }
                peaks[c] = peak
                squares[c] += sum
            }
        }
        outputFrames += Int64(frames)
        counters.framesOut.add(frames, ordering: .relaxed)
        let measured = outputFrames
        peaks.withUnsafeBufferPointer { p in squares.withUnsafeBufferPointer { meter.publish(peaks: p, squares: $0, frames: measured) } }
    }

    /// CLOCK_MONOTONIC in nanoseconds (a vDSO call: no system call, no allocation).
    public static func nanoseconds() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
    }
}
