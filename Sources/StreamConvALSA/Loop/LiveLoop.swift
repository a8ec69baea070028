import StreamConv
import StreamConvIO
import StreamConvLive
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The ALSA device loop: capture → ``PeriodProcessor`` → playback or ring, one period at a time.
///
/// ``run()`` is the audio thread's whole life. Everything is allocated in `init`; each period
/// the processor decodes, filters and encodes without allocating, locking, printing or doing
/// file I/O, and this loop only moves frames between devices. Device faults are recovered
/// (overrun, underrun, suspend), counted, and the stream of filtered frames stays continuous:
/// it equals the offline filtering of the frames that were delivered. A device that goes away
/// ends the run with an error; the output so far is kept. A stage that fails is a filter error.
///
/// Not Sendable: it is made on one thread and handed, `sending`, to the audio thread
/// (``AudioThread``), which alone runs it.
public final class LiveLoop {
    private let capture: any PCMDevice
    private let destination: LiveDestination
    private let counters: LiveCounters
    private let rate: Int
    private let frameLimit: Int64?
    private var processor: PeriodProcessor
    private let captureBytes: UnsafeMutableRawPointer
    private let playbackBytes: UnsafeMutableRawPointer?

    /// A loop from `capture` through `stage` to `destination`; the processor prepares the
    /// stage for the capture's period, and everything else it needs is allocated here.
    /// - Parameters:
    ///   - rate: the capture rate, for timing and stall detection.
    ///   - frameLimit: stop after this many captured frames (`--frames`, `--duration`).
    ///   - keepTail: false stops at the last captured frame instead of flushing the filter's
    ///     tail (an impulse-response preset with `"tail": false`).
    ///   - workers: threads for a long FFT filter's large partitions (`nil`: all on the
    ///     audio thread). The caller stops them after ``run()``.
    ///   - name: the filter's name, for the stats.
    ///   - swaps: where new filters are offered while the loop runs (`nil`: no swaps).
    ///   - levelInterval: output frames per level-metering interval (`nil`: one second).
    public init<S: Stage<Float> & ~Copyable>(
        capture: any PCMDevice, stage: consuming S, destination: LiveDestination, rate: Int,
        frameLimit: Int64? = nil, dither: Dither = .none, keepTail: Bool = true, counters: LiveCounters,
        workers: PartitionWorkers? = nil, name: String = "", swaps: SwapControl? = nil, levelInterval: Int? = nil
    ) {
        self.capture = capture
        self.destination = destination
        self.counters = counters
        self.rate = rate
        self.frameLimit = frameLimit
        let period = capture.periodFrames
        var bits: Int?
        if case let .playback(device) = destination { bits = device.format.integerBits }
        processor = PeriodProcessor(
            stage: stage, period: period, capture: capture.format, rate: rate,
            quantizeTo: bits, dither: dither, keepTail: keepTail, counters: counters, workers: workers,
            name: name, swaps: swaps, levelInterval: levelInterval)
        let captureByteCount = period * processor.inputChannels * capture.format.bytes
        captureBytes = .allocate(byteCount: captureByteCount, alignment: 16)
        captureBytes.initializeMemory(as: UInt8.self, repeating: 0, count: captureByteCount)
        if case let .playback(device) = destination {
            let byteCount = processor.readyCapacity * processor.outputChannels * device.format.bytes
            let bytes = UnsafeMutableRawPointer.allocate(byteCount: byteCount, alignment: 16)
            bytes.initializeMemory(as: UInt8.self, repeating: 0, count: byteCount)
            playbackBytes = bytes
        } else {
            playbackBytes = nil
        }
    }

    deinit {
        captureBytes.deallocate()
        playbackBytes?.deallocate()
    }

    /// What a filter swapped in must match (read it before ``run()``).
    public var shape: FilterShape { processor.shape }

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
                let left = frameLimit - processor.capturedFrames
                if left <= 0 { break }
                want = Int(min(Int64(want), left))
            }
            let got = capture.read(captureBytes, frames: want)
            if got > 0 {
                stalled = false
                stalledSince = nil
                do throws(Conv1dError) {
                    try processor.filter(captured: captureBytes, frames: got)
                } catch {
                    filterError = error
                    break loop
                }
                if let error = deliverReady() {
                    failure = error
                    break loop
                }
                continue
            }
            switch -got {
            case 0, Int(EAGAIN):
                let now = PeriodProcessor.nanoseconds()
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
                try processor.finish()
                if let error = deliverReady() { failure = failure ?? error }
                while failure == nil && processor.nextTailChunk() {
                    if let error = deliverReady() { failure = error }
                }
            } catch {
                filterError = error
            }
        }
        switch destination {
        case let .playback(device): device.drain()
        case let .ring(ring): ring.close()
        }
        capture.drain()
        processor.closeLevels()
        return LiveOutcome(levels: processor.levels, error: failure, filterError: filterError)
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

    /// Hands the processor's ready frames to the destination, recovering playback underruns.
    private func deliverReady() -> ALSAError? {
        let frames = processor.ready.frames
        guard frames > 0 else { return nil }
        switch destination {
        case let .ring(ring):
            if !ring.push(processor.ready) { counters.dropped.add(frames, ordering: .relaxed) }
            return nil
        case let .playback(device):
            let bytes = playbackBytes!
            processor.encodeReady(as: device.format, into: bytes)
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
}
