import StreamConv
import StreamConvTestSupport
import Testing

/// The Stage seam: `StreamingConv1d` keeps the protocol's whole contract (channels, rate
/// ratio, latency, lanes, whole-signal calls, explicit copies), and what the protocol gives
/// any stage for free (the one-segment whole-signal call) agrees with the convolution's own.
@Suite struct StageTests {
    @Test func frameRatiosReduceAndMultiply() {
        #expect(FrameRatio(outputs: 2, inputs: 6) == FrameRatio(outputs: 1, inputs: 3))
        #expect(FrameRatio(outputs: 1, inputs: 3) * FrameRatio(outputs: 6, inputs: 1) == FrameRatio(outputs: 2, inputs: 1))
        #expect(FrameRatio(outputs: 1, inputs: 2).outputRate(inputRate: 44101) == 22050.5)
        #expect(FrameRatio(outputs: 1, inputs: 2).wholeOutputRate(inputRate: 44101) == nil)
        #expect(FrameRatio(outputs: 1, inputs: 3).wholeOutputRate(inputRate: 48000) == 16000)
        #expect(FrameRatio(outputs: 3, inputs: 2).description == "3/2" && FrameRatio.one.description == "1/1")
    }

    func randomSpec(using rng: inout SeededGenerator) -> Conv1dSpec {
        let layouts = [(1, 1, 1), (2, 2, 2), (2, 4, 1), (3, 6, 3), (4, 8, 2)]
        let (cin, cout, groups) = layouts.randomElement(using: &rng)!
        return try! Conv1dSpec(
            inChannels: cin, outChannels: cout, kernelSize: [1, 3, 8, 31, 1200].randomElement(using: &rng)!,
            stride: [1, 1, 2, 3].randomElement(using: &rng)!, padding: .samples(Int.random(in: 0...6, using: &rng)),
            dilation: Int.random(in: 1...2, using: &rng), groups: groups, bias: Bool.random(using: &rng),
            paddingMode: PaddingMode.allCases.randomElement(using: &rng)!)
    }

    /// Channels, ratio and latency are the spec's; the protocol's streamed whole-signal call,
    /// the convolution's segments (1 and 3), and each lane streamed alone all give the
    /// whole-signal output bit for bit, for every padding mode and both engines.
    @Test(arguments: [1, 2, 3, 4])
    func streamsKeepTheStageContract(seed: UInt64) throws {
        var rng = SeededGenerator(seed: 900 + seed)
        for _ in 0..<10 {
            let spec = randomSpec(using: &rng)
            let conv = Conv1d<Float>(spec: spec, seed: rng.next())
            let length = max(spec.minimumInputLength, 1) + Int.random(in: 0...2000, using: &rng)
            let x = randomSignal(Float.self, channels: spec.inChannels, frames: length, using: &rng)
            let expected = try conv.forward(x)
            let stream = conv.makeStream(maxFrames: Int.random(in: 1...300, using: &rng))
            #expect(stream.inputChannels == spec.inChannels && stream.outputChannels == spec.outChannels)
            #expect(stream.rateRatio == FrameRatio(outputs: 1, inputs: spec.stride) && stream.latency == spec.latency)

            // A stage that only forwards takes the protocol's default: the signal streamed in one chunk.
            let streamed = try AlteredStream(stream.copy()).wholeSignal(x, maxSegments: 4)
            #expect(streamed.segmentCount == 1)
            #expect(streamed.output().bitwiseEquals(expected), "\(spec) streamed whole call")
            for segments in [1, 3] {
                let call = try stream.wholeSignal(x, maxSegments: segments)
                let y = call.output { count, segment in
                    for k in (0..<count).reversed() { segment(k) }
                }
                #expect(y.bitwiseEquals(expected), "\(spec) \(segments) segments")
            }

            var gathered = Signal<Float>(channels: spec.outChannels, frames: expected.frames)
            let lanes = stream.copy().lanes(3)
            #expect(lanes.count >= 1 && lanes.map(\.outputChannels.count).reduce(0, +) == spec.outChannels)
            for lane in lanes {
                lane.stage.reset()
                let part = try lane.stage.wholeSignal(x.channels(lane.inputChannels), maxSegments: 1)
                let y = part.output()
                for (k, o) in lane.outputChannels.enumerated() {
                    for t in 0..<y.frames { gathered[o, t] = y[k, t] }
                }
            }
            #expect(gathered.bitwiseEquals(expected), "\(spec) lanes")
        }
    }

    /// `copy()` forks a stream mid-signal: both continuations give the whole-signal output,
    /// and running one does not disturb the other (each owns its history and engine state).
    @Test(arguments: [Conv1dEngineChoice.direct, .fft])
    func aCopyContinuesOnItsOwn(engine: Conv1dEngineChoice) throws {
        var rng = SeededGenerator(seed: 31)
        let spec = try Conv1dSpec(inChannels: 2, outChannels: 2, kernelSize: 1500, padding: .same, groups: 2, paddingMode: .reflect)
        let conv = Conv1d<Float>(spec: spec, weights: Conv1dWeights(defaultInitFor: spec, seed: 2), engine: engine)
        let x = randomSignal(Float.self, channels: 2, frames: 6000, using: &rng)
        let expected = try conv.forward(x)
        var original = conv.makeStream(maxFrames: 512)
        let head = try original.process(x.slice(0..<2500))
        var fork = original.copy()
        // The fork runs to the end first; the original then continues from where it was.
        let forkRest = try fork.process(x.slice(2500..<6000))
        let forkEnd = try fork.finish()
        let rest = try original.process(x.slice(2500..<6000))
        let end = try original.finish()
        #expect(Signal.concatenating([end.head, head, rest, end.tail]).bitwiseEquals(expected), "\(engine) original")
        #expect(Signal.concatenating([forkEnd.head, head, forkRest, forkEnd.tail]).bitwiseEquals(expected), "\(engine) fork")
    }
}

extension Signal {
    /// Channels `range` of every frame.
    func channels(_ range: Range<Int>) -> Signal {
        Signal(range.map { channel($0) })
    }
}
