import StreamConv
import StreamConvIO
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// What the audio thread publishes while it runs, for a stats printer on another thread.
public final class LiveCounters: @unchecked Sendable {
    /// Frames captured.
    public let framesIn = Atomic<Int>(0)
    /// Frames handed to the output.
    public let framesOut = Atomic<Int>(0)
    /// Capture overruns recovered.
    public let captureXruns = Atomic<Int>(0)
    /// Playback underruns recovered.
    public let playbackXruns = Atomic<Int>(0)
    /// Suspends (`-ESTRPIPE`) recovered.
    public let suspends = Atomic<Int>(0)
    /// Times the capture delivered nothing for the stall timeout.
    public let stalls = Atomic<Int>(0)
    /// Nanoseconds spent filtering (decode, filter, encode), summed.
    public let busyNanos = Atomic<Int>(0)
    /// The worst period's filtering time / its audio time, in millionths.
    public let worstLoadPPM = Atomic<Int>(0)
    /// Output frames dropped because the file writer fell behind.
    public let dropped = Atomic<Int>(0)
    /// Samples clipped by an integer playback format.
    public let clipped = Atomic<Int>(0)
    /// Set (by a signal handler, a frame limit) to end the run gracefully.
    public let stopRequested = Atomic<Bool>(false)
    /// Levels of the output so far, per channel (set up by the loop).
    public private(set) var levels: LevelMeter?

    public init() {}

    /// Attaches the meter the loop publishes into (before the loop runs).
    func attach(_ meter: LevelMeter) { levels = meter }
}

/// Where filtered frames go.
public enum LiveDestination {
    /// A playback device, written from the audio thread.
    case playback(any PCMDevice)
    /// A ring another thread drains into a file or a pipe.
    case ring(FrameRing)
}

/// What a live run ended with.
public struct LiveOutcome: Sendable {
    /// Peak level per output channel (linear, 1 = full scale).
    public var peaks: [Float]
    /// RMS level per output channel (linear).
    public var rms: [Double]
    /// The device failure that ended the run, if one did.
    public var error: ALSAError?
    /// The filter's refusal: at the end, a signal shorter than the receptive field; during
    /// the run, a stage that broke its own bounds (a bug, reported as what it is).
    public var filterError: Conv1dError?
}

/// Capture → a ``Stage`` → playback or ring, one period at a time.
///
/// ``run()`` is the audio thread's whole life. Everything is allocated in `init`; each period
/// then decodes, filters and encodes without allocating, locking, printing or doing file
/// I/O. Device faults are recovered (overrun, underrun, suspend), counted, and the stream of
/// filtered frames stays continuous: it equals the offline filtering of the frames that were
/// delivered. A device that goes away ends the run with an error; the output so far is kept.
///
/// Sendable so it can be handed to the audio thread: it is made on one thread and then run
/// on one other, never used by two at once.
public final class LiveLoop: @unchecked Sendable {
    private let capture: any PCMDevice
    private let destination: LiveDestination
    private let counters: LiveCounters
    private let rate: Int
    private let frameLimit: Int64?
    private var stream: any Stage<Float> & ~Copyable
    private var input: Signal<Float>
    private var output: Signal<Float>
    private var head: Signal<Float>
    private var tail: Signal<Float>
    private let keepTail: Bool
    private let captureBytes: UnsafeMutableRawPointer
    private let playbackBytes: UnsafeMutableRawPointer?
    private var quantizer: Quantizer?
    private var peaks: [Float]
    private var squares: [Double]
    private let meter: LevelMeter
    private var outputFrames: Int64 = 0
    private var captured: Int64 = 0

    /// A loop from `capture` through `stage` to `destination`; prepares the stage for the
    /// capture's period and allocates everything else it needs.
    /// - Parameters:
    ///   - rate: the capture rate, for timing and stall detection.
    ///   - frameLimit: stop after this many captured frames (`--frames`, `--duration`).
    ///   - keepTail: false stops at the last captured frame instead of flushing the filter's
    ///     tail (an impulse-response preset with `"tail": false`).
    public init<S: Stage<Float> & ~Copyable>(
        capture: any PCMDevice, stage: consuming S, destination: LiveDestination, rate: Int,
        frameLimit: Int64? = nil, dither: Dither = .none, keepTail: Bool = true, counters: LiveCounters
    ) {
        self.keepTail = keepTail
        self.capture = capture
        self.destination = destination
        self.counters = counters
        self.rate = rate
        self.frameLimit = frameLimit
        let period = capture.periodFrames
        stage.prepare(maxFrames: period)
        let (inputChannels, outputChannels) = (stage.inputChannels, stage.outputChannels)
        let outputCapacity = stage.outputBound(inputFrames: period)
        // What finish() can return.
        let (headCapacity, tailCapacity) = stage.finishBound
        stream = consume stage
        input = Signal(channels: inputChannels, capacity: period)
        output = Signal(channels: outputChannels, capacity: outputCapacity)
        head = Signal(channels: outputChannels, capacity: max(1, headCapacity))
        tail = Signal(channels: outputChannels, capacity: tailCapacity)
        let captureByteCount = period * inputChannels * capture.format.bytes
        captureBytes = .allocate(byteCount: captureByteCount, alignment: 16)
        captureBytes.initializeMemory(as: UInt8.self, repeating: 0, count: captureByteCount)
        if case let .playback(device) = destination {
            let most = max(outputCapacity, tailCapacity)
            let byteCount = most * outputChannels * device.format.bytes
            let bytes = UnsafeMutableRawPointer.allocate(byteCount: byteCount, alignment: 16)
            bytes.initializeMemory(as: UInt8.self, repeating: 0, count: byteCount)
            playbackBytes = bytes
            quantizer = device.format.integerBits.map { Quantizer(bits: $0, dither: dither) }
        } else {
            playbackBytes = nil
        }
        peaks = [Float](repeating: 0, count: outputChannels)
        squares = [Double](repeating: 0, count: outputChannels)
        meter = LevelMeter(channels: outputChannels)
        counters.attach(meter)
    }

    deinit {
        captureBytes.deallocate()
        playbackBytes?.deallocate()
    }

    /// Frames the capture may deliver nothing for before it counts as stalled:
    /// max(8 periods, 200 ms).
    public var stallMilliseconds: Int { max(8 * capture.periodFrames * 1000 / max(1, rate), 200) }

    /// Runs until the frame limit, ``LiveCounters/stopRequested``, or a lost device; then
    /// flushes the filter's tail, drains playback (or closes the ring) and returns.
    public func run() -> LiveOutcome {
        var failure: ALSAError?
        var filterError: Conv1dError?
        var stalledSince: Int64?
        var stalled = false
        let period = capture.periodFrames
        _ = capture.start()
        loop: while !counters.stopRequested.load(ordering: .relaxed) {
            var want = period
            if let frameLimit {
                let left = frameLimit - captured
                if left <= 0 { break }
                want = Int(min(Int64(want), left))
            }
            let got = capture.read(captureBytes, frames: want)
            if got > 0 {
                stalled = false
                stalledSince = nil
                do throws(Conv1dError) {
                    if let error = try filter(frames: got) {
                        failure = error
                        break loop
                    }
                } catch {
                    filterError = error
                    break loop
                }
                continue
            }
            switch -got {
            case 0, Int(EAGAIN):
                let now = Self.nanoseconds()
                let since = stalledSince ?? now
                stalledSince = since
                if !stalled && now - since >= Int64(stallMilliseconds) * 1_000_000 {
                    stalled = true
                    counters.stalls.add(1, ordering: .relaxed)
                }
                // Waits in short slices so a stop request is seen within 100 ms.
                let waited = capture.wait(milliseconds: min(100, stallMilliseconds))
                if waited < 0 && waited != -Int(EAGAIN) && !recoverCapture(waited) {
                    failure = .lost(device: capture.name, direction: "capture", code: Int32(waited))
                    break loop
                }
            default:
                if !recoverCapture(got) {
                    failure = .lost(device: capture.name, direction: "capture", code: Int32(got))
                    break loop
                }
            }
        }
        if filterError == nil {
            do {
                try stream.finish(head: &head, tail: &tail)
                if keepTail, let error = deliver(tail) { failure = failure ?? error }
            } catch {
                filterError = error
            }
        }
        switch destination {
        case let .playback(device): device.drain()
        case let .ring(ring): ring.close()
        }
        capture.drain()
        let frames = max(1, Double(outputFrames))
        return LiveOutcome(peaks: peaks, rms: squares.map { ($0 / frames).squareRoot() }, error: failure, filterError: filterError)
    }

    /// Recovers the capture from an overrun or a suspend; false when the code means the
    /// device is gone.
    private func recoverCapture(_ code: Int) -> Bool {
        switch -code {
        case Int(EPIPE): counters.captureXruns.add(1, ordering: .relaxed)
        case Int(ESTRPIPE): counters.suspends.add(1, ordering: .relaxed)
        default: return false
        }
        if recover(capture, from: code) < 0 { return false }
        _ = capture.start()
        return true
    }

    /// `snd_pcm_recover`, retried while a suspended device is not back yet (`-EAGAIN`) and no
    /// stop was asked for: 0, or the code that ended it.
    private func recover(_ device: any PCMDevice, from code: Int) -> Int {
        var result = device.recover(code)
        while result == -Int(EAGAIN) && !counters.stopRequested.load(ordering: .relaxed) {
            _ = device.wait(milliseconds: 100)
            result = device.recover(code)
        }
        return result
    }

    /// Decodes, filters and delivers one read of `frames` frames: a device's failure is
    /// returned, the stage's thrown (only a stage that breaks its own bounds throws here: the
    /// buffers are made to fit them).
    private func filter(frames: Int) throws(Conv1dError) -> ALSAError? {
        let started = Self.nanoseconds()
        capture.format.encoding.decode(captureBytes, frames: frames, into: &input)
        captured += Int64(frames)
        counters.framesIn.add(frames, ordering: .relaxed)
        try stream.process(input, into: &output)
        let busy = Self.nanoseconds() - started
        let audio = Int64(frames) * 1_000_000_000 / Int64(rate)
        counters.busyNanos.add(Int(busy), ordering: .relaxed)
        let ppm = Int(busy * 1_000_000 / max(1, audio))
        if ppm > counters.worstLoadPPM.load(ordering: .relaxed) { counters.worstLoadPPM.store(ppm, ordering: .relaxed) }
        return deliver(output)
    }

    /// Hands filtered frames to the destination, recovering playback underruns.
    private func deliver(_ signal: Signal<Float>) -> ALSAError? {
        let frames = signal.frames
        guard frames > 0 else { return nil }
        measure(signal)
        defer {
            outputFrames += Int64(frames)
            counters.framesOut.add(frames, ordering: .relaxed)
        }
        switch destination {
        case let .ring(ring):
            if !ring.push(signal) { counters.dropped.add(frames, ordering: .relaxed) }
            return nil
        case let .playback(device):
            let bytes = playbackBytes!
            let clippedBefore = quantizer?.clipped ?? 0
            device.format.encoding.encode(signal, start: outputFrames, quantizer: &quantizer, into: bytes)
            counters.clipped.add((quantizer?.clipped ?? 0) - clippedBefore, ordering: .relaxed)
            var done = 0
            let frameBytes = device.channels * device.format.bytes
            while done < frames {
                let n = device.write(bytes + done * frameBytes, frames: frames - done)
                if n > 0 {
                    done += n
                    continue
                }
                switch -n {
                case 0, Int(EAGAIN):
                    _ = device.wait(milliseconds: 100)
                case Int(EPIPE), Int(ESTRPIPE):
                    if -n == Int(EPIPE) {
                        counters.playbackXruns.add(1, ordering: .relaxed)
                    } else {
                        counters.suspends.add(1, ordering: .relaxed)
                    }
                    let result = recover(device, from: n)
                    if result < 0 { return .lost(device: device.name, direction: "playback", code: Int32(result)) }
                    // Refill to the start threshold so playback restarts with a full buffer.
                    let silence = device.writeSilence(frames: device.startThreshold)
                    if silence < 0 && silence != -Int(EAGAIN) {
                        return .lost(device: device.name, direction: "playback", code: Int32(silence))
                    }
                default:
                    return .lost(device: device.name, direction: "playback", code: Int32(n))
                }
            }
            return nil
        }
    }

    /// Peak and sum of squares per output channel.
    private func measure(_ signal: Signal<Float>) {
        let (frames, capacity) = (signal.frames, signal.capacity)
        signal.withUnsafeBufferPointer { src in
            for c in 0..<signal.channels {
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
        let measured = outputFrames + Int64(frames)
        peaks.withUnsafeBufferPointer { p in squares.withUnsafeBufferPointer { meter.publish(peaks: p, squares: $0, frames: measured) } }
    }

    /// CLOCK_MONOTONIC in nanoseconds (a vDSO call: no system call, no allocation).
    static func nanoseconds() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
    }
}
