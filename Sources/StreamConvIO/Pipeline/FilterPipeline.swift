import Dispatch
import Foundation
import StreamConv

/// Source → stage → sink.
public enum FilterPipeline {
    /// How the signal goes through the stage.
    public enum Mode: Sendable, Equatable {
        /// The stage streamed in blocks of this many frames.
        case blocks(Int)
        /// One whole-signal call (``Stage/wholeSignal(_:maxSegments:)``).
        case whole

        /// The chunk a stage for this mode is prepared for (a whole-signal call makes its own).
        public var maxFrames: Int {
            if case let .blocks(n) = self { n } else { 1 }
        }
    }

    /// The output rate for `inputRate` and `stride`.
    /// - Throws: ``IOError/strideRate(rate:stride:)`` when it is not a whole number.
    public static func outputRate(inputRate: Int, stride: Int) throws(IOError) -> Int {
        do {
            return try Conv1dSpec.rateRule(inputRate: inputRate, stride: stride)
        } catch {
            throw .strideRate(rate: inputRate, stride: stride)
        }
    }

    /// Checks a source against a filter: channel count, rate when the preset names one, and
    /// (unless raw output, where no rate is written) a whole output rate.
    public static func checkCompatible(_ source: any AudioSource, spec: Conv1dSpec, presetRate: Int?, requireWholeOutputRate: Bool = true) throws(IOError) {
        if source.channels != spec.inChannels {
            throw .channels(path: source.name, got: source.channels, expected: spec.inChannels)
        }
        if let presetRate, presetRate != source.sampleRate {
            throw .sampleRate(path: source.name, got: source.sampleRate, preset: presetRate)
        }
        if requireWholeOutputRate { _ = try outputRate(inputRate: source.sampleRate, stride: spec.stride) }
    }

    /// Filters everything `source` gives through `stage` into `sink` and commits it; on any
    /// error the sink is abandoned (no output file) and the error rethrown. The summary
    /// carries the output's peak, measured before the sink quantises it.
    /// - Parameters:
    ///   - stage: what filters; the pipeline prepares it (or its lanes) for the block size.
    ///   - threads: the most threads to filter on: lanes in block mode (``Stage/lanes(_:)``),
    ///     segments for `.whole` (``Stage/wholeSignal(_:maxSegments:)``). The output is the
    ///     same, bit for bit, for any count.
    ///   - strict: a source that delivers fewer frames than its header promised is an error
    ///     (``IOError/truncated(path:promised:read:)``) instead of a warning in the summary.
    ///   - wholeLimit: the most input frames `.whole` reads before refusing (memory).
    ///   - keepTail: false drops the outputs that need padding past the input's end
    ///     (``Stage/outputsBeforeTail(inputLength:)``): an impulse response's full
    ///     convolution cut to the input's length. Meant for zero padding.
    ///   - progress: called after each block with the input frames read so far.
    // Pre-specialised: the CLI calls this from another module, where the generic body would
    // otherwise run per sample through witness tables.
    @_specialize(where S == StreamingConv1d<Float>)
    @_specialize(where S == StreamingConv1d<Double>)
    public static func run<S: Stage & ~Copyable>(
        source: any AudioSource, sink: any AudioSink, stage: consuming S, mode: Mode, threads: Int = 1,
        strict: Bool = false, wholeLimit: Int64 = .max, keepTail: Bool = true,
        progress: (Int64) -> Void = { _ in }
    ) throws(IOError) -> RunSummary where S.Scalar: AudioSample {
        let start = ContinuousClock.now
        // The summary's peak is measured here, on every run, before the sink quantises.
        let sink = MeteredSink(sink)
        let (inputChannels, outputChannels, ratio, latency) = (stage.inputChannels, stage.outputChannels, stage.rateRatio, stage.latency)
        do throws(IOError) {
            if source.channels != inputChannels {
                throw IOError.channels(path: source.name, got: source.channels, expected: inputChannels)
            }
            var nonFinite = 0
            let (inFrames, outFrames) = switch mode {
            case let .blocks(size):
                try streamed(source: source, sink: sink, stage: stage, block: size, threads: threads, keepTail: keepTail, nonFinite: &nonFinite, progress: progress)
            case .whole:
                try whole(source: source, sink: sink, stage: stage, limit: wholeLimit, threads: threads, keepTail: keepTail, nonFinite: &nonFinite, progress: progress)
            }
            let promised = source.promisedFrames.flatMap { $0 > inFrames ? $0 : nil }
            if strict, let promised { throw IOError.truncated(path: source.name, promised: promised, read: inFrames) }
            try sink.commit()
            let elapsed = ContinuousClock.now - start
            return RunSummary(
                inputFrames: inFrames, outputFrames: outFrames,
                inputRate: source.sampleRate, outputRate: ratio.outputRate(inputRate: source.sampleRate),
                inputChannels: inputChannels, outputChannels: outputChannels,
                latencyFrames: latency,
                seconds: elapsed.inSeconds,
                clippedSamples: sink.clippedSamples,
                nonFiniteInput: nonFinite, nanWrittenAsZero: sink.nanWrittenAsZero,
                promisedFrames: promised,
                outputPeak: sink.peak, overs: sink.overs)
        } catch {
            sink.abandon()
            throw error
        }
    }

    /// Runs a filter call, reporting its refusal (a too short signal, say) as an I/O error.
    private static func filtering<R>(_ body: () throws(Conv1dError) -> R) throws(IOError) -> R {
        do {
            return try body()
        } catch {
            throw .filter(error)
        }
    }

    /// Frames read at a time in block mode: reads are this large whatever the processing
    /// block, and the threads get this much work per hand-off.
    public static let readFrames = 16384

    private static func streamed<S: Stage & ~Copyable>(
        source: any AudioSource, sink: any AudioSink, stage: consuming S, block: Int, threads: Int, keepTail: Bool, nonFinite: inout Int, progress: (Int64) -> Void
    ) throws(IOError) -> (Int64, Int64) where S.Scalar: AudioSample {
        typealias T = S.Scalar
        let (inputChannels, outputChannels) = (stage.inputChannels, stage.outputChannels)
        let chunk = block * max(1, readFrames / block)
        let stream = ParallelStream(stage, threads: threads, block: block, chunk: chunk)
        // Two input buffers: the workers filter one chunk while this thread writes the
        // previous chunk's output and reads the next. Not for a pipe (no known length): its
        // outputs go out as soon as its frames arrive, never held back for the next read.
        let readAhead = source.frameCount != nil
        var inputs = [Signal<T>(channels: inputChannels, capacity: chunk), Signal<T>(channels: inputChannels, capacity: chunk)]
        var output = Signal<T>(channels: outputChannels, capacity: stream.maxOutputFramesPerChunk)
        let spill = stream.withholdsHead ? try SpillFile(channels: outputChannels) : nil
        var outFrames: Int64 = 0
        var running = false
        var current = 0
        // Outputs are written on a thread of their own for files (pipes keep writing in line,
        // so each output leaves as soon as it exists).
        let writer = ChunkWriter<T>(sink: sink, spill: spill, background: readAhead)
        // However the loop ends (a read or write error), no worker or write is left running.
        defer {
            if running { stream.join() }
            writer.drain()
        }
        // Gathers the chunk in flight into `output`.
        func collect() throws(IOError) {
            try Self.filtering { () throws(Conv1dError) in try stream.wait(into: &output) }
            running = false
            progress(stream.inputFrames)
        }
        while true {
            let got = try T.read(from: source, into: &inputs[current])
            // With read-ahead the chunk in flight is the previous one, collected after the read;
            // without, the one just started, collected at once.
            let ready = running || (got > 0 && !readAhead)
            if running { try collect() }
            if got > 0 {
                nonFinite += inputs[current].nonFiniteCount
                stream.start(inputs[current])
                running = true
                if !readAhead { try collect() }
            }
            if ready {
                try writer.write(output)
                outFrames += Int64(output.frames)
            }
            if got == 0 { break }
            current ^= 1
        }
        try writer.finish()
        let end = try Self.filtering { () throws(Conv1dError) in try stream.finish() }
        if let spill {
            try T.write(end.head, to: sink)
            try spill.replay(as: T.self, into: sink, block: chunk)
        }
        guard keepTail else { return (stream.inputFrames, outFrames + Int64(end.head.frames)) }
        try T.write(end.tail, to: sink)
        return (stream.inputFrames, outFrames + Int64(end.head.frames + end.tail.frames))
    }

    private static func whole<S: Stage & ~Copyable>(
        source: any AudioSource, sink: any AudioSink, stage: borrowing S, limit: Int64, threads: Int, keepTail: Bool, nonFinite: inout Int, progress: (Int64) -> Void
    ) throws(IOError) -> (Int64, Int64) where S.Scalar: AudioSample {
        typealias T = S.Scalar
        let block = 65536
        let x = try source.readAll(as: T.self, block: block, limit: limit, progress: progress)
        nonFinite += x.nonFiniteCount
        // Segments (a convolution's are time segments with their halos) on up to `threads`
        // threads: the same bits as one call.
        let segments = try filtering { () throws(Conv1dError) in try stage.wholeSignal(x, maxSegments: max(1, threads)) }
        let y = segments.output { count, segment in DispatchQueue.concurrentPerform(iterations: count, execute: segment) }
        let frames = keepTail ? y.frames : min(y.frames, stage.outputsBeforeTail(inputLength: x.frames))
        var at = 0
        var piece = Signal<T>(channels: y.channels, capacity: min(block, frames))
        while at < frames {
            let n = min(block, frames - at)
            y.copyFrames(at..<(at + n), into: &piece)
            try T.write(piece, to: sink)
            at += n
        }
        return (Int64(x.frames), Int64(frames))
    }
}
