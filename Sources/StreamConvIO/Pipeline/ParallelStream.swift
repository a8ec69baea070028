import Dispatch
import StreamConv

/// A stage cut into lanes (``Stage/lanes(_:)``), run side by side on threads (`run --threads`).
/// Each lane filters the chunk it is given in blocks of the processing block size; the lanes'
/// outputs are the whole stage's channels, so the result equals one stage's bit for bit.
///
/// For whole files, not for an audio thread: ``start(_:)`` hands a chunk to worker threads
/// and returns, ``wait(into:)`` gathers it, so the caller reads and writes meanwhile.
final class ParallelStream<S: Stage & ~Copyable> where S.Scalar: AudioSample {
    typealias T = S.Scalar

    /// One lane's stage and buffers; a class, so that lanes mutate only their own state when
    /// they run at the same time. Unchecked: a lane is only ever touched by one thread at a
    /// time (the worker running it, or the caller between runs).
    final class Lane: @unchecked Sendable {
        let lane: StageLane<S>
        /// One block of the lane's input channels.
        var block: Signal<T>
        /// The outputs of one block, then of the whole chunk.
        var blockOutput: Signal<T>
        var chunkOutput: Signal<T>
        var failure: Conv1dError?

        init(_ lane: StageLane<S>, block size: Int, chunk: Int) {
            self.lane = lane
            lane.stage.prepare(maxFrames: size)
            block = Signal(channels: lane.inputChannels.count, capacity: size)
            blockOutput = Signal(channels: lane.outputChannels.count, capacity: lane.stage.outputBound(inputFrames: size))
            // The blocks' outputs add up to at most the bound for the whole chunk.
            chunkOutput = Signal(channels: lane.outputChannels.count, capacity: lane.stage.outputBound(inputFrames: chunk))
        }

        /// Filters `input`'s frames in blocks into ``chunkOutput``.
        func process(_ input: Signal<T>, blockSize: Int) {
            chunkOutput.setFrames(0)
            var at = 0
            while at < input.frames && failure == nil {
                let n = min(blockSize, input.frames - at)
                input.copy(channels: lane.inputChannels, frames: at..<(at + n), into: &block)
                do {
                    try lane.stage.process(block, into: &blockOutput)
                } catch {
                    failure = error
                }
                blockOutput.copyFrames(0..<blockOutput.frames, into: &chunkOutput, at: chunkOutput.frames)
                at += n
            }
            frames += Int64(at)
        }

        /// Input frames filtered so far.
        private(set) var frames: Int64 = 0
    }

    let lanes: [Lane]
    /// The lanes of the chunk in flight.
    private let running = DispatchGroup()
    let outputChannels: Int
    let blockSize: Int
    /// The most input frames one ``start(_:)`` takes.
    let chunk: Int

    /// Lanes of `stage` (at most `threads`), filtering in blocks of `block` frames, given
    /// chunks of up to `chunk` frames.
    init(_ stage: consuming S, threads: Int, block: Int, chunk: Int) {
        outputChannels = stage.outputChannels
        blockSize = block
        self.chunk = chunk
        lanes = stage.lanes(max(1, threads)).map { Lane($0, block: block, chunk: chunk) }
    }

    /// Frames filtered so far.
    var inputFrames: Int64 { lanes[0].frames }
    /// Whether ``finish()`` can return outputs that belong before the first chunk's
    /// (``Stage/finishBound``): the caller then spills the chunks until the end.
    var withholdsHead: Bool { lanes[0].lane.stage.finishBound.head > 0 }
    /// An output capacity any chunk fits in.
    var maxOutputFramesPerChunk: Int { lanes[0].chunkOutput.capacity }

    /// Starts filtering `input` on worker threads and returns at once, so the caller can read
    /// the next chunk and write the previous one meanwhile; ``wait(into:)`` collects it. One
    /// chunk at a time.
    func start(_ input: Signal<T>) {
        let blockSize = self.blockSize
        for lane in lanes {
            DispatchQueue.global().async(group: running) { lane.process(input, blockSize: blockSize) }
        }
    }

    /// Waits for the chunk ``start(_:)`` began, if any, and drops it: no worker outlives a run
    /// that ends early.
    func join() {
        running.wait()
    }

    /// Waits for the chunk ``start(_:)`` began and gathers its outputs into `output`.
    /// - Throws: the first lane's error (all lanes see the same frames, so they fail alike).
    func wait(into output: inout Signal<T>) throws(Conv1dError) {
        running.wait()
        if let failure = lanes.lazy.compactMap(\.failure).first { throw failure }
        gather(\.chunkOutput, into: &output)
    }

    /// Ends every lane's signal: the whole stage's head and tail.
    func finish() throws(Conv1dError) -> StreamEnd<T> {
        var ends: [StreamEnd<T>] = []
        for lane in lanes { ends.append(try lane.lane.stage.finish()) }
        let pieces = zip(lanes, ends)
        var head = Signal<T>(channels: outputChannels, capacity: ends[0].head.frames)
        var tail = Signal<T>(channels: outputChannels, capacity: ends[0].tail.frames)
        for (lane, end) in pieces {
            end.head.copy(channels: 0..<end.head.channels, frames: 0..<end.head.frames, into: &head, at: lane.lane.outputChannels.lowerBound)
            end.tail.copy(channels: 0..<end.tail.channels, frames: 0..<end.tail.frames, into: &tail, at: lane.lane.outputChannels.lowerBound)
        }
        return StreamEnd(head: head, tail: tail)
    }

    /// Each lane's signal at `path` into its channels of `output`.
    private func gather(_ path: KeyPath<Lane, Signal<T>>, into output: inout Signal<T>) {
        for lane in lanes {
            let part = lane[keyPath: path]
            part.copy(channels: 0..<part.channels, frames: 0..<part.frames, into: &output, at: lane.lane.outputChannels.lowerBound)
        }
    }
}

extension Signal {
    /// Copies frames `frames` of channels `channels` to frames `0…` of `destination`'s
    /// channels from `firstChannel` on, and sets its `frames` to `frames.count`.
    func copy(channels: Range<Int>, frames: Range<Int>, into destination: inout Signal, at firstChannel: Int = 0) {
        precondition(frames.upperBound <= self.frames && frames.count <= destination.capacity)
        precondition(channels.upperBound <= self.channels && firstChannel + channels.count <= destination.channels)
        let (sourceStride, destinationStride) = (capacity, destination.capacity)
        destination.setFrames(frames.count)
        guard !frames.isEmpty else { return }
        withUnsafeBufferPointer { src in
            destination.withUnsafeMutableBufferPointer { dst in
                for (k, c) in channels.enumerated() {
                    (dst.baseAddress! + (firstChannel + k) * destinationStride)
                        .update(from: src.baseAddress! + c * sourceStride + frames.lowerBound, count: frames.count)
                }
            }
        }
    }
}
