import StreamConv
import StreamConvTestSupport
import Testing

/// The per-block path is fit for an audio thread: once prepared it allocates nothing.
@Suite struct RealTimeTests {
    /// Counts the heap allocations `body` makes on this thread.
    func allocations(_ body: () throws -> Void) rethrows -> UInt64 { try AllocationCount.of(body) }

    @Test func theCounterSeesAllocations() {
        let n = allocations { _ = [Int](repeating: 1, count: Int.random(in: 100...200)) }
        #expect(n >= 1)
        // Over-aligned memory (SIMD vectors) goes through the aligned entry points: counted too.
        var pointer: UnsafeMutableRawPointer?
        let aligned = allocations { pointer = UnsafeMutableRawPointer.allocate(byteCount: 256, alignment: 64) }
        pointer?.deallocate()
        #expect(aligned == 1)
    }

    @Test(arguments: PaddingMode.allCases)
    func processIntoAllocatesNothing(mode: PaddingMode) throws {
        var rng = SeededGenerator(seed: 12)
        let spec = try Conv1dSpec(inChannels: 2, outChannels: 4, kernelSize: 31, stride: 3, padding: .samples(20), dilation: 2, groups: 2, paddingMode: mode)
        var stream = Conv1d<Float>(spec: spec, seed: 1).makeStream(maxFrames: 256)
        let blocks = [1, 7, 256, 3, 100, 255, 2, 64].map { randomSignal(Float.self, channels: 2, frames: $0, using: &rng) }
        var output = Signal<Float>(channels: 4, capacity: stream.maxOutputFramesPerChunk)
        // The Swift runtime instantiates some type metadata once per process, on whichever
        // thread first needs it (parallel test cases race for it): done here, on a throwaway
        // stream, so the count below sees the stream's own behaviour.
        var spare = Conv1d<Float>(spec: spec, seed: 1).makeStream(maxFrames: 256)
        for block in blocks { try spare.process(block, into: &output) }
        var produced = 0
        for round in 0..<2 {
            // Round 0 warms up (first outputs, reflect's held-back start); round 1 is steady state.
            // Indexing, not `for … in`: the loop itself must not instantiate generic metadata.
            var i = 0
            let count = try allocations {
                while i < 20 * blocks.count {
                    try stream.process(blocks[i % blocks.count], into: &output)
                    produced += output.frames
                    i += 1
                }
            }
            #expect(count == 0, "round \(round): \(count) allocations in \(20 * blocks.count) process calls")
        }
        #expect(produced > 0)
        // A chunk longer than maxFrames is processed in passes, still without allocating.
        let long = randomSignal(Float.self, channels: 2, frames: 1000, using: &rng)
        var big = Signal<Float>(channels: 4, capacity: stream.outputFrameCount(afterProcessing: 1000))
        #expect(try allocations { try stream.process(long, into: &big) } == 0)
    }

    @Test func theAllocatingConvenienceDoesAllocate() throws {
        let spec = try Conv1dSpec(inChannels: 1, outChannels: 1, kernelSize: 3)
        var stream = Conv1d<Double>(spec: spec, seed: 1).makeStream(maxFrames: 64)
        let x = Signal<Double>(channels: 1, frames: 64, repeating: 0.5)
        #expect(try allocations { _ = try stream.process(x) } >= 1)
    }

    /// Declared maximum output sizes hold for every chunk up to maxFrames, in every state.
    @Test func maxOutputFramesPerChunkIsAnUpperBound() throws {
        var rng = SeededGenerator(seed: 77)
        for _ in 0..<200 {
            let spec = randomSpec(using: &rng)
            let maxFrames = Int.random(in: 1...40, using: &rng)
            var stream = Conv1d<Float>(spec: spec, seed: 1).makeStream(maxFrames: maxFrames)
            var output = Signal<Float>(channels: spec.outChannels, capacity: stream.maxOutputFramesPerChunk)
            for _ in 0..<10 {
                let n = Int.random(in: 0...maxFrames, using: &rng)
                #expect(stream.outputFrameCount(afterProcessing: n) <= stream.maxOutputFramesPerChunk, "\(spec)")
                try stream.process(randomSignal(Float.self, channels: spec.inChannels, frames: n, using: &rng), into: &output)
            }
        }
    }

    @Test func latencyIsReceptiveFieldMinusLeftPadding() throws {
        let same = try Conv1dSpec(inChannels: 1, outChannels: 1, kernelSize: 255, padding: .same)
        #expect(same.latency == 127)
        let causal = try Conv1dSpec(inChannels: 1, outChannels: 1, kernelSize: 5, dilation: 3)
        #expect(causal.latency == 12)
        let overPadded = try Conv1dSpec(inChannels: 1, outChannels: 1, kernelSize: 3, padding: .samples(9))
        #expect(overPadded.latency == 0)
        let reflect = Conv1d<Float>(spec: try Conv1dSpec(inChannels: 1, outChannels: 1, kernelSize: 3, padding: .samples(5), paddingMode: .reflect), seed: 1).makeStream()
        #expect(reflect.latency == 0 && reflect.startupLatency == 5)
    }

    /// Latency as observed, feeding one frame at a time: output t (aligned with input t·stride)
    /// appears exactly when input t·stride + latency arrives; with padding wider than the
    /// receptive field (latency 0) outputs run ahead, and all whose windows are complete are out.
    @Test func observedLatencyMatchesTheReportedOne() throws {
        for (k, d, p, s) in [(63, 1, 31, 1), (5, 3, 0, 1), (7, 2, 4, 2), (4, 1, 1, 3), (3, 1, 9, 1)] {
            let spec = try Conv1dSpec(inChannels: 1, outChannels: 1, kernelSize: k, stride: s, padding: .samples(p), dilation: d)
            var stream = Conv1d<Float>(spec: spec, seed: 1).makeStream(maxFrames: 1)
            let unclamped = spec.receptiveField - 1 - p
            var emitted = 0
            for i in 0..<200 {
                emitted += try stream.process(Signal(channels: 1, frames: 1, repeating: 1)).frames
                if unclamped >= 0 {
                    #expect(spec.latency == unclamped)
                    let expected = i < spec.latency ? 0 : (i - spec.latency) / s + 1
                    #expect(emitted == expected, "\(spec) after input \(i): \(emitted) outputs, expected \(expected)")
                } else {
                    #expect(spec.latency == 0)
                    #expect(emitted == (i - unclamped) / s + 1, "\(spec) after input \(i)")
                }
            }
        }
    }

    /// Growing the buffers mid-stream keeps the signal's state: the output is unchanged.
    @Test(arguments: PaddingMode.allCases)
    func prepareMidStreamKeepsState(mode: PaddingMode) throws {
        var rng = SeededGenerator(seed: 55)
        let spec = try Conv1dSpec(inChannels: 2, outChannels: 3, kernelSize: 7, stride: 2, padding: .samples(4), dilation: 3, paddingMode: mode)
        let conv = Conv1d<Float>(spec: spec, seed: 6)
        let x = randomSignal(Float.self, channels: 2, frames: 300, using: &rng)
        var stream = conv.makeStream(maxFrames: 3)
        var out = try stream.process(x.slice(0..<50))
        stream.prepare(maxFrames: 200)
        #expect(stream.maxFrames == 200)
        out = out.appending(try stream.process(x.slice(50..<250)))
        out = out.appending(try stream.process(x.slice(250..<300)))
        let end = try stream.finish()
        #expect(end.head.appending(out).appending(end.tail).bitwiseEquals(try conv.forward(x)))
    }

    @Test func resetClearsEveryPieceOfState() throws {
        var rng = SeededGenerator(seed: 31)
        for mode in PaddingMode.allCases {
            let spec = try Conv1dSpec(inChannels: 2, outChannels: 2, kernelSize: 4, stride: 3, padding: .samples(3), dilation: 2, paddingMode: mode)
            let conv = Conv1d<Double>(spec: spec, seed: 4)
            var stream = conv.makeStream(maxFrames: 5)
            // Leave the stream mid-signal (held-back reflect start, partial stride phase, history), then reset.
            _ = try stream.process(randomSignal(Double.self, channels: 2, frames: 2, using: &rng))
            stream.reset()
            _ = try stream.process(randomSignal(Double.self, channels: 2, frames: 17, using: &rng))
            stream.reset()
            let x = randomSignal(Double.self, channels: 2, frames: 23, using: &rng)
            #expect(ChunkEquivalence.check(&stream, signal: x, expected: Result { try conv.forward(x) }, chunkSizes: [4, 19]) == nil, "\(mode)")
            #expect(stream.inputFrames == 23)
        }
    }

    /// `finish(head:tail:)` into buffers made beforehand allocates nothing either, in every
    /// padding mode (circular computes its withheld head there).
    @Test(arguments: PaddingMode.allCases)
    func finishIntoAllocatesNothing(mode: PaddingMode) throws {
        var rng = SeededGenerator(seed: 21)
        let spec = try Conv1dSpec(inChannels: 2, outChannels: 4, kernelSize: 9, stride: 2, padding: .samples(6), dilation: 2, groups: 2, paddingMode: mode)
        var stream = Conv1d<Float>(spec: spec, seed: 3).makeStream(maxFrames: 64)
        var output = Signal<Float>(channels: 4, capacity: stream.maxOutputFramesPerChunk)
        for _ in 0..<5 { try stream.process(randomSignal(Float.self, channels: 2, frames: 64, using: &rng), into: &output) }
        var head = Signal<Float>(channels: 4, capacity: 64)
        var tail = Signal<Float>(channels: 4, capacity: 64)
        #expect(try allocations { try stream.finish(head: &head, tail: &tail) } == 0)
        #expect(head.frames + tail.frames > 0)
    }

    /// The FFT engine keeps state between calls (open blocks, delay lines, output rings): its
    /// `process` and `finish(head:tail:)` allocate nothing after `prepare` either, its state
    /// survives growing the buffers, `reset` clears it, and a copied stream keeps its own.
    @Test(arguments: PaddingMode.allCases)
    func fftEngineStateIsRealTimeSafe(mode: PaddingMode) throws {
        var rng = SeededGenerator(seed: 90)
        let spec = try Conv1dSpec(inChannels: 2, outChannels: 4, kernelSize: 300, padding: .samples(40), groups: 2, paddingMode: mode)
        let conv = Conv1d<Float>(spec: spec, weights: Conv1dWeights(defaultInitFor: spec, seed: 5), engine: .fft)
        #expect(conv.engine.name == "fft")
        let x = randomSignal(Float.self, channels: 2, frames: 5000, using: &rng)
        let expected = try conv.forward(x)

        var stream = conv.makeStream(maxFrames: 256)
        var spare = conv.makeStream(maxFrames: 256)
        var output = Signal<Float>(channels: 4, capacity: stream.maxOutputFramesPerChunk)
        // Warm-up on a throwaway stream: every block size completes, the end is flushed.
        for start in stride(from: 0, to: 4000, by: 256) { try spare.process(x.slice(start..<(start + 256)), into: &output) }
        var spareHead = Signal<Float>(channels: 4, capacity: 64), spareTail = spareHead
        try spare.finish(head: &spareHead, tail: &spareTail)
        var produced = Signal<Float>(channels: 4, frames: 0)
        var at = 0
        let sizes = [1, 7, 256, 3, 100, 255, 2, 64]
        var i = 0
        var count: UInt64 = 0
        var pieces: [Signal<Float>] = []
        pieces.reserveCapacity(200)
        while at < 4000 {
            let n = sizes[i % sizes.count]
            let chunk = x.slice(at..<(at + n))
            count += try allocations { try stream.process(chunk, into: &output) }
            pieces.append(output.slice(0..<output.frames))
            at += n
            i += 1
        }
        #expect(count == 0, "\(count) allocations in \(i) process calls")
        for piece in pieces { produced = produced.appending(piece) }
        // A copy continues on its own: both give the whole-signal output, one of them after
        // growing its buffers mid-stream.
        var copy = stream.copy()
        let rest = x.slice(at..<5000)
        let b = try copy.process(rest)
        let copyEnd = try copy.finish()
        stream.prepare(maxFrames: 1000)
        var a = Signal<Float>(channels: 4, capacity: stream.outputFrameCount(afterProcessing: rest.frames))
        try stream.process(rest, into: &a)
        var head = Signal<Float>(channels: 4, capacity: 64)
        var tail = Signal<Float>(channels: 4, capacity: 64)
        #expect(try allocations { try stream.finish(head: &head, tail: &tail) } == 0)
        #expect(head.appending(produced).appending(a).appending(tail).bitwiseEquals(expected), "\(mode): prepared mid-stream")
        #expect(copyEnd.head.appending(produced).appending(b).appending(copyEnd.tail).bitwiseEquals(expected), "\(mode): the copy")
        stream.reset()
        #expect(ChunkEquivalence.check(&stream, signal: x, expected: .success(expected), chunkSizes: [999, 1, 4000]) == nil, "\(mode): after reset")
    }

    /// A wrong channel count in an output buffer is named as such, not as a capacity.
    @Test func wrongOutputChannelsAreNamed() throws {
        let spec = try Conv1dSpec(inChannels: 1, outChannels: 3, kernelSize: 2)
        var stream = Conv1d<Float>(spec: spec, seed: 1).makeStream(maxFrames: 8)
        var wrong = Signal<Float>(channels: 2, capacity: 100)
        #expect(throws: Conv1dError.outputChannels(expected: 3, got: 2)) {
            try stream.process(Signal(channels: 1, frames: 4, repeating: 1), into: &wrong)
        }
        var fine = Signal<Float>(channels: 3, capacity: 100)
        try stream.process(Signal(channels: 1, frames: 4, repeating: 1), into: &fine)
        #expect(throws: Conv1dError.outputChannels(expected: 3, got: 2)) { try stream.finish(head: &fine, tail: &wrong) }
    }

    /// `maxFrames` 0 (or less) means 1 for both ways of setting it.
    @Test func zeroMaxFramesMeansOne() throws {
        let conv = Conv1d<Float>(spec: try Conv1dSpec(inChannels: 1, outChannels: 1, kernelSize: 3), seed: 1)
        let made = conv.makeStream(maxFrames: 0)
        var prepared = conv.makeStream(maxFrames: 1)
        prepared.prepare(maxFrames: 0)
        #expect(made.maxFrames == 1 && prepared.maxFrames == 1)
        #expect(made.maxOutputFramesPerChunk == prepared.maxOutputFramesPerChunk)
        #expect(made.checkInvariants() == nil && prepared.checkInvariants() == nil)
    }

    /// ``StreamingConv1d/maxOutputFramesPerChunk`` holds in every state: every padding mode,
    /// padding up to past the receptive field, strides 1–3, every `maxFrames` up to pad+2,
    /// fed in 1-frame chunks, in maxFrames-sized chunks and alternating (the
    /// `withEvery…` walk of swift-collections' tests). Outputs go into a buffer of exactly
    /// that capacity, so an undersized bound throws.
    @Test(arguments: PaddingMode.allCases)
    func maxOutputBoundHoldsInEveryState(mode: PaddingMode) throws {
        var checked = 0
        for kernel in [1, 2, 3, 5] {
            for stride in 1...3 {
                for pad in 0...(kernel + 3) {
                    guard let spec = try? Conv1dSpec(inChannels: 1, outChannels: 1, kernelSize: kernel, stride: stride, padding: .samples(pad), paddingMode: mode) else { continue }
                    let conv = Conv1d<Float>(spec: spec, seed: 2)
                    for maxFrames in 1...(pad + 2) {
                        for pattern in 0..<3 {
                            var stream = conv.makeStream(maxFrames: maxFrames)
                            var output = Signal<Float>(channels: 1, capacity: stream.maxOutputFramesPerChunk)
                            for call in 0..<(3 * (pad + kernel) + 4) {
                                let n = pattern == 0 ? 1 : pattern == 1 ? maxFrames : (call % 2 == 0 ? 1 : maxFrames)
                                let needed = stream.outputFrameCount(afterProcessing: n)
                                #expect(needed <= stream.maxOutputFramesPerChunk, "\(spec) maxFrames \(maxFrames) call \(call): \(needed) outputs")
                                try stream.process(Signal(channels: 1, frames: n, repeating: 0.5), into: &output)
                                #expect(output.frames == needed)
                                checked += 1
                            }
                            #expect(stream.checkInvariants() == nil)
                        }
                    }
                }
            }
        }
        #expect(checked > 1000)
    }
}
