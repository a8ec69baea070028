import Dispatch
import Foundation
import StreamConv

/// What a run did, for the one-line summary.
public struct RunSummary: Sendable {
    /// Frames read from the source.
    public var inputFrames: Int64
    /// Frames written to the sink.
    public var outputFrames: Int64
    /// Source rate in Hz.
    public var inputRate: Int
    /// Sink rate in Hz (input rate / stride; fractional only for raw-to-raw runs).
    public var outputRate: Double
    /// Source channels.
    public var inputChannels: Int
    /// Sink channels.
    public var outputChannels: Int
    /// ``Stage/latency`` in input frames.
    public var latencyFrames: Int
    /// Wall-clock seconds spent.
    public var seconds: Double
    /// Samples clipped by an integer output format.
    public var clippedSamples: Int
    /// NaN or ±Inf samples in the input.
    public var nonFiniteInput: Int = 0
    /// NaN output samples written as 0 by an integer format.
    public var nanWrittenAsZero: Int = 0
    /// Frames the input's header promised, when more than were read (a truncated file).
    public var promisedFrames: Int64?

    /// Seconds of input per second of processing.
    public var realTimeFactor: Double {
        seconds > 0 ? Double(inputFrames) / Double(inputRate) / seconds : .infinity
    }

    /// One line: frames in and out, latency, time, real-time factor, then what went wrong
    /// (clipping, non-finite samples).
    public var line: String {
        let latencyMs = Double(latencyFrames) * 1000 / Double(inputRate)
        var text = "\(inputFrames) frames in (\(inputChannels) ch @ \(inputRate) Hz) → \(outputFrames) frames out (\(outputChannels) ch @ \(String(format: "%g", outputRate)) Hz)"
        text += ", latency \(latencyFrames) frames (\(String(format: "%.2f", latencyMs)) ms)"
        text += ", \(String(format: "%.3f", seconds)) s, \(String(format: "%.1f", realTimeFactor))× real time"
        if clippedSamples > 0 { text += ", \(clippedSamples) samples clipped" }
        if nonFiniteInput > 0 { text += ", \(nonFiniteInput) non-finite input samples (NaN/Inf)" }
        if nanWrittenAsZero > 0 { text += ", \(nanWrittenAsZero) NaN output samples written as 0" }
        return text
    }

    /// The warning for a truncated input, if it was.
    public var truncationWarning: String? {
        guard let promisedFrames, promisedFrames > inputFrames else { return nil }
        return "warning: the input's header promises \(promisedFrames) frames but only \(inputFrames) could be read (truncated file?); --strict makes this an error"
    }
}

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
    /// error the sink is abandoned (no output file) and the error rethrown.
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
                promisedFrames: promised)
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
        DispatchQueue.concurrentPerform(iterations: segments.segmentCount) { segments.run($0) }
        let y = segments.output()
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

/// Writes a stream's chunks to its sink (or spill file), on a serial queue of its own when
/// `background`, so writing one chunk overlaps filtering the next; at most a few chunks wait.
/// The first error stops the writing and is thrown by the next ``write(_:)`` or ``finish()``.
///
/// Unchecked Sendable: the sink and spill file are used only on the queue until ``drain()``
/// or ``finish()`` returns, and the error only under the lock.
private final class ChunkWriter<T: AudioSample>: @unchecked Sendable {
    let sink: any AudioSink
    let spill: SpillFile?
    let queue: DispatchQueue?
    let slots = DispatchSemaphore(value: 3)
    let lock = NSLock()
    var failure: IOError?

    init(sink: any AudioSink, spill: SpillFile?, background: Bool) {
        self.sink = sink
        self.spill = spill
        queue = background ? DispatchQueue(label: "streamconv.writer") : nil
    }

    private func put(_ chunk: Signal<T>) throws(IOError) {
        if let spill { try spill.append(chunk) } else { try T.write(chunk, to: sink) }
    }

    private var error: IOError? { lock.withLock { failure } }

    /// Writes `chunk` (in line, or queued: the chunk's storage is shared, not copied, until the
    /// caller writes into its buffer again).
    func write(_ chunk: Signal<T>) throws(IOError) {
        guard let queue else { return try put(chunk) }
        if let error { throw error }
        slots.wait()
        queue.async {
            defer { self.slots.signal() }
            guard self.error == nil else { return }
            do throws(IOError) {
                try self.put(chunk)
            } catch {
                self.lock.withLock { self.failure = error }
            }
        }
    }

    /// Waits for every queued chunk.
    func drain() {
        queue?.sync {}
    }

    /// Waits for every queued chunk and throws the first write error.
    func finish() throws(IOError) {
        drain()
        if let error { throw error }
    }
}

extension Signal {
    /// NaN and ±Inf samples among the valid frames. x − x is 0 for every finite x and NaN
    /// otherwise, so a row's sum of x − x, a vector at a time, is 0 unless the row holds a
    /// non-finite sample; only such rows are counted one sample at a time.
    var nonFiniteCount: Int {
        var count = 0
        let (frames, capacity) = (self.frames, self.capacity)
        withUnsafeBufferPointer { buffer in
            for c in 0..<channels {
                let row = buffer.baseAddress! + c * capacity
                var probe = SIMD16<T>.zero
                var i = 0
                while i + 16 <= frames {
                    let v = UnsafeRawPointer(row + i).loadUnaligned(as: SIMD16<T>.self)
                    probe += v - v
                    i += 16
                }
                var tail: T = 0
                for j in i..<frames { tail += row[j] - row[j] }
                if probe.sum() + tail != 0 {
                    for j in 0..<frames where !row[j].isFinite { count += 1 }
                }
            }
        }
        return count
    }
}
