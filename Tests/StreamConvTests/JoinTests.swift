import StreamConv
import StreamConvTestSupport
import Testing

/// A stream that joins a signal part-way through, from its recent past only (a live filter
/// swap), continues bit for bit as a stream fed the whole signal: random configurations,
/// both engines, join points near the start and far in, random chunkings after.
@Suite struct JoinTests {
    /// Outputs of a stream joined at `position` with the last `kept` frames, then fed the
    /// rest in `sizes` chunks and finished: everything it emits after the join.
    static func joined(
        _ conv: Conv1d<Float>, _ x: Signal<Float>, at position: Int, kept: Int, sizes: [Int], maxFrames: Int
    ) throws -> Signal<Float> {
        var stream = conv.makeStream(maxFrames: maxFrames)
        try stream.join(history: x.slice(max(0, position - kept)..<position), endingAt: Int64(position))
        var pieces: [Signal<Float>] = []
        var at = position
        for size in sizes {
            pieces.append(try stream.process(x.slice(at..<(at + size))))
            at += size
        }
        let end = try stream.finish()
        return Signal.concatenating(pieces + [end.tail])
    }

    /// What the whole-signal output has after the outputs a stream fed `position` frames emitted.
    static func expectedAfter(_ conv: Conv1d<Float>, _ x: Signal<Float>, position: Int) throws -> Signal<Float> {
        let whole = try conv.forward(x)
        var stream = conv.makeStream(maxFrames: 4096)
        let emitted = position > 0 ? try stream.process(x.slice(0..<position)).frames : 0
        return whole.slice(emitted..<whole.frames)
    }

    @Test func randomConfigurationsJoinBitForBit() throws {
        var rng = SeededGenerator(seed: 31)
        var checked = 0
        while checked < 300 {
            let spec = randomSpec(using: &rng)
            guard spec.paddingMode != .circular else { continue }
            let conv = Conv1d<Float>(spec: spec, seed: UInt64(checked))
            let length = minimumLength(spec) + Int.random(in: 1...400, using: &rng)
            let x = randomSignal(Float.self, channels: spec.inChannels, frames: length, using: &rng)
            let position = Int.random(in: 0...length, using: &rng)
            let history = conv.makeStream().joinHistory
            let needed = try #require(history)
            // Exactly what it needs, more, or the whole signal so far.
            let kept = [needed, needed + Int.random(in: 0...50, using: &rng), position].randomElement(using: &rng)!
            guard kept >= min(position, needed) else { continue }
            let sizes = ChunkEquivalence.randomChunking(length: length - position, using: &rng)
            let actual = try Self.joined(conv, x, at: position, kept: kept, sizes: sizes, maxFrames: Int.random(in: 1...64, using: &rng))
            let expected = try Self.expectedAfter(conv, x, position: position)
            #expect(ChunkEquivalence.firstDifference(expected: expected, actual: actual) == nil,
                    "\(spec) L=\(length) joined at \(position) with \(kept) frames kept")
            checked += 1
        }
    }

    /// The FFT engine's block grid: a 65,536-tap stereo response joined far into the signal
    /// (and once right after its start), in 1-frame chunks and odd chunk sizes, keeps the
    /// bits, though the joined stream computes only a warm-up's worth before the join.
    @Test(arguments: [(65536, 150_000), (65536, 3000), (5000, 77_777)])
    func fftEngineJoinsOnItsBlockGrid(taps: Int, position: Int) throws {
        var rng = SeededGenerator(seed: UInt64(taps + position))
        let spec = try Conv1dSpec(inChannels: 2, outChannels: 2, kernelSize: taps, padding: .samples(taps - 1), groups: 2)
        let conv = Conv1d<Float>(spec: spec, weights: Conv1dWeights(defaultInitFor: spec, seed: 5), engine: .fft)
        #expect(conv.engine.details.kind == .fft)
        let x = randomSignal(Float.self, channels: 2, frames: position + 9000, using: &rng)
        let history = conv.makeStream().joinHistory
        let needed = try #require(history)
        #expect(needed < 2 * taps + 40_000)
        let sizes = Array(repeating: 1, count: 300) + [63, 257, 1000, 7380]
        let actual = try Self.joined(conv, x, at: position, kept: needed, sizes: sizes, maxFrames: 64)
        let expected = try Self.expectedAfter(conv, x, position: position)
        #expect(ChunkEquivalence.firstDifference(expected: expected, actual: actual) == nil)
    }

    /// Joined a frame or two before the end: reflect and replicate build the right pad from
    /// the signal's last frames, which come from the history, not from what follows the join.
    @Test(arguments: [PaddingMode.reflect, .replicate], [0, 1, 2])
    func rightPadReadsTheHistory(mode: PaddingMode, after: Int) throws {
        var rng = SeededGenerator(seed: 77)
        let spec = try Conv1dSpec(inChannels: 1, outChannels: 1, kernelSize: 2, stride: 1, padding: .samples(6), paddingMode: mode)
        let conv = Conv1d<Float>(spec: spec, seed: 3)
        let x = randomSignal(Float.self, channels: 1, frames: 40, using: &rng)
        let history = conv.makeStream().joinHistory
        let needed = try #require(history)
        let position = x.frames - after
        let actual = try Self.joined(conv, x, at: position, kept: needed, sizes: after > 0 ? [after] : [], maxFrames: 8)
        let expected = try Self.expectedAfter(conv, x, position: position)
        #expect(ChunkEquivalence.firstDifference(expected: expected, actual: actual) == nil)
    }

    /// Too short a history, and circular padding, are refused with the numbers.
    @Test func refusals() throws {
        let spec = try Conv1dSpec(inChannels: 1, outChannels: 1, kernelSize: 9, padding: .samples(4))
        var stream = Conv1d<Float>(spec: spec, seed: 1).makeStream()
        let history = stream.joinHistory
        let needed = try #require(history)
        let short = Signal<Float>(channels: 1, frames: needed - 3)
        #expect(throws: Conv1dError.joinHistoryTooShort(position: 1000, needed: needed, got: needed - 3)) {
            try stream.join(history: short, endingAt: 1000)
        }
        let circular = try Conv1dSpec(inChannels: 1, outChannels: 1, kernelSize: 9, padding: .samples(4), paddingMode: .circular)
        var ring = Conv1d<Float>(spec: circular, seed: 1).makeStream()
        #expect(ring.joinHistory == nil)
        #expect(throws: Conv1dError.self) { try ring.join(history: short, endingAt: 1000) }
    }
}
