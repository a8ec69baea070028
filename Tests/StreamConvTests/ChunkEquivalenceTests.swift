import StreamConv
import StreamConvTestSupport
import Testing

/// The streaming contract: any chunking gives bit for bit the whole-signal output.
@Suite struct ChunkEquivalenceTests {
    /// Random configurations × random chunk sequences, bitwise, in both precisions. Lengths go
    /// below the minimum too, where the stream must fail at `finish` with the same error.
    @Test(arguments: [1, 2, 3, 4])
    func randomConfigurationsAndChunkings(seed: UInt64) throws {
        var rng = SeededGenerator(seed: 1000 + seed)
        for trial in 0..<60 {
            let spec = randomSpec(using: &rng)
            let length = max(0, minimumLength(spec) + Int.random(in: -2...70, using: &rng))
            let maxFrames = [1, 2, 3, 7, 64, 4096].randomElement(using: &rng)!
            if trial % 2 == 0 {
                try checkChunkings(Float.self, spec: spec, length: length, maxFrames: maxFrames, seed: rng.next(), rng: &rng)
            } else {
                try checkChunkings(Double.self, spec: spec, length: length, maxFrames: maxFrames, seed: rng.next(), rng: &rng)
            }
        }
    }

    /// `outputsBeforeTail` is what a zero- or replicate-padded stream emits before finish
    /// (the rest is the tail an impulse response's `"tail": false` drops), for random specs
    /// and lengths, fed in random chunks.
    @Test func outputsBeforeTailIsWhatTheStreamEmits() throws {
        var rng = SeededGenerator(seed: 4242)
        var checked = 0
        while checked < 300 {
            let spec = randomSpec(using: &rng)
            guard spec.paddingMode == .zeros || spec.paddingMode == .replicate else { continue }
            let length = minimumLength(spec) + Int.random(in: 0...40, using: &rng)
            let conv = Conv1d<Float>(spec: spec, seed: rng.next())
            let x = randomSignal(Float.self, channels: spec.inChannels, frames: length, using: &rng)
            var stream = conv.makeStream(maxFrames: 7)
            var emitted = 0
            var at = 0
            while at < length {
                let n = min(Int.random(in: 1...7, using: &rng), length - at)
                emitted += try stream.process(x.slice(at..<(at + n))).frames
                at += n
            }
            let end = try stream.finish()
            #expect(emitted == spec.outputsBeforeTail(inputLength: length), "\(spec) L=\(length)")
            #expect(emitted + end.head.frames + end.tail.frames == (try spec.outputLength(inputLength: length)))
            checked += 1
        }
        // The full convolution of an impulse response: exactly the input's length.
        let full = try Conv1dSpec(inChannels: 1, outChannels: 1, kernelSize: 300, padding: .samples(299), bias: false)
        #expect(full.outputsBeforeTail(inputLength: 1000) == 1000 && full.outputsBeforeTail(inputLength: 1) == 1)
    }

    /// The same with `--arithmetic fused`: one fused multiply-add per term keeps the contract.
    @Test(arguments: [1, 2])
    func fusedArithmeticRandomConfigurationsAndChunkings(seed: UInt64) throws {
        var rng = SeededGenerator(seed: 1100 + seed)
        for trial in 0..<60 {
            let spec = randomSpec(using: &rng)
            let length = max(0, minimumLength(spec) + Int.random(in: -2...70, using: &rng))
            let maxFrames = [1, 2, 3, 7, 64, 4096].randomElement(using: &rng)!
            if trial % 2 == 0 {
                try checkChunkings(Float.self, spec: spec, length: length, maxFrames: maxFrames, seed: rng.next(), rng: &rng, arithmetic: .fused)
            } else {
                try checkChunkings(Double.self, spec: spec, length: length, maxFrames: maxFrames, seed: rng.next(), rng: &rng, arithmetic: .fused)
            }
        }
    }

    func checkChunkings<T: ConvScalar>(
        _: T.Type, spec: Conv1dSpec, length: Int, maxFrames: Int, seed: UInt64, rng: inout SeededGenerator,
        arithmetic: Conv1dArithmetic = .unfused
    ) throws {
        let conv = Conv1d<T>(spec: spec, weights: Conv1dWeights(defaultInitFor: spec, seed: seed), arithmetic: arithmetic)
        let x = randomSignal(T.self, channels: spec.inChannels, frames: length, using: &rng)
        var stream = conv.makeStream(maxFrames: maxFrames)
        let mismatch = ChunkEquivalence.check(
            &stream, signal: x, expected: Result { try conv.forward(x) }, trials: 5, using: &rng)
        #expect(mismatch == nil, "\(spec) L=\(length) maxFrames=\(maxFrames) \(T.self): \(mismatch?.description ?? "")")
    }

    /// Every 2- and 3-piece split of short signals, for every padding mode and stride 1–3:
    /// every chunk edge meets every stride phase and every position relative to the padding.
    @Test(arguments: PaddingMode.allCases)
    func everyTwoAndThreePieceSplit(mode: PaddingMode) throws {
        var rng = SeededGenerator(seed: 99)
        for stride in 1...3 {
            let paddings: [Conv1dPadding] = stride == 1 ? [.same, .samples(0), .samples(3)] : [.samples(0), .samples(2), .samples(3)]
            for padding in paddings {
                let spec = try Conv1dSpec(
                    inChannels: 2, outChannels: 2, kernelSize: 3, stride: stride, padding: padding,
                    dilation: 2, groups: 1, bias: true, paddingMode: mode)
                let conv = Conv1d<Float>(spec: spec, seed: 5)
                for length in minimumLength(spec)...(minimumLength(spec) + 7) {
                    let x = randomSignal(Float.self, channels: 2, frames: length, using: &rng)
                    let expected = Result<Signal<Float>, any Error> { try conv.forward(x) }
                    var stream = conv.makeStream(maxFrames: 2)
                    for a in 0...length {
                        for b in 0...(length - a) {
                            let sizes = b == 0 ? [a, length - a] : [a, b, length - a - b]
                            let mismatch = ChunkEquivalence.check(&stream, signal: x, expected: expected, chunkSizes: sizes)
                            #expect(mismatch == nil, "\(spec) L=\(length): \(mismatch?.description ?? "")")
                        }
                    }
                }
            }
        }
    }

    /// Long kernels and long signals: windows far wider than chunks, several kernel tiles per call.
    @Test(arguments: PaddingMode.allCases)
    func longKernelsAndSignals(mode: PaddingMode) throws {
        var rng = SeededGenerator(seed: 404)
        for (k, d, s, padding) in [(63, 1, 1, Conv1dPadding.same), (31, 3, 2, .samples(40)), (128, 1, 5, .samples(64))] {
            let spec = try Conv1dSpec(inChannels: 2, outChannels: 2, kernelSize: k, stride: s, padding: padding, dilation: d, groups: 2, paddingMode: mode)
            let conv = Conv1d<Float>(spec: spec, seed: 8)
            let x = randomSignal(Float.self, channels: 2, frames: 2500 + Int.random(in: 0..<100, using: &rng), using: &rng)
            var stream = conv.makeStream(maxFrames: [1, 100, 700].randomElement(using: &rng)!)
            let mismatch = ChunkEquivalence.check(&stream, signal: x, expected: Result { try conv.forward(x) }, trials: 4, using: &rng)
            #expect(mismatch == nil, "\(spec): \(mismatch?.description ?? "")")
        }
    }

    /// A stride wider than the receptive field skips input samples that no output reads.
    @Test func strideWiderThanReceptiveField() throws {
        let spec = try Conv1dSpec(inChannels: 1, outChannels: 1, kernelSize: 2, stride: 7, padding: .samples(1))
        let conv = Conv1d<Double>(spec: spec, seed: 1)
        let x = Signal<Double>([(0..<50).map { Double($0) }])
        var stream = conv.makeStream(maxFrames: 3)
        var rng = SeededGenerator(seed: 4)
        #expect(ChunkEquivalence.check(&stream, signal: x, expected: Result { try conv.forward(x) }, trials: 40, using: &rng) == nil)
        // Output t reads padded samples 7t and 7t+1, i.e. x[7t−1] and x[7t].
        let w = conv.weights
        let y = try conv.forward(x)
        #expect(y.frames == 8)
        #expect(y[0, 3] == w.bias![0] + w.weight[0] * 20 + w.weight[1] * 21)
    }

    /// Padding far wider than the kernel: outputs that read only padding.
    @Test(arguments: PaddingMode.allCases)
    func paddingWiderThanKernel(mode: PaddingMode) throws {
        let spec = try Conv1dSpec(inChannels: 1, outChannels: 2, kernelSize: 2, stride: 3, padding: .samples(9), paddingMode: mode)
        let conv = Conv1d<Float>(spec: spec, seed: 2)
        var rng = SeededGenerator(seed: 8)
        let x = randomSignal(Float.self, channels: 1, frames: 12, using: &rng)
        var stream = conv.makeStream(maxFrames: 4)
        #expect(ChunkEquivalence.check(&stream, signal: x, expected: Result { try conv.forward(x) }, trials: 30, using: &rng) == nil)
    }

    /// The checker itself finds a difference: a processor that drops its tail is caught.
    @Test func checkerReportsADifference() throws {
        let spec = try Conv1dSpec(inChannels: 1, outChannels: 1, kernelSize: 5, padding: .same)
        let conv = Conv1d<Float>(spec: spec, seed: 3)
        let x = Signal<Float>([[1, 2, 3, 4, 5, 6]])
        var broken = AlteredStream(conv.makeStream(), fault: .dropsTail)
        let mismatch = ChunkEquivalence.check(&broken, signal: x, expected: Result { try conv.forward(x) }, chunkSizes: [6])
        #expect(mismatch?.detail == "expected 1×6 frames, got 1×4")
    }

    /// The checker holds a stage to its own counts and bounds: a stage whose outputs are right
    /// but whose promised frame counts or bounds are wrong is caught too.
    @Test(arguments: [AlteredStream.Fault.miscountsOutputs, .miscountsFinish, .outputBound(0)])
    func checkerHoldsAStageToItsCounts(fault: AlteredStream.Fault) throws {
        let spec = try Conv1dSpec(inChannels: 1, outChannels: 1, kernelSize: 5, padding: .same)
        let conv = Conv1d<Float>(spec: spec, seed: 3)
        let x = Signal<Float>([[1, 2, 3, 4, 5, 6]])
        var broken = AlteredStream(conv.makeStream(), fault: fault)
        let mismatch = ChunkEquivalence.check(&broken, signal: x, expected: Result { try conv.forward(x) }, chunkSizes: [3, 3])
        let detail = mismatch?.detail ?? ""
        #expect(fault == .miscountsFinish ? detail.hasPrefix("finish gave (0, 2) frames, but finishFrameCounts said (0, 3)") : detail.hasPrefix("chunk 0: "), "\(fault): \(detail)")
    }
}
