import Foundation
import StreamConv
@testable import StreamConvALSA
import StreamConvLive
import StreamConvIO
import StreamConvTestSupport
import StreamConvALSATestSupport
import Testing

@Suite struct LiveLoopTests {
    let spec = try! Conv1dSpec(inChannels: 2, outChannels: 2, kernelSize: 9, stride: 2, padding: .samples(4), dilation: 2, groups: 2)
    var conv: Conv1d<Float> { Conv1d(spec: spec, seed: 7) }

    func samples(_ frames: Int) -> [Int16] {
        var rng = SeededGenerator(seed: 3)
        return (0..<(2 * frames)).map { _ in Int16(truncatingIfNeeded: Int(rng.next() >> 48)) }
    }

    /// What an offline run gives for the delivered samples, read as libsndfile reads 16 bits.
    func offline(_ samples: [Int16]) throws -> Signal<Float> {
        let x = Signal<Float>(interleaved: samples.map { Float($0) * 0x1p-15 }, channels: 2)
        return try conv.forward(x)
    }

    /// Every recoverable fault, in capture and in playback: the filtered stream stays
    /// continuous and bitwise equal to the offline run, and each fault is counted once.
    @Test(arguments: [64, 256, 1000])
    func faultsAreRecoveredAndTheOutputIsContinuous(period: Int) throws {
        let input = samples(5000)
        let script: [ScriptedCapture.Step] = [
            .frames(period), .fault(-EPIPE), .frames(3), .fault(-EAGAIN), .frames(1), .fault(-ESTRPIPE),
            .frames(period), .frames(7), .fault(-EPIPE), .frames(period),
        ]
        let capture = ScriptedCapture(samples: input, channels: 2, period: period, script: script)
        let playback = RecordingPlayback(channels: 2, faults: [2: -EPIPE, 5: -EAGAIN, 9: -ESTRPIPE])
        let counters = LiveCounters()
        let loop = LiveLoop(capture: capture, stage: conv.makeStream(), destination: .playback(playback), rate: 48000, frameLimit: 5000, counters: counters)
        let outcome = loop.run()
        #expect(outcome.error == nil && outcome.filterError == nil)
        let expected = try offline(input)
        #expect(Signal(playback.frames).bitwiseEquals(expected), "period \(period)")
        #expect(counters.captureXruns.load(ordering: .relaxed) == 2)
        #expect(counters.suspends.load(ordering: .relaxed) == 2, "one capture and one playback suspend")
        #expect(counters.playbackXruns.load(ordering: .relaxed) == 1)
        #expect(playback.silence == 2 * playback.startThreshold, "refilled to the start threshold after the underrun and the suspend")
        #expect(capture.recoveries == [-Int(EPIPE), -Int(ESTRPIPE), -Int(EPIPE)])
        #expect(counters.framesIn.load(ordering: .relaxed) == 5000)
        #expect(counters.framesOut.load(ordering: .relaxed) == expected.frames)
        #expect(playback.drained)
    }

    /// A capture that delivers nothing for longer than max(8 periods, 200 ms) is counted as
    /// one stall (not one per wait), and the run carries on when it comes back.
    @Test func stallIsCountedOnceAndWaitedOut() throws {
        let input = samples(2000)
        let capture = ScriptedCapture(samples: input, channels: 2, period: 256, script: [.frames(256), .silentFor(milliseconds: 350), .frames(100), .silentFor(milliseconds: 50)])
        let playback = RecordingPlayback(channels: 2)
        let counters = LiveCounters()
        let loop = LiveLoop(capture: capture, stage: conv.makeStream(), destination: .playback(playback), rate: 48000, frameLimit: 2000, counters: counters)
        #expect(loop.stallMilliseconds == 200)
        let outcome = loop.run()
        #expect(outcome.error == nil)
        #expect(counters.stalls.load(ordering: .relaxed) == 1)
        #expect(Signal(playback.frames).bitwiseEquals(try offline(input)))
    }

    /// A device that disappears ends the run with a clear error; what was filtered so far is
    /// a prefix of the offline output, followed by the filter's tail for the frames delivered.
    @Test func lostDeviceEndsTheRunAndKeepsTheOutput() throws {
        let input = samples(3000)
        let capture = ScriptedCapture(samples: input, channels: 2, period: 256, script: [.frames(256), .frames(256), .fault(-ENODEV)])
        let playback = RecordingPlayback(channels: 2)
        let loop = LiveLoop(capture: capture, stage: conv.makeStream(), destination: .playback(playback), rate: 48000, counters: LiveCounters())
        let outcome = loop.run()
        #expect(outcome.error == .lost(device: "scripted", direction: "capture", code: -ENODEV))
        #expect(outcome.error?.description == "capture \"scripted\" stopped working: No such device; the output so far was kept")
        #expect(Signal(playback.frames).bitwiseEquals(try offline(Array(input[0..<(2 * 512)]))))
    }

    /// Output into a ring (the file path): the same frames, popped on another thread.
    @Test func ringDeliversTheSameFrames() throws {
        let input = samples(4000)
        let capture = ScriptedCapture(samples: input, channels: 2, period: 100, script: [.frames(33), .fault(-EPIPE)])
        let ring = FrameRing(channels: 2, capacity: 8192)
        let loop = LiveLoop(capture: capture, stage: conv.makeStream(), destination: .ring(ring), rate: 48000, frameLimit: 4000, counters: LiveCounters())
        _ = loop.run()
        var out = Signal<Float>(channels: 2, capacity: 8192)
        #expect(ring.isClosed)
        _ = ring.pop(into: &out)
        #expect(out.bitwiseEquals(try offline(input)))
    }

    /// A long filter on the FFT engine (24,576 taps per channel: classes of 256 and 2048
    /// samples) through capture faults and odd read sizes: the live output is the offline
    /// output bit for bit.
    @Test(arguments: [64, 256])
    func fftFilterLiveEqualsOffline(period: Int) throws {
        let long = try Conv1dSpec(inChannels: 2, outChannels: 2, kernelSize: 24576, padding: .samples(24575), groups: 2, bias: false)
        let fft = Conv1d<Float>(spec: long, weights: Conv1dWeights(defaultInitFor: long, seed: 21), engine: .auto)
        #expect(fft.engine.details.layout?.hasSuffix("15×256 + 10×2048") == true, "\(fft.engine.details)")
        let input = samples(20000)
        let script: [ScriptedCapture.Step] = [.frames(period), .fault(-EPIPE), .frames(3), .frames(1), .frames(period), .frames(77)]
        let capture = ScriptedCapture(samples: input, channels: 2, period: period, script: script)
        let playback = RecordingPlayback(channels: 2)
        let loop = LiveLoop(capture: capture, stage: fft.makeStream(), destination: .playback(playback), rate: 48000, frameLimit: 20000, counters: LiveCounters())
        let outcome = loop.run()
        #expect(outcome.error == nil && outcome.filterError == nil)
        let x = Signal<Float>(interleaved: input.map { Float($0) * 0x1p-15 }, channels: 2)
        let expected = try fft.forward(x)
        #expect(Signal(playback.frames).bitwiseEquals(expected), "period \(period): \(playback.frames.first?.count ?? 0) vs \(expected.frames) frames")
    }

    /// A stage that fails mid-run (here one whose output bound is too small for its outputs)
    /// ends the run as a filter error, not as a lost device.
    @Test func aFailingStageIsAFilterError() throws {
        let capture = ScriptedCapture(samples: samples(3000), channels: 2, period: 256, script: [])
        let playback = RecordingPlayback(channels: 2)
        let loop = LiveLoop(capture: capture, stage: AlteredStream(conv.makeStream(), fault: .outputBound(1)), destination: .playback(playback), rate: 48000, counters: LiveCounters())
        let outcome = loop.run()
        #expect(outcome.error == nil)
        let needed = conv.makeStream().outputFrameCount(afterProcessing: 256)
        // The processor's buffer holds what the stage promised: the bound, or its tail bound.
        let capacity = max(1, conv.makeStream().finishBound.tail)
        #expect(outcome.filterError == .outputCapacity(needed: needed, capacity: capacity), "\(String(describing: outcome.filterError))")
        #expect(playback.drained)
    }

    /// After set-up, periods of the live loop allocate nothing: a run four times as long
    /// makes exactly as many allocations (those of building the result at the end), with a
    /// short filter on the direct engine and a long one on the FFT engine.
    @Test(arguments: [false, true])
    func periodsAllocateNothing(long: Bool) throws {
        let longSpec = try Conv1dSpec(inChannels: 2, outChannels: 2, kernelSize: 4096, padding: .same, groups: 2)
        let filter = long ? Conv1d<Float>(spec: longSpec, weights: Conv1dWeights(defaultInitFor: longSpec, seed: 4), engine: .fft) : conv
        func allocations(frames: Int) -> (UInt64, Int) {
            let capture = ScriptedCapture(samples: samples(frames), channels: 2, period: 128, script: [.frames(128), .fault(-EPIPE), .frames(5)])
            let counters = LiveCounters()
            let loop = LiveLoop(capture: capture, stage: filter.makeStream(), destination: .ring(FrameRing(channels: 2, capacity: frames + 4096)), rate: 48000,
                                frameLimit: Int64(frames), counters: counters)
            var outcome: LiveOutcome?
            let count = AllocationCount.of { outcome = loop.run() }
            #expect(outcome?.error == nil)
            return (count, counters.framesIn.load(ordering: .relaxed))
        }
        #expect(filter.engine.kind == (long ? .fft : .direct))
        _ = allocations(frames: 300) // the runtime instantiates some metadata once per process
        let short = allocations(frames: 5000)
        let long = allocations(frames: 20000)
        #expect(short.1 == 5000 && long.1 == 20000)
        #expect(long.0 == short.0, "\(short.0) allocations for 5000 frames, \(long.0) for 20000")
        // The result's levels: peaks and RMS since the start and over the last interval.
        #expect(long.0 <= 5)
    }
}

/// Device samples are read exactly as libsndfile reads the same bytes from a WAV file, for
/// every integer format (so live and offline runs agree), and written back exactly.
@Suite struct SampleEncodingTests {
    /// A WAV of `bits`-bit PCM holding `payload` as its data, written byte by byte.
    func wav(_ payload: [UInt8], bits: Int, channels: Int) -> Data {
        var d = Data()
        func u32(_ v: Int) { withUnsafeBytes(of: UInt32(v).littleEndian) { d.append(contentsOf: $0) } }
        func u16(_ v: Int) { withUnsafeBytes(of: UInt16(v).littleEndian) { d.append(contentsOf: $0) } }
        let block = channels * bits / 8
        d.append(contentsOf: Array("RIFF".utf8)); u32(36 + payload.count); d.append(contentsOf: Array("WAVE".utf8))
        d.append(contentsOf: Array("fmt ".utf8)); u32(16); u16(1); u16(channels); u32(48000); u32(48000 * block); u16(block); u16(bits)
        d.append(contentsOf: Array("data".utf8)); u32(payload.count)
        d.append(contentsOf: payload)
        return d
    }

    @Test(arguments: [SampleEncoding.s16, .s24, .s32])
    func decodeMatchesLibsndfile(format: SampleEncoding) throws {
        var rng = SeededGenerator(seed: 11)
        let frames = 500
        var payload = (0..<(frames * 2 * format.bytes)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        // The extremes too.
        for (i, byte) in [UInt8](repeating: 0xFF, count: format.bytes).enumerated() { payload[i] = byte }
        payload[format.bytes * 2 - 1] = 0x80
        for i in 0..<(format.bytes - 1) { payload[format.bytes + i] = 0 }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("codec-\(UUID().uuidString).wav").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try wav(payload, bits: format.bytes * 8, channels: 2).write(to: URL(fileURLWithPath: path))
        let source = try SndFileSource(path: path)
        let reference = try source.readAll()
        var decoded = Signal<Float>(channels: 2, capacity: frames)
        payload.withUnsafeBytes { format.decode($0.baseAddress!, frames: frames, into: &decoded) }
        #expect(decoded.bitwiseEquals(reference), "\(format)")
        // Encoding the decoded values gives the bytes back.
        var quantizer: Quantizer? = Quantizer(bits: format.bytes * 8)
        var bytes = [UInt8](repeating: 0, count: payload.count)
        bytes.withUnsafeMutableBytes { format.encode(decoded, start: 0, quantizer: &quantizer, into: $0.baseAddress!) }
        if format == .s32 {
            // Float keeps 24 bits of a 32-bit sample: compare within that resolution.
            #expect(quantizer?.clipped ?? 0 <= 1)
        } else {
            #expect(bytes == payload, "\(format)")
        }
    }
}

/// ALSA's names for the one sample-encoding type.
@Suite struct DeviceEncodingNameTests {
    @Test func alsaNamesRoundTrip() {
        #expect(SampleEncoding.alsaNames.map(\.name) == ["S16_LE", "S24_3LE", "S32_LE", "FLOAT_LE"])
        for (encoding, name) in SampleEncoding.alsaNames {
            #expect(SampleEncoding(alsaName: name) == encoding && encoding.alsaName == name)
        }
        #expect(SampleEncoding.f64.alsaName == nil && SampleEncoding(alsaName: "S8") == nil)
    }
}
