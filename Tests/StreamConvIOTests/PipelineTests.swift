import Foundation
import StreamConv
import StreamConvIO
import Testing

@Suite struct PipelineTests {
    func run(_ conv: Conv1d<Float>, input: Signal<Float>, mode: FilterPipeline.Mode, rate: Int = 48000, dir: TemporaryFolder, name: String = "out.wav") throws -> (Signal<Float>, RunSummary, SndFileSource) {
        let inPath = dir.path("in-\(name).wav")
        if !FileManager.default.fileExists(atPath: inPath) { _ = try writeFile(input, to: inPath, format: .f32, rate: rate) }
        let source = try SndFileSource(path: inPath)
        let outRate = try FilterPipeline.outputRate(inputRate: rate, stride: conv.spec.stride)
        let sink = try makeSink(dir.path(name), format: chosenFormat(dir.path(name), input: source.format, channels: conv.spec.outChannels, rate: outRate), channels: conv.spec.outChannels, rate: outRate)
        let summary = try FilterPipeline.run(source: source, sink: sink, stage: conv.makeStream(), mode: mode)
        let (y, out) = try readAll(dir.path(name))
        return (y, summary, out)
    }

    /// The file written by every block size and by the whole-signal call is bit for bit
    /// Conv1d.forward of the samples read, for every padding mode (circular goes through the
    /// spill file that puts its withheld first outputs first).
    @Test(arguments: PaddingMode.allCases)
    func fileOutputEqualsForwardForEveryBlockSize(mode: PaddingMode) throws {
        let dir = TemporaryFolder()
        defer { dir.cleanup() }
        let spec = try Conv1dSpec(inChannels: 2, outChannels: 3, kernelSize: 9, stride: 2, padding: .samples(6), dilation: 2, paddingMode: mode)
        let conv = Conv1d<Float>(spec: spec, seed: 11)
        var rng = SeededGenerator(seed: 2)
        let x = Signal<Float>((0..<2).map { _ in (0..<3001).map { _ in Float(rng.nextUnit() - 0.5) } })
        let expected = try conv.forward(x)
        for (i, mode) in [FilterPipeline.Mode.blocks(1), .blocks(7), .blocks(4096), .whole].enumerated() {
            let (y, summary, out) = try run(conv, input: x, mode: mode, dir: dir, name: "o\(i).wav")
            #expect(ChunkEquivalence.firstDifference(expected: expected, actual: y) == nil, "\(mode)")
            #expect(summary.inputFrames == 3001 && summary.outputFrames == Int64(expected.frames))
            #expect(out.sampleRate == 24000 && out.channels == 3)
        }
        #expect(!dir.contents.contains { $0.hasPrefix(".") }, "no temporary files left: \(dir.contents)")
    }

    @Test func summaryReportsLatencyAndRates() throws {
        let dir = TemporaryFolder()
        defer { dir.cleanup() }
        let spec = try Conv1dSpec(inChannels: 1, outChannels: 1, kernelSize: 63, padding: .same, bias: false)
        let (y, summary, _) = try run(Conv1d(spec: spec, seed: 1), input: Signal(channels: 1, frames: 4800, repeating: 0.1), mode: .blocks(256), dir: dir)
        #expect(summary.latencyFrames == 31)
        #expect(summary.line.hasPrefix("4800 frames in (1 ch @ 48000 Hz) → 4800 frames out (1 ch @ 48000 Hz), latency 31 frames (0.65 ms), "))
        // Every pipeline run meters its output: the peak is the largest sample written.
        let peak = (0..<y.frames).map { Double(y[0, $0].magnitude) }.max()!
        #expect(summary.outputPeak == peak)
        #expect(summary.line.hasSuffix("× real time, peak \(String(format: "%+.2f", 20 * log10(peak))) dBFS"))
    }

    @Test func rateNotDivisibleByStrideIsRefused() throws {
        #expect(throws: IOError.strideRate(rate: 44100, stride: 8)) { try FilterPipeline.outputRate(inputRate: 44100, stride: 8) }
        #expect(try FilterPipeline.outputRate(inputRate: 44100, stride: 3) == 14700)
    }

    @Test func compatibilityChecks() throws {
        let dir = TemporaryFolder()
        defer { dir.cleanup() }
        _ = try writeFile(Signal(channels: 1, frames: 10), to: dir.path("mono.wav"), format: .f32, rate: 44100)
        let source = try SndFileSource(path: dir.path("mono.wav"))
        let stereo = try Conv1dSpec(inChannels: 2, outChannels: 2, kernelSize: 1)
        #expect(throws: IOError.channels(path: dir.path("mono.wav"), got: 1, expected: 2)) {
            try FilterPipeline.checkCompatible(source, spec: stereo, presetRate: nil)
        }
        let mono = try Conv1dSpec(inChannels: 1, outChannels: 1, kernelSize: 1)
        #expect(throws: IOError.sampleRate(path: dir.path("mono.wav"), got: 44100, preset: 48000)) {
            try FilterPipeline.checkCompatible(source, spec: mono, presetRate: 48000)
        }
    }

    /// A run that fails (here: an input shorter than the kernel) leaves no file and keeps an old one.
    @Test(arguments: [FilterPipeline.Mode.blocks(4), .whole])
    func failedRunLeavesNoOutput(mode: FilterPipeline.Mode) throws {
        let dir = TemporaryFolder()
        defer { dir.cleanup() }
        let spec = try Conv1dSpec(inChannels: 1, outChannels: 1, kernelSize: 50)
        _ = try writeFile(Signal(channels: 1, frames: 20, repeating: 0.5), to: dir.path("short.wav"), format: .f32)
        try Data("previous".utf8).write(to: dir.url.appendingPathComponent("out.wav"))
        let source = try SndFileSource(path: dir.path("short.wav"))
        let sink = try makeSink(dir.path("out.wav"), format: source.format, channels: 1)
        #expect(throws: IOError.filter(Conv1dError.inputTooShort(paddedLength: 20, receptiveField: 50, inputLength: 20))) {
            try FilterPipeline.run(source: source, sink: sink, stage: Conv1d<Float>(spec: spec, seed: 1).makeStream(), mode: mode)
        }
        #expect(dir.contents == ["out.wav", "short.wav"])
        #expect(try Data(contentsOf: dir.url.appendingPathComponent("out.wav")) == Data("previous".utf8))
    }

    /// Raw float32 through pipes, in and out.
    @Test func rawStreamsThroughPipes() throws {
        var inPipe: [Int32] = [0, 0]
        var outPipe: [Int32] = [0, 0]
        #expect(pipe(&inPipe) == 0 && pipe(&outPipe) == 0)
        let spec = try Conv1dSpec(inChannels: 2, outChannels: 1, kernelSize: 3, padding: .same)
        let conv = Conv1d<Float>(spec: spec, seed: 5)
        var rng = SeededGenerator(seed: 9)
        let x = Signal<Float>((0..<2).map { _ in (0..<500).map { _ in Float(rng.nextUnit()) } })
        let bytes = x.interleaved.flatMap { v in withUnsafeBytes(of: v.bitPattern.littleEndian) { Array($0) } }
        let writeEnd = inPipe[1]
        let writer = Thread {
            bytes.withUnsafeBytes { _ = write(writeEnd, $0.baseAddress!, $0.count) }
            close(writeEnd)
        }
        writer.start()
        let summary = try FilterPipeline.run(
            source: RawSource(descriptor: inPipe[0], channels: 2, sampleRate: 8000),
            sink: RawSink(descriptor: outPipe[1]), stage: conv.makeStream(), mode: .blocks(64))
        close(outPipe[1])
        var out = [UInt8](repeating: 0, count: 4000)
        var got = 0
        while true {
            let n = out.withUnsafeMutableBytes { read(outPipe[0], $0.baseAddress! + got, 4000 - got) }
            if n <= 0 { break }
            got += n
        }
        close(inPipe[0]); close(outPipe[0])
        #expect(summary.outputFrames == 500 && got == 2000)
        let y = (0..<500).map { i in Float(bitPattern: out[(4 * i)..<(4 * i + 4)].reversed().reduce(0) { $0 << 8 | UInt32($1) }) }
        #expect(Signal([y]).bitwiseEquals(Signal([try conv.forward(x).channel(0)])))
    }

    @Test func rawInputEndingMidFrameIsAnError() throws {
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        _ = [UInt8](repeating: 0, count: 10).withUnsafeBytes { write(fds[1], $0.baseAddress!, 10) }
        close(fds[1])
        defer { close(fds[0]) }
        let source = RawSource(descriptor: fds[0], channels: 2, sampleRate: 8000)
        var buffer = Signal<Float>(channels: 2, capacity: 16)
        #expect(try source.read(into: &buffer) == 1)
        #expect(throws: IOError.partialFrame(bytes: 2, frameBytes: 8)) { try source.read(into: &buffer) }
    }
}

/// A file cut short while it is read: fewer frames arrive than it promised when opened.
final class ShrinkingSource: AudioSource {
    let name = "shrinking.wav"
    let channels = 1
    let sampleRate = 8000
    let frameCount: Int64? = 1000
    private var left = 400

    func read(into signal: inout Signal<Float>) throws(IOError) -> Int {
        let n = min(left, signal.capacity)
        signal.setFrames(n)
        left -= n
        return n
    }

    func read(into signal: inout Signal<Double>) throws(IOError) -> Int {
        let n = min(left, signal.capacity)
        signal.setFrames(n)
        left -= n
        return n
    }
}

@Suite struct TruncationTests {
    @Test func fewerFramesThanPromisedWarnOrFail() throws {
        let dir = TemporaryFolder()
        defer { dir.cleanup() }
        let conv = Conv1d<Float>(spec: try Conv1dSpec(inChannels: 1, outChannels: 1, kernelSize: 3), seed: 1)
        let format = SndFileFormat(major: 0x010000, subtype: 0x0006)
        let summary = try FilterPipeline.run(source: ShrinkingSource(), sink: makeSink(dir.path("w.wav"), format: format, channels: 1, rate: 8000), stage: conv.makeStream(), mode: .blocks(64))
        #expect(summary.inputFrames == 400 && summary.promisedFrames == 1000)
        #expect(summary.truncationWarning?.hasPrefix("warning: the input's header promises 1000 frames but only 400 could be read") == true)
        #expect(throws: IOError.truncated(path: "shrinking.wav", promised: 1000, read: 400)) {
            try FilterPipeline.run(source: ShrinkingSource(), sink: makeSink(dir.path("s.wav"), format: format, channels: 1, rate: 8000), stage: conv.makeStream(), mode: .blocks(64), strict: true)
        }
        #expect(dir.contents == ["w.wav"])
    }
}
