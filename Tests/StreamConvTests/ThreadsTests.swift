import Dispatch
import StreamConv
import Testing

/// The pieces threads run (issue 8, `--threads`): time segments of a whole-signal call and
/// channel lanes of a convolution, each bitwise equal to the one-thread result.
@Suite struct ThreadsTests {
    /// A random spec for one of the engines: short ones for direct, long stride-1 ones for FFT.
    func randomSpec(engine: Conv1dEngineChoice, using rng: inout SeededGenerator) -> Conv1dSpec {
        if engine == .direct { return StreamConvTests.randomSpec(using: &rng) }
        let layouts = [(1, 1, 1), (2, 2, 2), (2, 3, 1), (3, 3, 3), (2, 4, 2)]
        let (cin, cout, groups) = layouts.randomElement(using: &rng)!
        let dilation = [1, 1, 2].randomElement(using: &rng)!
        let kernel = Int.random(in: (140 / dilation)...(1300 / dilation), using: &rng)
        let paddings: [Conv1dPadding] = [.same, .valid, .samples(Int.random(in: 0...40, using: &rng)), .samples(dilation * (kernel - 1))]
        return try! Conv1dSpec(
            inChannels: cin, outChannels: cout, kernelSize: kernel, padding: paddings.randomElement(using: &rng)!,
            dilation: dilation, groups: groups, bias: Bool.random(using: &rng),
            paddingMode: PaddingMode.allCases.randomElement(using: &rng)!)
    }

    @Test(arguments: [Conv1dEngineChoice.direct, .fft])
    func segmentsRunConcurrentlyMatchTheWholeSignalBitwise(engine: Conv1dEngineChoice) throws {
        var rng = SeededGenerator(seed: engine == .fft ? 811 : 812)
        for trial in 0..<(engine == .fft ? 10 : 60) {
            let spec = randomSpec(engine: engine, using: &rng)
            // FFT signals well past a warm-up (2·reach + 1 ≤ 2049 outputs here), so segments
            // start inside the signal rather than at its origin.
            let length = minimumLength(spec) + Int.random(in: 0...(engine == .fft ? 12000 : 400), using: &rng)
            if trial % 2 == 0 {
                try check(Float.self, spec: spec, engine: engine, length: length, rng: &rng)
            } else {
                try check(Double.self, spec: spec, engine: engine, length: length, rng: &rng)
            }
        }
    }

    func check<T: ConvScalar>(_: T.Type, spec: Conv1dSpec, engine: Conv1dEngineChoice, length: Int, rng: inout SeededGenerator) throws {
        let conv = Conv1d<T>(spec: spec, weights: Conv1dWeights(defaultInitFor: spec, seed: rng.next()), engine: engine)
        let x = randomSignal(T.self, channels: spec.inChannels, frames: length, using: &rng)
        let whole = try conv.forward(x)
        let shortest = Int.random(in: 1...(engine == .fft ? 900 : 60), using: &rng)
        let segments = try Conv1dSegments(conv, input: x, maxSegments: Int.random(in: 2...9, using: &rng), shortest: shortest)
        let cut = segments.output { count, segment in
            DispatchQueue.concurrentPerform(iterations: count) { segment(count - 1 - $0) }
        }
        #expect(segments.ranges.map(\.count).reduce(0, +) == whole.frames)
        let difference = ChunkEquivalence.firstDifference(expected: whole, actual: cut)
        #expect(difference == nil, "\(spec) \(conv.engine.name) L=\(length) segments \(segments.ranges): \(difference ?? "")")
    }

    @Test func lanesCutAsDocumented() throws {
        let depthwise = try Conv1dSpec(inChannels: 2, outChannels: 2, kernelSize: 5, groups: 2)
        let stereo = Conv1d<Float>(spec: depthwise, seed: 1)
        #expect(stereo.lanes(2).map(\.inputChannels) == [0..<1, 1..<2])
        #expect(stereo.lanes(2).map(\.outputChannels) == [0..<1, 1..<2])
        #expect(stereo.lanes(8).count == 2)
        #expect(stereo.lanes(1).count == 1)
        let dense = Conv1d<Float>(spec: try Conv1dSpec(inChannels: 3, outChannels: 5, kernelSize: 3), seed: 2)
        #expect(dense.lanes(2).map(\.inputChannels) == [0..<3, 0..<3])
        #expect(dense.lanes(2).map(\.outputChannels) == [0..<2, 2..<5])
        let grouped = Conv1d<Float>(spec: try Conv1dSpec(inChannels: 4, outChannels: 6, kernelSize: 3, groups: 2), seed: 3)
        #expect(grouped.lanes(4).map(\.inputChannels) == [0..<2, 2..<4])
        #expect(grouped.lanes(4).map(\.outputChannels) == [0..<3, 3..<6])
        let long = Conv1d<Float>(spec: try Conv1dSpec(inChannels: 2, outChannels: 2, kernelSize: 3000, groups: 2), seed: 4)
        #expect(long.lanes(2).allSatisfy { $0.conv.engine.name == "fft" })
        let forced = Conv1d<Float>(spec: long.spec, weights: long.weights, engine: .direct)
        #expect(forced.lanes(2).allSatisfy { $0.conv.engine.name == "direct" })
    }

    @Test(arguments: [Conv1dEngineChoice.direct, .fft])
    func lanesStreamTheirChannelsBitwise(engine: Conv1dEngineChoice) throws {
        var rng = SeededGenerator(seed: engine == .fft ? 821 : 822)
        for _ in 0..<(engine == .fft ? 8 : 40) {
            let spec = randomSpec(engine: engine, using: &rng)
            let conv = Conv1d<Float>(spec: spec, weights: Conv1dWeights(defaultInitFor: spec, seed: rng.next()), engine: engine)
            let x = randomSignal(Float.self, channels: spec.inChannels, frames: minimumLength(spec) + Int.random(in: 0...3000, using: &rng), using: &rng)
            let whole = try conv.forward(x)
            let lanes = conv.lanes(Int.random(in: 2...4, using: &rng))
            #expect(lanes.first?.outputChannels.lowerBound == 0 && lanes.last?.outputChannels.upperBound == spec.outChannels)
            for lane in lanes {
                let xs = Signal(lane.inputChannels.map { x.channel($0) })
                let expected = Signal(lane.outputChannels.map { whole.channel($0) })
                var stream = lane.conv.makeStream(maxFrames: [1, 7, 300].randomElement(using: &rng)!)
                let mismatch = ChunkEquivalence.check(&stream, signal: xs, expected: .success(expected), trials: 2, using: &rng)
                #expect(mismatch == nil, "\(spec) lane \(lane.outputChannels): \(mismatch?.description ?? "")")
            }
        }
    }
}
