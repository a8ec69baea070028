import Foundation
import StreamConv
import Testing

/// The FFT engine's partition plans: every candidate plan is a valid partition and keeps the
/// engine's promises (chunk equivalence bit for bit, the direct engine's values within
/// rounding), the plan depends on the filter alone, and a lane runs its parent's plan.
@Suite struct FFTPartitionPlanTests {
    /// Every first block × growth on fields from just past the head to a million taps: the
    /// classes tile [firstBlock, field) in order without gaps, each after the first starts at
    /// least two of its blocks in (the worker's slack), block sizes grow by `growth` up to
    /// the largest block, and the output ring holds a block past the class's reach.
    @Test func everyCandidateTilesTheFilter() {
        for field in [33, 65, 100, 257, 1000, 4097, 20_000, 65536, 100_000, 262_144, 1_000_000] {
            for first in FFTPartitionPlan.firstBlocks where first < field {
                for growth in FFTPartitionPlan.growths {
                    let plan = FFTPartitionPlan(receptiveField: field, firstBlock: first, growth: growth)
                    let name = "\(field) taps, first \(first), growth \(growth): \(plan)"
                    #expect(plan.firstBlock == first && plan.growth == growth)
                    var offset = first, size = first
                    for (c, cls) in plan.classes.enumerated() {
                        #expect(cls.offset == offset && cls.size == size && cls.count >= 1, "\(name), class \(c)")
                        #expect(c == 0 ? cls.offset == cls.size : cls.offset >= 2 * cls.size, "\(name), class \(c) has no block of slack")
                        #expect(cls.ring >= cls.offset + cls.size && cls.ring & (cls.ring - 1) == 0, "\(name), class \(c) ring \(cls.ring)")
                        #expect(cls.size <= FFTPartitionPlan.largestBlock)
                        offset += cls.count * cls.size
                        size = min(growth * size, FFTPartitionPlan.largestBlock)
                    }
                    // Covered, and the last block is not wholly past the end.
                    #expect(offset >= field && offset - (plan.classes.last?.size ?? 0) < field, "\(name) covers to \(offset)")
                }
            }
        }
    }

    /// The layouts the cost model picks for some filters, worked out by hand from the
    /// compiled-in costs (scripts/fft_plan.py recomputes them): long mono and stereo filters
    /// take a 256 head and growth 8; a 300-tap one a 64 head.
    @Test(arguments: [
        (1, 300, "head 64 + 4×64"),
        (1, 20_000, "head 256 + 15×256 + 8×2048"),
        (2, 24576, "head 256 + 15×256 + 10×2048"),
        (2, 65536, "head 256 + 15×256 + 14×2048 + 2×16384"),
        (2, 262_144, "head 256 + 15×256 + 14×2048 + 14×16384"),
    ])
    func chosenLayouts(channels: Int, taps: Int, layout: String) throws {
        let spec = try Conv1dSpec(inChannels: channels, outChannels: channels, kernelSize: taps, groups: channels)
        #expect(FFTPartitionPlan(spec: spec).description == layout)
    }

    /// The plan is the cheapest candidate under the model, and a function of the filter only:
    /// the engine of a convolution runs it whatever streams, block sizes or copies are made.
    @Test func theChosenPlanIsTheCheapestAndFixed() throws {
        let model = FFTCostModel.measured
        for (channels, groups, taps) in [(1, 1, 500), (2, 2, 3000), (2, 1, 3000), (4, 1, 5000), (1, 1, 70_000)] {
            let spec = try Conv1dSpec(inChannels: channels, outChannels: channels, kernelSize: taps, groups: groups)
            let chosen = FFTPartitionPlan(spec: spec)
            let cost = model.nanosecondsPerFrame(chosen, spec: spec)
            for first in FFTPartitionPlan.firstBlocks where first < taps {
                for growth in FFTPartitionPlan.growths {
                    let other = FFTPartitionPlan(receptiveField: taps, firstBlock: first, growth: growth)
                    #expect(cost <= model.nanosecondsPerFrame(other, spec: spec), "\(spec): \(chosen) over \(other)")
                }
            }
            let conv = Conv1d<Float>(spec: spec, weights: Conv1dWeights(defaultInitFor: spec, seed: 1), engine: .fft)
            #expect(conv.engine.details.layout == chosen.description)
            guard case let .fft(engine) = conv.engine else { Issue.record("\(spec) is not on the FFT engine"); continue }
            #expect(engine.plan == chosen && engine.plan == FFTPartitionPlan(spec: spec))
        }
    }

    /// Every candidate plan, on mono, grouped stereo and dense dilated filters with each
    /// padding mode: random chunkings (1-frame chunks among them) give the whole-signal output
    /// bit for bit, and that output is the direct engine's within rounding (a misplaced
    /// partition would be off by the size of the signal).
    @Test func everyCandidateKeepsTheBitsAndTheValues() throws {
        var rng = SeededGenerator(seed: 2026)
        let specs = [
            try Conv1dSpec(inChannels: 1, outChannels: 1, kernelSize: 3000, padding: .same, bias: true),
            try Conv1dSpec(inChannels: 2, outChannels: 2, kernelSize: 2100, padding: .same, groups: 2, paddingMode: .reflect),
            try Conv1dSpec(inChannels: 2, outChannels: 3, kernelSize: 700, padding: .samples(500), dilation: 3, bias: true, paddingMode: .circular),
        ]
        for spec in specs {
            let weights = Conv1dWeights<Float>(defaultInitFor: spec, seed: rng.next())
            let x = randomSignal(Float.self, channels: spec.inChannels, frames: spec.receptiveField + 1500, using: &rng)
            let direct = try Conv1d(spec: spec, weights: weights, engine: .direct).forward(x)
            // Every output is at most ‖h‖₁·max|x| + |bias| in size.
            let scale = (0..<spec.outChannels).map { o in
                (0..<spec.inChannelsPerGroup).reduce(Double(abs(weights.bias?[o] ?? 0))) { sum, i in
                    (0..<spec.kernelSize).reduce(sum) { $0 + Double(abs(weights.weight(out: o, in: i, tap: $1, spec: spec))) }
                }
            }
            for first in FFTPartitionPlan.firstBlocks {
                for growth in FFTPartitionPlan.growths {
                    let plan = FFTPartitionPlan(receptiveField: spec.receptiveField, firstBlock: first, growth: growth)
                    let conv = try #require(Conv1d(spec: spec, weights: weights, plan: plan))
                    #expect(conv.engine.details.layout == plan.description)
                    let whole = try conv.forward(x)
                    var worst = 0.0
                    for o in 0..<spec.outChannels {
                        for t in 0..<whole.frames { worst = max(worst, abs(Double(whole[o, t]) - Double(direct[o, t])) / scale[o]) }
                    }
                    #expect(worst < 1e-5, "\(spec) with \(plan): off the direct engine by \(worst)·‖h‖₁")
                    var stream = conv.makeStream(maxFrames: Int.random(in: 1...900, using: &rng))
                    let ones = Array(repeating: 1, count: 2 * first) + [x.frames - 2 * first]
                    let mismatch = ChunkEquivalence.check(&stream, signal: x, expected: .success(whole), chunkSizes: ones)
                        ?? ChunkEquivalence.check(&stream, signal: x, expected: .success(whole), trials: 2, using: &rng)
                    #expect(mismatch == nil, "\(spec) with \(plan): \(mismatch?.description ?? "")")
                }
            }
        }
    }

    /// A dense 2-channel 3000-tap filter: alone, each one-output lane would get another plan
    /// (fewer outputs weigh the transforms more), but lanes run their parent's, so the
    /// threaded output is the whole convolution's bit for bit.
    @Test func lanesRunTheirParentsPlan() throws {
        let spec = try Conv1dSpec(inChannels: 2, outChannels: 2, kernelSize: 3000, padding: .same, bias: true)
        let conv = Conv1d<Float>(spec: spec, seed: 8)
        let lanes = conv.lanes(2)
        #expect(lanes.count == 2)
        var rng = SeededGenerator(seed: 5)
        let x = randomSignal(Float.self, channels: 2, frames: 9000, using: &rng)
        let whole = try conv.forward(x)
        for lane in lanes {
            #expect(FFTPartitionPlan(spec: lane.conv.spec) != FFTPartitionPlan(spec: spec), "the lane would choose the same plan alone: the test proves nothing")
            #expect(lane.conv.engine.details.layout == conv.engine.details.layout)
            let input = Signal<Float>(lane.inputChannels.map { c in (0..<x.frames).map { x[c, $0] } })
            let y = try lane.conv.forward(input)
            let expected = Signal<Float>(lane.outputChannels.map { o in (0..<whole.frames).map { whole[o, $0] } })
            #expect(ChunkEquivalence.firstDifference(expected: expected, actual: y) == nil, "lane \(lane.outputChannels)")
        }
    }
}
