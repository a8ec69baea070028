import Synchronization

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
    /// The first captured frame of that worst period.
    public let worstPeriodFrame = Atomic<Int>(0)
    /// Every period's filtering time / its audio time.
    public let periodLoads = LoadHistogram()
    /// What the partition workers of every filter of the run count: make workers with it.
    public let workerCounters = WorkerCounters()
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

    /// Blocks the audio thread found unfinished and waited for (0 without workers).
    public var lateBlocks: Int { workerCounters.lateBlocks.load(ordering: .relaxed) }
}
