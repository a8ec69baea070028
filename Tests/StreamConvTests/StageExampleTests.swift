import StreamConv
import Testing

// The README's "Writing a stage" example, compiled and run here so it stays true.

/// A gain: no latency, one output frame per input frame, nothing withheld.
struct Gain: Stage {
    let channels: Int
    let factor: Float
    private(set) var maxFrames = 0

    var inputChannels: Int { channels }
    var outputChannels: Int { channels }
    var rateRatio: FrameRatio { .one }
    var latency: Int { 0 }
    var finishBound: (head: Int, tail: Int) { (0, 0) }

    mutating func prepare(maxFrames: Int) { self.maxFrames = max(self.maxFrames, maxFrames) }
    func outputFrameCount(afterProcessing frames: Int) -> Int { frames }
    func outputBound(inputFrames frames: Int) -> Int { frames }
    func finishFrameCounts() throws(Conv1dError) -> (head: Int, tail: Int) { (0, 0) }
    func outputsBeforeTail(inputLength: Int) -> Int { inputLength }

    mutating func process(_ input: Signal<Float>, into output: inout Signal<Float>) throws(Conv1dError) {
        guard input.channels == channels else { throw .channelMismatch(expected: channels, got: input.channels, groups: 1) }
        guard output.capacity >= input.frames else { throw .outputCapacity(needed: input.frames, capacity: output.capacity) }
        input.copyFrames(0..<input.frames, into: &output)
        let (frames, stride) = (input.frames, output.capacity)
        output.withUnsafeMutableBufferPointer { samples in
            for c in 0..<channels {
                for i in 0..<frames { samples[c * stride + i] *= factor }
            }
        }
    }

    mutating func finish(head: inout Signal<Float>, tail: inout Signal<Float>) throws(Conv1dError) {
        head.setFrames(0)
        tail.setFrames(0)
    }

    mutating func reset() {}
    func copy() -> Gain { self }
}

@Suite struct StageExampleTests {
    /// The example keeps the contract: any chunking equals the whole call, bit for bit.
    @Test func theReadmesGainIsAStage() throws {
        var rng = SeededGenerator(seed: 1)
        let x = randomSignal(Float.self, channels: 2, frames: 1000, using: &rng)
        var gain = Gain(channels: 2, factor: 0.5)
        gain.prepare(maxFrames: 256)
        let whole = try gain.wholeSignal(x, maxSegments: 1).output()
        #expect(whole[1, 10] == x[1, 10] / 2)
        #expect(ChunkEquivalence.check(&gain, signal: x, expected: .success(whole), trials: 20, using: &rng) == nil)
    }
}
