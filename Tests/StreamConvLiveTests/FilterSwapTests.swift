import Foundation
import StreamConv
import StreamConvIO
@testable import StreamConvLive
import StreamConvTestSupport
import Testing

/// Live filter swaps through the period processor and the swapper's thread: before the fade
/// the output is the old filter's offline output, after it the new one's, bit for bit, and
/// in it their documented mix; refused swaps leave the old filter running; no allocation on
/// the audio thread across a swap.
@Suite struct FilterSwapTests {
    static let rate = 48000

    /// Stereo noise, planar and as interleaved f32 capture bytes.
    static func input(frames: Int, seed: UInt64) -> (Signal<Float>, [Float]) {
        var rng = SeededGenerator(seed: seed)
        let interleaved = (0..<(2 * frames)).map { _ in Float(Double.random(in: -0.5..<0.5, using: &rng)) }
        return (Signal<Float>(interleaved: interleaved, channels: 2), interleaved)
    }

    /// A depthwise stereo filter of `taps` taps, causal (an impulse response's padding).
    static func filter(taps: Int, seed: UInt64, engine: Conv1dEngineChoice = .auto) throws -> Conv1d<Float> {
        let spec = try Conv1dSpec(inChannels: 2, outChannels: 2, kernelSize: taps, padding: .samples(taps - 1), groups: 2)
        return Conv1d<Float>(spec: spec, weights: Conv1dWeights(defaultInitFor: spec, seed: seed), engine: engine)
    }

    struct Run {
        var output: Signal<Float>
        var events: [FilterSwapper.Event]
        var swapFrame: Int
        var allocations: UInt64
    }

    /// `frames` frames through `old` in periods of `period`, asking at period `askAt` for the
    /// slot `make` builds; paced loosely (a sleep per period) so the swapper's thread keeps up
    /// as it would against a sound card.
    static func run(
        old: Conv1d<Float>, frames: Int, period: Int = 64, crossfade: Int, history: Int = 20_000,
        askAt: Int = 50, label: String = "B", seed: UInt64 = 1, oldWorkers: PartitionWorkers? = nil, loadLimit: Double = 70,
        make: @escaping FilterSwapper.Make
    ) throws -> Run {
        let (_, interleaved) = input(frames: frames, seed: seed)
        let counters = LiveCounters()
        let control = SwapControl(channels: 2, period: period, historyFrames: history, crossfadeFrames: crossfade)
        var processor = PeriodProcessor(stage: old.makeStream(maxFrames: period), period: period, capture: .f32, rate: rate,
                                        counters: counters, workers: oldWorkers, name: "A", swaps: control)
        let swapper = FilterSwapper(control: control, shape: processor.shape, counters: counters, rate: rate, running: "A", loadLimitPercent: loadLimit)
        var pieces: [Signal<Float>] = []
        var allocations: UInt64 = 0
        try interleaved.withUnsafeBytes { raw in
            var at = 0, periods = 0
            while at < frames {
                let n = min(period, frames - at)
                if periods == askAt { swapper.request(label, make: make) }
                // Only the audio thread's own work is counted (the swapper's thread allocates).
                allocations += try AllocationCount.of { try processor.filter(captured: raw.baseAddress! + at * 8, frames: n) }
                pieces.append(processor.ready.slice(0..<processor.ready.frames))
                at += n
                periods += 1
                // A swap waits for its measured periods; afterwards the run need not be slow.
                if periods > askAt && (swapper.busy || control.swaps.load(ordering: .relaxed) == 0) && periods < askAt + 5000 { usleep(150) }
            }
        }
        try processor.finish()
        repeat {
            pieces.append(processor.ready.slice(0..<processor.ready.frames))
        } while processor.nextTailChunk()
        swapper.stop()
        return Run(output: Signal.concatenating(pieces), events: swapper.events(), swapFrame: control.lastSwapFrame.load(ordering: .relaxed),
                   allocations: allocations)
    }

    /// Frames `range` of `actual` equal those of `expected`, bit for bit.
    static func same(_ actual: Signal<Float>, _ expected: Signal<Float>, _ range: Range<Int>) -> Bool {
        actual.slice(range).bitwiseEquals(expected.slice(range))
    }

    /// Same lengths, and a longer new filter (its tail, longer than the first filter's
    /// buffers, is delivered in parts).
    /// `old`'s offline output mixed into `new`'s over the fade beginning at output `start`
    /// (`crossfade` frames), for outputs `start ..< start + count`: the documented gain.
    static func fade(old: Signal<Float>, new: Signal<Float>, start: Int, count: Int, crossfade: Int) -> Signal<Float> {
        var mixed = new.slice(start..<(start + count))
        for c in 0..<mixed.channels {
            for k in 0..<count {
                let g = Float(k + 1) / Float(crossfade + 1)
                mixed[c, k] = old[c, start + k] * (1 - g) + new[c, start + k] * g
            }
        }
        return mixed
    }

    /// `old` through a processor with swaps, in periods of `period` (the input made from
    /// `seed`), with a slot of `new` joined by hand at input frame `joinAt` and offered when
    /// `offerAt` frames are in (no swapper thread): everything delivered, tail included.
    static func runWithOffer(
        old: Conv1d<Float>, new: Conv1d<Float>, frames: Int, period: Int, crossfade: Int, history: Int,
        joinAt: Int, offerAt: Int, seed: UInt64
    ) throws -> (output: Signal<Float>, control: SwapControl, slot: StageSlot) {
        let (x, interleaved) = input(frames: frames, seed: seed)
        let control = SwapControl(channels: 2, period: period, historyFrames: history, crossfadeFrames: crossfade)
        var processor = PeriodProcessor(stage: old.makeStream(maxFrames: period), period: period, capture: .f32, rate: rate,
                                        counters: LiveCounters(), name: "A", swaps: control)
        let slot = StageSlot(name: "B", stage: new.makeStream(maxFrames: period))
        slot.prepare(period: period)
        try slot.stage.join(history: x.slice(0..<joinAt), endingAt: Int64(joinAt))
        slot.position = Int64(joinAt)
        var pieces: [Signal<Float>] = []
        try interleaved.withUnsafeBytes { raw in
            var at = 0
            while at < frames {
                if at == offerAt { #expect(control.offer(slot)) }
                let n = min(period, frames - at)
                try processor.filter(captured: raw.baseAddress! + at * 8, frames: n)
                pieces.append(processor.ready.slice(0..<processor.ready.frames))
                at += n
            }
        }
        try processor.finish()
        repeat {
            pieces.append(processor.ready.slice(0..<processor.ready.frames))
        } while processor.nextTailChunk()
        return (Signal.concatenating(pieces), control, slot)
    }

    @Test(arguments: [(255, 255, 0), (255, 255, 2400), (5000, 5000, 1000), (255, 3000, 500)])
    func outputIsOldThenMixedThenNew(taps: Int, newTaps: Int, crossfade: Int) throws {
        let frames = 30_000
        let (a, b) = (try Self.filter(taps: taps, seed: 1), try Self.filter(taps: newTaps, seed: 2))
        let (oldWorkers, newWorkers) = taps >= 1024 ? (PartitionWorkers(rate: Self.rate), PartitionWorkers(rate: Self.rate)) : (nil, nil)
        defer { newWorkers?.stop() }
        let run = try Self.run(old: a, frames: frames, crossfade: crossfade, oldWorkers: oldWorkers) {
            StageSlot(name: "B", stage: b.makeStream(maxFrames: 64), workers: newWorkers)
        }
        let (x, _) = Self.input(frames: frames, seed: 1)
        let (oldOut, newOut) = (try a.forward(x), try b.forward(x))
        let s = run.swapFrame
        try #require(s > 0, "no swap: \(run.events)")
        #expect(run.events.map(\.description) == ["swapped to B at output frame \(s)" + (crossfade > 0 ? " (crossfade of \(crossfade) frames)" : " (cut)")])
        #expect(run.output.frames == newOut.frames)
        #expect(Self.same(run.output, oldOut, 0..<s), "before the fade at \(s)")
        #expect(Self.same(run.output, newOut, (s + crossfade)..<newOut.frames), "after the fade at \(s)")
        // The fade: the two offline outputs mixed by the documented gain.
        let mixed = Self.fade(old: oldOut, new: newOut, start: s, count: crossfade, crossfade: crossfade)
        #expect(run.output.slice(s..<(s + crossfade)).bitwiseEquals(mixed), "in the fade")
        #expect(run.allocations == 0, "\(run.allocations) allocations on the audio thread")
        // The retired filter's workers were stopped by the swapper; the new filter's run.
        if let oldWorkers, let newWorkers {
            #expect(oldWorkers.threads == 0 && newWorkers.threads > 0, "workers: old \(oldWorkers.threads), new \(newWorkers.threads)")
        }
    }

    /// An offer joined some periods before it is taken is caught up from the history on the
    /// audio thread (up to `maxGap` frames); one further behind is handed back, stale, and
    /// the old filter goes on.
    @Test(arguments: [0, 1, 3, 4, 5, 9])
    func takeOverFeedsTheGapOrHandsBack(lagPeriods: Int) throws {
        let (frames, period, crossfade) = (8000, 64, 100)
        let (a, b) = (try Self.filter(taps: 127, seed: 1), try Self.filter(taps: 127, seed: 2))
        let joinAt = 20 * period
        let s = joinAt + lagPeriods * period
        let (output, control, slot) = try Self.runWithOffer(old: a, new: b, frames: frames, period: period, crossfade: crossfade, history: 4000,
                                                            joinAt: joinAt, offerAt: s, seed: 3)
        let (x, _) = Self.input(frames: frames, seed: 3)
        let (oldOut, newOut) = (try a.forward(x), try b.forward(x))
        if lagPeriods * period <= control.maxGap {
            #expect(control.lastSwapFrame.load(ordering: .relaxed) == s)
            #expect(Self.same(output, oldOut, 0..<s))
            #expect(Self.same(output, newOut, (s + crossfade)..<frames))
            let returned = try #require(control.takeReturned())
            #expect(returned !== slot && !returned.stale)
        } else {
            #expect(control.lastSwapFrame.load(ordering: .relaxed) == -1)
            #expect(output.bitwiseEquals(oldOut))
            let returned = try #require(control.takeReturned())
            #expect(returned === slot && returned.stale && control.staleOffers.load(ordering: .relaxed) == 1)
        }
    }

    /// Swaps that cannot keep the output's timeline are refused, with the reason, and the old
    /// filter's output goes on, bit for bit.
    @Test(arguments: ["channels", "latency", "history", "build"])
    func refusedSwapKeepsTheOldFilter(kind: String) throws {
        struct Broken: Error, CustomStringConvertible { var description: String { "preset 'nope' not found" } }
        let frames = 12_000
        let a = try Self.filter(taps: 63, seed: 1)
        let run = try Self.run(old: a, frames: frames, crossfade: 480, history: 2000) {
            switch kind {
            case "channels":
                let spec = try Conv1dSpec(inChannels: 2, outChannels: 1, kernelSize: 63, padding: .samples(62))
                return StageSlot(name: "mono", stage: Conv1d<Float>(spec: spec, seed: 3).makeStream(maxFrames: 64))
            case "latency":
                let spec = try Conv1dSpec(inChannels: 2, outChannels: 2, kernelSize: 63, padding: .samples(31), groups: 2)
                return StageSlot(name: "centred", stage: Conv1d<Float>(spec: spec, seed: 3).makeStream(maxFrames: 64))
            case "history":
                return StageSlot(name: "long", stage: try Self.filter(taps: 4000, seed: 3).makeStream(maxFrames: 64))
            default:
                throw Broken()
            }
        }
        let (x, _) = Self.input(frames: frames, seed: 1)
        #expect(run.swapFrame == -1)
        #expect(run.output.bitwiseEquals(try a.forward(x)))
        let message = try #require(run.events.first).description
        #expect(run.events.count == 1)
        #expect(message.hasPrefix("swap to B refused: ") && message.hasSuffix("; still running A"), "\(message)")
        let reason = ["channels": "channels", "latency": "latency", "history": "--swap-history", "build": "preset 'nope' not found"][kind]!
        #expect(message.contains(reason), "\(message)")
    }

    /// Two filters that together need more of a period than allowed are refused after the
    /// new one's cost is measured, before any fade: the old filter's output goes on.
    @Test func tooSlowForTheFadeIsRefused() throws {
        let a = try Self.filter(taps: 63, seed: 1)
        let b = try Self.filter(taps: 2000, seed: 2)
        let run = try Self.run(old: a, frames: 12_000, crossfade: 480, loadLimit: 0.001) {
            StageSlot(name: "B", stage: b.makeStream(maxFrames: 64))
        }
        let (x, _) = Self.input(frames: 12_000, seed: 1)
        #expect(run.swapFrame == -1)
        #expect(run.output.bitwiseEquals(try a.forward(x)))
        let message = try #require(run.events.first).description
        #expect(message.contains("together during the crossfade, over the 0% allowed") && message.hasSuffix("still running A"), "\(message)")
    }

    /// A run that ends during the fade flushes both filters' tails through the same mix: the
    /// output is the old filter's before the fade and the mix of both offline outputs in it.
    @Test func runEndingInTheFadeMixesTheTails() throws {
        let (frames, period, crossfade, taps) = (4000, 64, 3000, 200)
        let (a, b) = (try Self.filter(taps: taps, seed: 1), try Self.filter(taps: taps, seed: 2))
        let joinAt = 30 * period
        let (output, control, _) = try Self.runWithOffer(old: a, new: b, frames: frames, period: period, crossfade: crossfade, history: 2000,
                                                         joinAt: joinAt, offerAt: joinAt, seed: 3)
        let (x, _) = Self.input(frames: frames, seed: 3)
        let (oldOut, newOut) = (try a.forward(x), try b.forward(x))
        #expect(output.frames == oldOut.frames && joinAt + crossfade > output.frames)
        #expect(Self.same(output, oldOut, 0..<joinAt))
        let mixed = Self.fade(old: oldOut, new: newOut, start: joinAt, count: newOut.frames - joinAt, crossfade: crossfade)
        #expect(output.slice(joinAt..<output.frames).bitwiseEquals(mixed))
        // The fade never ended, but the run did: the old filter was handed back all the same.
        #expect(control.takeReturned() != nil)
    }

    /// The history returns exactly the frames appended, across its wrap, and refuses frames
    /// no longer kept.
    @Test func historyKeepsTheRecentPast() {
        let history = InputHistory(channels: 2, capacity: 100, maxAppend: 16)
        var at = 0
        var chunk = Signal<Float>(channels: 2, capacity: 16)
        while at < 1000 {
            let n = 1 + at % 16
            chunk.setFrames(n)
            for c in 0..<2 { for i in 0..<n { chunk[c, i] = Float(c * 10_000 + at + i) } }
            history.append(chunk)
            at += n
        }
        var out = Signal<Float>(channels: 2, capacity: 100)
        #expect(history.frames == Int64(at))
        #expect(history.read(Int64(at - 84)..<Int64(at), into: &out))
        #expect(out.frames == 84 && out[0, 0] == Float(at - 84) && out[1, 83] == Float(10_000 + at - 1))
        #expect(!history.read(Int64(at - 85)..<Int64(at), into: &out))
    }
}
