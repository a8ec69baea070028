import Foundation
import StreamConv
import StreamConvIO
import StreamConvLive
import StreamConvTestSupport
import Testing

/// Worker threads for the large partitions: the output is the inline output bit for bit
/// however the input is cut and however late the workers are; late blocks are counted; the
/// streaming side allocates nothing.
@Suite struct PartitionWorkersTests {
    func signal(channels: Int, frames: Int, seed: UInt64) -> Signal<Float> {
        var rng = SeededGenerator(seed: seed)
        var x = Signal<Float>(channels: channels, frames: frames)
        x.withUnsafeMutableBufferPointer { p in for i in p.indices { p[i] = Float(Int(rng.next() >> 40) - (1 << 23)) / Float(1 << 23) } }
        return x
    }

    /// Random chunkings (periods 1…4096, 1-frame chunks) of a 65,536-tap stereo filter with
    /// its two large classes (2048 and 16384) on worker threads: the whole-signal output, bit for bit.
    @Test func threadedStreamsKeepTheBits() throws {
        let spec = try Conv1dSpec(inChannels: 2, outChannels: 2, kernelSize: 65536, padding: .samples(65535), groups: 2, bias: true)
        let conv = Conv1d<Float>(spec: spec, weights: Conv1dWeights(defaultInitFor: spec, seed: 3), engine: .auto)
        let x = signal(channels: 2, frames: 120_000, seed: 9)
        let expected = Result { try conv.forward(x) }
        let workers = PartitionWorkers(rate: 48000)
        defer { workers.stop() }
        var stream = conv.makeStream(maxFrames: 4096)
        stream.schedule(on: workers)
        #expect(workers.threads == 2)
        var rng = SeededGenerator(seed: 77)
        var chunkings: [[Int]] = [Array(repeating: 1, count: 40_000) + [80_000]]
        for period in [1, 32, 64, 333, 4096] {
            var sizes: [Int] = []
            var left = x.frames
            while left > 0 {
                let n = min(left, Int.random(in: 1...period, using: &rng))
                sizes.append(n)
                left -= n
            }
            chunkings.append(sizes)
        }
        chunkings.append(ChunkEquivalence.randomChunking(length: x.frames, using: &rng))
        for sizes in chunkings {
            let mismatch = ChunkEquivalence.check(&stream, signal: x, expected: expected, chunkSizes: sizes)
            #expect(mismatch == nil, "\(mismatch?.description ?? "")")
        }
        #expect(workers.stepsRun > 0)
    }

    /// Workers that look for work only every few minutes (as if the stream ran at 1 Hz): the
    /// stream finds the large blocks unfinished, counts them as late and runs them itself
    /// rather than wait, and the bits hold.
    @Test func lateWorkersAreWaitedForAndCounted() throws {
        let spec = try Conv1dSpec(inChannels: 1, outChannels: 1, kernelSize: 20_000, padding: .samples(19_999))
        let conv = Conv1d<Float>(spec: spec, seed: 5)
        let x = signal(channels: 1, frames: 40_000, seed: 2)
        let expected = try conv.forward(x)
        let workers = PartitionWorkers(rate: 1)
        defer { workers.stop() }
        var stream = conv.makeStream(maxFrames: 256)
        stream.schedule(on: workers)
        var pieces: [Signal<Float>] = []
        var at = 0
        while at < x.frames {
            let n = min(256, x.frames - at)
            pieces.append(try stream.process(x.slice(at..<(at + n))))
            at += n
        }
        pieces.append(try stream.finish().tail)
        #expect(ChunkEquivalence.firstDifference(expected: expected, actual: Signal.concatenating(pieces)) == nil)
        // 20,000 taps: classes of 1024 and 8192 on workers, some 66 of their blocks in the
        // signal and right pad. A woken worker catches up on all it has (a block or two beyond
        // the one needed), so about every other block is found unfinished.
        let late = workers.counters.lateBlocks.load(ordering: .relaxed)
        #expect(late >= 25, "\(late) late blocks, \(workers.stepsRun) steps by workers")
        #expect(workers.counters.worstWaitNanos.load(ordering: .relaxed) > 0)
        // Steps no worker had started ran on the streaming thread at once: the sleeping
        // workers ran next to none of the ~66 (what each found when it first looked, or
        // grabbed in a wake-up; 4 seen on a loaded machine).
        #expect(workers.stepsRun <= 8, "workers ran \(workers.stepsRun) steps")
    }

    /// A period with workers running allocates nothing on the audio thread, and a stopped
    /// scheduler leaves the stream running its steps inline with the same bits.
    @Test func periodsWithWorkersAllocateNothing() throws {
        let spec = try Conv1dSpec(inChannels: 2, outChannels: 2, kernelSize: 65536, padding: .samples(65535), groups: 2)
        let conv = Conv1d<Float>(spec: spec, weights: Conv1dWeights(defaultInitFor: spec, seed: 1), engine: .auto)
        var rng = SeededGenerator(seed: 4)
        let frames = 48_000
        let samples = (0..<(2 * frames)).map { _ in Int16(truncatingIfNeeded: Int(rng.next() >> 50) - 8192) }
        let workers = PartitionWorkers(rate: 48000)
        var processor = PeriodProcessor(stage: conv.makeStream(), period: 64, capture: .s16, rate: 48000, counters: LiveCounters(), workers: workers)
        try samples.withUnsafeBytes { try processor.filter(captured: $0.baseAddress!, frames: 64) }
        var count: UInt64 = 0
        try samples.withUnsafeBytes { raw in
            count = try AllocationCount.of {
                var at = 64
                while at + 64 <= frames {
                    try processor.filter(captured: raw.baseAddress! + at * 4, frames: 64)
                    at += 64
                }
            }
        }
        #expect(count == 0, "\(count) allocations")
        #expect(workers.stepsRun > 0)
        workers.stop()
        // After stop, the remaining steps run inline when needed.
        try samples.withUnsafeBytes { try processor.filter(captured: $0.baseAddress!, frames: 64) }
        try processor.finish()
    }
}
