import Synchronization

/// Peak and RMS levels per channel, published by the audio thread after every period and
/// read by a stats printer on another thread, without a lock: a sequence counter (a
/// seqlock) tells the reader when it read a half-written snapshot, and it reads again.
public final class LevelMeter: @unchecked Sendable {
    /// Channels measured.
    public let channels: Int
    private let sequence = Atomic<Int>(0)
    // [peak₀…peakₙ₋₁, sumOfSquares₀…, frames, intervalPeak₀…, intervalSumOfSquares₀…,
    //  intervalFrames, intervalStart]
    private let values: UnsafeMutablePointer<Double>

    /// A meter for `channels` channels (allocates).
    public init(channels: Int) {
        self.channels = channels
        values = .allocate(capacity: 4 * channels + 3)
        values.initialize(repeating: 0, count: 4 * channels + 3)
    }

    deinit { values.deallocate() }

    /// Publishes the levels since the start, and those of the last completed interval
    /// (audio thread; allocates nothing).
    func publish(peaks: UnsafeBufferPointer<Float>, squares: UnsafeBufferPointer<Double>, frames: Int64,
                 intervalPeaks: UnsafeBufferPointer<Float>, intervalSquares: UnsafeBufferPointer<Double>,
                 intervalFrames: Int, intervalStart: Int64) {
        let start = sequence.load(ordering: .relaxed)
        sequence.store(start + 1, ordering: .relaxed)
        atomicMemoryFence(ordering: .releasing)
        let n = channels
        for c in 0..<n {
            values[c] = Double(peaks[c])
            values[n + c] = squares[c]
            values[2 * n + 1 + c] = Double(intervalPeaks[c])
            values[3 * n + 1 + c] = intervalSquares[c]
        }
        values[2 * n] = Double(frames)
        values[4 * n + 1] = Double(intervalFrames)
        values[4 * n + 2] = Double(intervalStart)
        sequence.store(start + 2, ordering: .releasing)
    }

    /// The latest levels.
    public func snapshot() -> Levels {
        let n = channels
        while true {
            let before = sequence.load(ordering: .acquiring)
            if before & 1 == 1 { continue }
            var levels = Levels(channels: n)
            let frames = max(1, values[2 * n])
            levels.peaks = (0..<n).map { Float(values[$0]) }
            levels.rms = (0..<n).map { (values[n + $0] / frames).squareRoot() }
            let intervalFrames = Int(values[4 * n + 1])
            if intervalFrames > 0 {
                levels.intervalPeaks = (0..<n).map { Float(values[2 * n + 1 + $0]) }
                levels.intervalRMS = (0..<n).map { (values[3 * n + 1 + $0] / Double(intervalFrames)).squareRoot() }
                levels.intervalFrames = intervalFrames
                levels.intervalStart = Int64(values[4 * n + 2])
            }
            atomicMemoryFence(ordering: .acquiring)
            if sequence.load(ordering: .relaxed) == before { return levels }
        }
    }
}
