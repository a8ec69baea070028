import StreamConv
@testable import StreamConvIO
import Testing

/// The I/O edge's vector paths (issue 8, plumbing): stereo (de)interleaving 16 frames at a
/// time and the non-finite count, against their one-sample-at-a-time definitions.
@Suite struct InterleaveTests {
    @Test(arguments: [1, 2, 3, 6])
    func roundTripMatchesTheDefinition(channels: Int) {
        var rng = SeededGenerator(seed: UInt64(channels))
        for frames in [0, 1, 15, 16, 17, 33, 1000] {
            let interleaved = (0..<(channels * frames)).map { _ in Float(rng.nextUnit() - 0.5) }
            var signal = Signal<Float>(channels: channels, capacity: frames + 7)
            interleaved.withUnsafeBufferPointer { Interleave.deinterleave($0, frames: frames, into: &signal) }
            #expect(signal.frames == frames)
            for c in 0..<channels {
                for i in 0..<frames where signal[c, i] != interleaved[i * channels + c] {
                    Issue.record("channels \(channels) frames \(frames): sample \(i) of channel \(c) misplaced")
                    return
                }
            }
            var back: [Float] = []
            Interleave.interleave(signal, into: &back)
            #expect(Array(back.prefix(channels * frames)) == interleaved, "channels \(channels) frames \(frames)")
        }
    }

    @Test func nonFiniteSamplesAreCountedWherever() {
        var rng = SeededGenerator(seed: 9)
        for frames in [5, 16, 40, 1000] {
            var rows = (0..<2).map { _ in (0..<frames).map { _ in Float(rng.nextUnit() - 0.5) } }
            var expected = 0
            for _ in 0..<Int.random(in: 0...6, using: &rng) {
                let (c, i) = (Int.random(in: 0..<2, using: &rng), Int.random(in: 0..<frames, using: &rng))
                if rows[c][i].isFinite { expected += 1 }
                rows[c][i] = [Float.nan, .infinity, -.infinity, -Float.nan].randomElement(using: &rng)!
            }
            // Huge but finite values are not counted.
            rows[0][frames - 1] = rows[0][frames - 1].isFinite ? .greatestFiniteMagnitude : rows[0][frames - 1]
            #expect(Signal(rows).nonFiniteCount == expected, "frames \(frames)")
        }
    }
}
