import StreamConvIO
import StreamConvLive
#if canImport(Glibc)
import Glibc
#endif

/// A capture "device" fed from a ``FrameRing``: a file read by another thread, so that
/// `run --playback` plays a file through the live loop (paced by the playback device) while
/// the audio thread itself does no file I/O. When the ring is closed and empty it asks the
/// loop to stop, which then flushes the filter's tail and drains playback.
public final class RingCapture: PCMDevice {
    public let name: String
    public let format: SampleEncoding = .f32
    public let channels: Int
    public let periodFrames: Int
    public var bufferFrames: Int { ring.capacity }
    public let startThreshold = 1
    private let ring: FrameRing
    private let counters: LiveCounters

    /// Frames from `ring` in reads of up to `periodFrames`; `counters` is told when they end.
    public init(name: String, ring: FrameRing, periodFrames: Int, counters: LiveCounters) {
        self.name = name
        self.ring = ring
        channels = ring.channels
        self.periodFrames = periodFrames
        self.counters = counters
    }

    public func read(_ buffer: UnsafeMutableRawPointer, frames: Int) -> Int {
        let n = ring.pop(interleavedInto: buffer, frames: frames)
        if n > 0 { return n }
        // Closed is checked before popping again: frames pushed before the close are not lost.
        if ring.isClosed {
            let last = ring.pop(interleavedInto: buffer, frames: frames)
            if last > 0 { return last }
            counters.stopRequested.store(true, ordering: .relaxed)
        }
        return -Int(EAGAIN)
    }

    public func write(_ buffer: UnsafeRawPointer, frames: Int) -> Int { -Int(EBADF) }
    public func writeSilence(frames: Int) -> Int { -Int(EBADF) }
    public func recover(_ error: Int) -> Int { Int(error) }
    public func start() -> Int { 0 }

    /// Waits a millisecond for the reader thread (a ring has nothing to poll).
    public func wait(milliseconds: Int) -> Int {
        usleep(1000)
        return 1
    }

    public func drain() {}
}
