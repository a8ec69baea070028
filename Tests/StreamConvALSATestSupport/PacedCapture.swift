import Foundation
import StreamConvALSA
import StreamConvIO

#if canImport(Glibc)
import Glibc
#endif

/// A capture paced by the clock, as a sound card is: period `n` becomes readable at
/// `start + n · period / rate` (CLOCK_MONOTONIC, absolute, so delays do not add up), and a
/// read blocks until then. A loop that falls behind finds whole periods waiting, as on a
/// card; one that keeps up waits for each. So a run measures deadlines, not throughput.
public final class PacedCapture: PCMDevice {
    public let name = "paced"
    public let format: SampleEncoding = .s16
    public let channels: Int
    public let periodFrames: Int
    public let bufferFrames: Int
    public let startThreshold = 1
    private var source: CapturedSamples
    private let rate: Int
    private var started: timespec?
    /// Reads that found their period already due (the loop was late to read it).
    public private(set) var lateReads = 0

    public init(samples: [Int16], channels: Int, period: Int, rate: Int) {
        source = CapturedSamples(samples, channels: channels)
        self.channels = channels
        periodFrames = period
        bufferFrames = 4 * period
        self.rate = rate
    }

    public func read(_ buffer: UnsafeMutableRawPointer, frames: Int) -> Int {
        guard source.left > 0 else { return -Int(EAGAIN) }
        let at = source.delivered
        let start = started ?? now()
        started = start
        // Frames readable once period (at / period + 1) is complete.
        let due = Int64(at / periodFrames + 1) * Int64(periodFrames) * 1_000_000_000 / Int64(rate)
        var deadline = start
        let total = Int64(deadline.tv_nsec) + due
        deadline.tv_sec += Int(total / 1_000_000_000)
        deadline.tv_nsec = Int(total % 1_000_000_000)
        let current = now()
        if (current.tv_sec, current.tv_nsec) >= (deadline.tv_sec, deadline.tv_nsec) {
            lateReads += 1
        } else {
            while clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &deadline, nil) == EINTR {}
        }
        return source.deliver(into: buffer, frames: min(frames, periodFrames - at % periodFrames))
    }

    private func now() -> timespec {
        var t = timespec()
        clock_gettime(CLOCK_MONOTONIC, &t)
        return t
    }

    public func write(_ buffer: UnsafeRawPointer, frames: Int) -> Int { -Int(EBADF) }
    public func writeSilence(frames: Int) -> Int { -Int(EBADF) }
    public func recover(_ error: Int) -> Int { 0 }
    public func start() -> Int { 0 }
    public func wait(milliseconds: Int) -> Int { 1 }
    public func drain() {}
}
