import Synchronization

/// Peak and RMS levels per channel, published by the audio thread after every period and
/// read by a stats printer on another thread, without a lock: a sequence counter (a
/// seqlock) tells the reader when it read a half-written snapshot, and it reads again.
public final class LevelMeter: @unchecked Sendable {
    /// Channels measured.
    public let channels: Int
    private let sequence = Atomic<Int>(0)
    // [peak₀…peakₙ₋₁, sumOfSquares₀…sumOfSquaresₙ₋₁, frames]
    private let values: UnsafeMutablePointer<Double>

    /// A meter for `channels` channels (allocates).
    public init(channels: Int) {
        self.channels = channels
        values = .allocate(capacity: 2 * channels + 1)
        values.initialize(repeating: 0, count: 2 * channels + 1)
    }

    deinit { values.deallocate() }

    /// Publishes the levels so far (audio thread; allocates nothing).
    func publish(peaks: UnsafeBufferPointer<Float>, squares: UnsafeBufferPointer<Double>, frames: Int64) {
        let start = sequence.load(ordering: .relaxed)
        sequence.store(start + 1, ordering: .relaxed)
        atomicMemoryFence(ordering: .releasing)
        for c in 0..<channels {
            values[c] = Double(peaks[c])
            values[channels + c] = squares[c]
        }
        values[2 * channels] = Double(frames)
        sequence.store(start + 2, ordering: .releasing)
    }

    /// The latest levels: peak (linear) and RMS per channel.
    public func snapshot() -> (peaks: [Float], rms: [Double]) {
        while true {
            let before = sequence.load(ordering: .acquiring)
            if before & 1 == 1 { continue }
            let peaks = (0..<channels).map { Float(values[$0]) }
            let frames = max(1, values[2 * channels])
            let rms = (0..<channels).map { (values[channels + $0] / frames).squareRoot() }
            atomicMemoryFence(ordering: .acquiring)
            if sequence.load(ordering: .relaxed) == before { return (peaks, rms) }
        }
    }
}
