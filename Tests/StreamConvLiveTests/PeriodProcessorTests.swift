import StreamConv
import StreamConvIO
import StreamConvLive
import StreamConvTestSupport
import Testing

/// The driver-independent period processor: bytes in, the offline output out, bit for bit,
/// whatever the read sizes; its meter and counters; and no allocation per period.
@Suite struct PeriodProcessorTests {
    let spec = try! Conv1dSpec(inChannels: 2, outChannels: 4, kernelSize: 31, stride: 2, padding: .samples(30), groups: 2)

    func capture(_ frames: Int) -> [Int16] {
        var rng = SeededGenerator(seed: 5)
        return (0..<(2 * frames)).map { _ in Int16(truncatingIfNeeded: Int(rng.next() >> 50) - 8192) }
    }

    /// S16 capture, reads of 1…period frames, encoded back as float: the offline output of
    /// the same samples (read as libsndfile reads 16 bits), including the tail at the end.
    @Test(arguments: [1, 64, 333])
    func periodsGiveTheOfflineOutput(period: Int) throws {
        let conv = Conv1d<Float>(spec: spec, seed: 3)
        let samples = capture(5000)
        let counters = LiveCounters()
        // Metering intervals of 97 output frames: never aligned to a period.
        var processor = PeriodProcessor(stage: conv.makeStream(), period: period, capture: .s16, rate: 48000, counters: counters, levelInterval: 97)
        #expect(processor.inputChannels == 2 && processor.outputChannels == 4 && processor.latency == spec.latency)
        var delivered: [Float] = []
        // The last interval's levels: those of output frames [start, start + frames), by a plain loop.
        func checkInterval(_ levels: Levels, complete: Bool = true) {
            let total = delivered.count / 4
            guard levels.intervalFrames > 0 else { #expect(total < 97); return }
            let (start, frames) = (Int(levels.intervalStart), levels.intervalFrames)
            #expect(start % 97 == 0 && (complete ? frames == 97 && total - start - frames < 97 : start + frames == total), "\(start) \(frames) of \(total)")
            for c in 0..<4 {
                let samples = (start..<(start + frames)).map { delivered[$0 * 4 + c] }
                let rms = (samples.map { Double($0) * Double($0) }.reduce(0, +) / Double(frames)).squareRoot()
                #expect(levels.intervalPeaks[c] == samples.map(abs).max()!)
                #expect(abs(levels.intervalRMS[c] - rms) <= 1e-12 * rms)
            }
        }
        var bytes = [UInt8](repeating: 0, count: processor.readyCapacity * 4 * 4)
        var rng = SeededGenerator(seed: UInt64(period))
        var at = 0
        func take() {
            bytes.withUnsafeMutableBytes { processor.encodeReady(as: .f32, into: $0.baseAddress!) }
            delivered += bytes.withUnsafeBytes { Array($0.bindMemory(to: Float.self).prefix(processor.ready.frames * 4)) }
            checkInterval(processor.levels)
            if let published = counters.levels?.snapshot() { #expect(published == processor.levels) }
        }
        while at < 5000 {
            let n = min(Int.random(in: 1...period, using: &rng), 5000 - at)
            try samples.withUnsafeBytes { try processor.filter(captured: $0.baseAddress! + at * 4, frames: n) }
            take()
            at += n
        }
        try processor.finish()
        take()
        // The run's last frames, a partial interval, close as the last interval.
        processor.closeLevels()
        checkInterval(processor.levels, complete: delivered.count / 4 % 97 == 0)
        let x = Signal<Float>(interleaved: samples.map { Float($0) * 0x1p-15 }, channels: 2)
        let expected = try conv.forward(x)
        #expect(Signal(interleaved: delivered, channels: 4).bitwiseEquals(expected), "period \(period)")
        #expect(processor.outputFrames == Int64(expected.frames) && processor.capturedFrames == 5000)
        #expect(counters.framesIn.load(ordering: .relaxed) == 5000 && counters.framesOut.load(ordering: .relaxed) == expected.frames)
        // The meter's peaks are the output's.
        let peaks = (0..<4).map { c in expected.channel(c).map(abs).max()! }
        #expect(processor.levels.peaks == peaks)
        #expect(counters.levels?.snapshot().peaks == peaks)
    }

    /// An integer playback format is rounded through the quantizer and its clipping counted.
    @Test func integerPlaybackClipsAndCounts() throws {
        let gain = try Conv1dSpec(inChannels: 1, outChannels: 1, kernelSize: 1, bias: false)
        let conv = Conv1d<Float>(spec: gain, weights: try Conv1dWeights(spec: gain, weight: [4], bias: nil))
        let counters = LiveCounters()
        var processor = PeriodProcessor(stage: conv.makeStream(), period: 4, capture: .f32, rate: 48000, quantizeTo: 16, counters: counters)
        let input: [Float] = [0.1, 0.3, -0.3, 0.2]
        try input.withUnsafeBytes { try processor.filter(captured: $0.baseAddress!, frames: 4) }
        var out = [Int16](repeating: 0, count: 4)
        out.withUnsafeMutableBytes { processor.encodeReady(as: .s16, into: $0.baseAddress!) }
        #expect(out == [13107, Int16.max, Int16.min, 26214])
        #expect(counters.clipped.load(ordering: .relaxed) == 2)
    }

    /// Once made, periods allocate nothing, on the direct and on the FFT engine.
    @Test(arguments: [Conv1dEngineChoice.direct, .fft])
    func periodsAllocateNothing(engine: Conv1dEngineChoice) throws {
        let long = try Conv1dSpec(inChannels: 2, outChannels: 2, kernelSize: 3000, padding: .same, groups: 2)
        let conv = Conv1d<Float>(spec: long, weights: Conv1dWeights(defaultInitFor: long, seed: 1), engine: engine)
        let samples = capture(6000)
        var processor = PeriodProcessor(stage: conv.makeStream(), period: 128, capture: .s16, rate: 48000, quantizeTo: 16, dither: .tpdf, counters: LiveCounters())
        var bytes = [UInt8](repeating: 0, count: processor.readyCapacity * 2 * 2)
        // The first period instantiates what the runtime makes once per process (the
        // processor's rehearsal at init has made the engine's first call already).
        var at = 0
        try samples.withUnsafeBytes { try processor.filter(captured: $0.baseAddress!, frames: 128) }
        at = 128
        var count: UInt64 = 0
        try samples.withUnsafeBytes { raw in
            try bytes.withUnsafeMutableBytes { out in
                count = try AllocationCount.of {
                while at + 128 <= 6000 {
                    try processor.filter(captured: raw.baseAddress! + at * 4, frames: 128)
                    processor.encodeReady(as: .s16, into: out.baseAddress!)
                    at += 128
                }
                try processor.finish()
                processor.encodeReady(as: .s16, into: out.baseAddress!)
                }
            }
        }
        #expect(count == 0, "\(engine): \(count) allocations")
    }
}
