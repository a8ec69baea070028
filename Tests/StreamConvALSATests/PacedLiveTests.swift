import Foundation
import StreamConv
import StreamConvALSA
import StreamConvLive
import StreamConvIO
import StreamConvTestSupport
import StreamConvALSATestSupport
import Testing

/// The live loop on a capture paced by the clock (``PacedCapture``), with a long filter's
/// large partitions on worker threads: the output is the offline output bit for bit, and
/// the run's deadline figures (per-period filter time, late blocks, xruns) are reported. Speed
/// is not asserted here (scripts/paced-live and scripts/bench measure it); what must hold
/// whatever the machine's load is the bits.
@Suite(.serialized) struct PacedLiveTests {
    func samples(_ frames: Int, seed: UInt64) -> [Int16] {
        var rng = SeededGenerator(seed: seed)
        return (0..<(2 * frames)).map { _ in Int16(truncatingIfNeeded: Int(rng.next() >> 50) - 8192) }
    }

    /// Runs `frames` paced frames through a 65,536-tap stereo filter at `period`; returns
    /// what the stats would say.
    func pacedRun(period: Int, frames: Int, seed: UInt64) throws -> String {
        let spec = try Conv1dSpec(inChannels: 2, outChannels: 2, kernelSize: 65536, padding: .samples(65535), groups: 2)
        let conv = Conv1d<Float>(spec: spec, weights: Conv1dWeights(defaultInitFor: spec, seed: 11), engine: .auto)
        let input = samples(frames, seed: seed)
        let capture = PacedCapture(samples: input, channels: 2, period: period, rate: 48000)
        let playback = RecordingPlayback(channels: 2)
        let counters = LiveCounters()
        let workers = PartitionWorkers(rate: 48000, counters: counters.workerCounters)
        defer { workers.stop() }
        let loop = LiveLoop(capture: capture, stage: conv.makeStream(maxFrames: period), destination: .playback(playback), rate: 48000,
                            frameLimit: Int64(frames), counters: counters, workers: workers)
        #expect(workers.threads == 2)
        let outcome = loop.run()
        #expect(outcome.error == nil && outcome.filterError == nil)
        let x = Signal<Float>(interleaved: input.map { Float($0) * 0x1p-15 }, channels: 2)
        let expected = try conv.forward(x)
        #expect(Signal(playback.frames).bitwiseEquals(expected), "period \(period): \(playback.frames.first?.count ?? 0) vs \(expected.frames) frames")
        let loads = counters.periodLoads.snapshot()
        #expect(loads.periods >= frames / period)
        return String(format: "period %d: %d periods, filter time %.1f%% median, %.1f%% 99th percentile, %.1f%% worst period; %d late blocks, %d periods over deadline, %d late reads, xruns %d",
                      period, loads.periods, loads.percentile(0.5), loads.percentile(0.99), Double(counters.worstLoadPPM.load(ordering: .relaxed)) / 1e4,
                      counters.lateBlocks, loads.overruns, capture.lateReads, counters.captureXruns.load(ordering: .relaxed) + counters.playbackXruns.load(ordering: .relaxed))
    }

    /// Periods of 32 and 256 frames, paced: live == offline, bit for bit.
    @Test(arguments: [32, 256])
    func pacedLongFilterEqualsOffline(period: Int) throws {
        let report = try pacedRun(period: period, frames: 48000, seed: UInt64(period))
        print("paced 65,536 taps, \(report)")
    }

    /// The same while the other core runs a busy-loop process: the bits hold; the late
    /// blocks and xruns are reported.
    @Test func pacedOnABusyMachine() throws {
        let busy = Process()
        busy.executableURL = URL(fileURLWithPath: "/bin/sh")
        busy.arguments = ["-c", "while :; do :; done"]
        try busy.run()
        defer {
            // SIGKILL: a shell in a busy loop may not be listening for SIGTERM.
            kill(busy.processIdentifier, SIGKILL)
            busy.waitUntilExit()
        }
        let report = try pacedRun(period: 64, frames: 48000, seed: 3)
        print("paced 65,536 taps, other core busy, \(report)")
    }
}
