import StreamConv
import StreamConvTestSupport
import Testing

/// The FFT engine's large partitions run through a scheduler: the bits never depend on when a
/// step runs, and no step lands early in the signal because of the zero padding.
@Suite struct PartitionSchedulingTests {
    /// Steps run only when the stream must have them (the latest any worker could be): random
    /// chunkings, 1-frame chunks among them, equal the inline whole-signal output bit for bit,
    /// for zero, reflect and circular padding, mono and grouped stereo.
    @Test(arguments: [(65536, PaddingMode.zeros, 1), (40_000, .reflect, 2), (20_000, .circular, 2)])
    func latestStepsKeepTheBits(taps: Int, mode: PaddingMode, channels: Int) throws {
        var rng = SeededGenerator(seed: UInt64(taps))
        let spec = try Conv1dSpec(inChannels: channels, outChannels: channels, kernelSize: taps, padding: .same, groups: channels, bias: true, paddingMode: mode)
        let conv = Conv1d<Float>(spec: spec, weights: Conv1dWeights(defaultInitFor: spec, seed: 4), engine: .auto)
        #expect(conv.engine.details.kind == .fft)
        let x = randomSignal(Float.self, channels: channels, frames: taps + 20_000, using: &rng)
        let expected = Result { try conv.forward(x) }
        let scheduler = DeferredScheduler()
        var stream = conv.makeStream(maxFrames: 700)
        stream.schedule(on: scheduler)
        // Every class after the first goes to the scheduler, and each starts two of its
        // blocks in: a block of slack.
        guard case let .fft(engine) = conv.engine else { return }
        #expect(scheduler.adopted == engine.plan.classes.count - 1 && scheduler.adopted >= 1 && scheduler.leastSlackInBlocks >= 1)
        for sizes in [Array(repeating: 1, count: 30_000) + [x.frames - 30_000], ChunkEquivalence.randomChunking(length: x.frames, using: &rng), [x.frames]] {
            let mismatch = ChunkEquivalence.check(&stream, signal: x, expected: expected, chunkSizes: sizes)
            #expect(mismatch == nil, "\(spec): \(mismatch?.description ?? "")")
        }
        #expect(scheduler.waits > 0)
        // Detached, the stream runs inline again, with the same bits.
        stream.schedule(on: nil)
        #expect(scheduler.released == scheduler.adopted)
        let mismatch = ChunkEquivalence.check(&stream, signal: x, expected: expected, trials: 1, using: &rng)
        #expect(mismatch == nil, "\(mismatch?.description ?? "")")
    }

    /// A stream copied while steps are pending continues on its own, inline, with the bits of
    /// the original.
    @Test func copyWithPendingStepsContinues() throws {
        var rng = SeededGenerator(seed: 8)
        let spec = try Conv1dSpec(inChannels: 1, outChannels: 1, kernelSize: 30_000, padding: .samples(29_999))
        let conv = Conv1d<Float>(spec: spec, seed: 2)
        let x = randomSignal(Float.self, channels: 1, frames: 50_000, using: &rng)
        let expected = try conv.forward(x)
        var stream = conv.makeStream(maxFrames: 512)
        stream.schedule(on: DeferredScheduler())
        let first = try stream.process(x.slice(0..<33_333))
        var fork = stream.copy()
        let rest = try fork.process(x.slice(33_333..<50_000))
        let end = try fork.finish()
        let original = try stream.process(x.slice(33_333..<50_000))
        let all = Signal.concatenating([first, rest, end.tail])
        #expect(ChunkEquivalence.firstDifference(expected: expected, actual: all) == nil)
        #expect(ChunkEquivalence.firstDifference(expected: rest, actual: original) == nil)
    }

    /// The left zero padding's block steps run at reset: the first 64-frame chunk of a
    /// 65,536-tap stream submits at most one block per large class, as any later chunk does
    /// (taking the padding in then submitted 32 and 4 blocks of the 2048- and
    /// 16384-sample classes).
    @Test func zeroPaddingIsTakenInAtReset() throws {
        let spec = try Conv1dSpec(inChannels: 1, outChannels: 1, kernelSize: 65536, padding: .samples(65535))
        let conv = Conv1d<Float>(spec: spec, seed: 6)
        let scheduler = DeferredScheduler()
        var stream = conv.makeStream(maxFrames: 64)
        stream.schedule(on: scheduler)
        stream.reset()
        var rng = SeededGenerator(seed: 1)
        let x = randomSignal(Float.self, channels: 1, frames: 64 * 40, using: &rng)
        for period in 0..<40 {
            scheduler.clearCounts()
            _ = try stream.process(x.slice((64 * period)..<(64 * period + 64)))
            for (index, count) in scheduler.submissions {
                #expect(count <= 1, "period \(period): class \(index) submitted \(count) blocks")
            }
        }
    }

    /// The stream's history takes the zero pad at reset too (as many zeros as complete no
    /// output), so the first chunk copies only its own samples: none is left for it on every
    /// engine and padding up to R − 1; a pad beyond R − 1 leaves the rest; replicate's and
    /// reflect's pads, made of the signal, wait for it. Chunk equivalence (1-frame chunks
    /// first, copies and resets between) holds for each.
    @Test(arguments: [(65536, 65535, PaddingMode.zeros, 0), (300, 299, .zeros, 0), (9, 20, .zeros, 12), (64, 63, .replicate, 63), (64, 10, .reflect, 10)])
    func theZeroPadIsInTheHistoryAtReset(taps: Int, pad: Int, mode: PaddingMode, pending: Int) throws {
        let spec = try Conv1dSpec(inChannels: 2, outChannels: 2, kernelSize: taps, padding: .samples(pad), groups: 2, paddingMode: mode)
        let conv = Conv1d<Float>(spec: spec, seed: 2)
        var stream = conv.makeStream(maxFrames: 64)
        #expect(stream.leftPadPendingFrames == pending)
        var rng = SeededGenerator(seed: UInt64(taps))
        let x = randomSignal(Float.self, channels: 2, frames: taps + 700, using: &rng)
        // Reflect forms its pad from x[1…pad] once those are in.
        _ = try stream.process(x.slice(0..<(mode == .reflect ? pad + 1 : 1)))
        #expect(stream.leftPadPendingFrames == 0)
        var copy = stream.copy()
        copy.reset()
        #expect(copy.leftPadPendingFrames == pending)
        let expected = Result { try conv.forward(x) }
        let sizes = Array(repeating: 1, count: 100) + [x.frames - 100]
        let mismatch = ChunkEquivalence.check(&copy, signal: x, expected: expected, chunkSizes: sizes)
            ?? ChunkEquivalence.check(&stream, signal: x, expected: expected, trials: 3, using: &rng)
        #expect(mismatch == nil, "\(spec): \(mismatch?.description ?? "")")
    }

    /// Taking the padding in at reset is the same arithmetic as taking it in later: a
    /// zero-padded stream equals, bit for bit, the unpadded convolution of the signal with
    /// the zeros written out.
    @Test(arguments: [5000, 65536])
    func zerosAtResetEqualZerosInTheSignal(taps: Int) throws {
        var rng = SeededGenerator(seed: UInt64(taps) + 3)
        let padded = try Conv1dSpec(inChannels: 2, outChannels: 2, kernelSize: taps, padding: .samples(taps - 1), groups: 2, bias: true)
        let valid = try Conv1dSpec(inChannels: 2, outChannels: 2, kernelSize: taps, groups: 2, bias: true)
        let weights = Conv1dWeights<Float>(defaultInitFor: padded, seed: 12)
        let a = Conv1d<Float>(spec: padded, weights: weights, engine: .fft)
        let b = Conv1d<Float>(spec: valid, weights: try Conv1dWeights(spec: valid, weight: weights.weight, bias: weights.bias), engine: .fft)
        let x = randomSignal(Float.self, channels: 2, frames: 9000, using: &rng)
        let withZeros = Signal.concatenating([Signal<Float>(channels: 2, frames: taps - 1), x])
        var streamA = a.makeStream(maxFrames: 300)
        var streamB = b.makeStream(maxFrames: 300)
        var outA: [Signal<Float>] = [], outB: [Signal<Float>] = []
        outB.append(try streamB.process(withZeros.slice(0..<(taps - 1))))
        var at = 0
        while at < x.frames {
            let n = min(x.frames - at, Int.random(in: 1...300, using: &rng))
            outA.append(try streamA.process(x.slice(at..<(at + n))))
            outB.append(try streamB.process(withZeros.slice((taps - 1 + at)..<(taps - 1 + at + n))))
            at += n
        }
        let (sa, sb) = (Signal.concatenating(outA), Signal.concatenating(outB))
        #expect(sa.frames == x.frames && sb.frames == x.frames)
        #expect(ChunkEquivalence.firstDifference(expected: sb, actual: sa) == nil)
    }
}
