/// A whole-signal call cut into time segments that may run on separate threads
/// (``output(runningSegments:)`` runs each through the caller's runner).
///
/// Each segment computes its own range of outputs on a fresh workspace that starts
/// ``Conv1dEngine/warmUp`` outputs early (its halo), so its outputs equal the one-segment
/// call's bit for bit (``Conv1d/forward(_:)-(Signal<T>)`` is the one-segment call). The
/// segments share the input, read-only, and write disjoint ranges of the output. A segment
/// pads its input a tile at a time into compact rows (as a stream's history is), so a long
/// signal's many channels stay in cache while the engine reads them.
public final class Conv1dSegments<T: ConvScalar>: WholeSignalCall, @unchecked Sendable {
    /// The convolution.
    public let conv: Conv1d<T>
    /// Output frames.
    public let frames: Int
    /// Output ranges, one per segment, in order.
    public let ranges: [Range<Int>]
    /// The first output every segment's warm-up stops at: circular padding's withheld head
    /// (see ``StreamingConv1d``) always starts its own sequence, and so does what follows it.
    let origin: Int
    let input: Signal<T>
    /// Outputs computed per engine call.
    let tile: Int

    /// Segments for `x`: at most `maxSegments`, none shorter than `shortest` outputs
    /// (by default 4096 or four warm-ups, so the halos cost little).
    /// - Throws: ``Conv1dError`` as ``Conv1d/forward(_:)-(Signal<T>)`` does.
    // Pre-specialised: callers in other modules would otherwise run generic code.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public init(_ conv: Conv1d<T>, input x: Signal<T>, maxSegments: Int, shortest: Int? = nil) throws(Conv1dError) {
        let spec = conv.spec
        if x.channels != spec.inChannels {
            throw Conv1dError.channelMismatch(expected: spec.inChannels, got: x.channels, groups: spec.groups)
        }
        let count = try spec.outputLength(inputLength: x.frames)
        self.conv = conv
        frames = count
        input = x
        // Rows of a few thousand outputs: with the receptive field they fit in L2 for dozens of
        // channels; long filters get tiles a few fields long, so the overlap copied is small.
        tile = Self.tileOutputs(spec)
        // Circular padding's first outputs read the signal's end, which a stream only knows at
        // the end: it computes them apart, from a fresh workspace. So does this call, so that
        // an engine with state runs the same two sequences (the direct engine cannot tell).
        origin = min(count, spec.withheldHeadOutputs)
        let shortest = max(1, shortest ?? max(4096, 4 * conv.engine.warmUp))
        let pieces = max(1, min(maxSegments, (count - origin) / shortest))
        var ranges = origin > 0 ? [0..<origin] : []
        for k in 0..<pieces {
            ranges.append((origin + k * (count - origin) / pieces)..<(origin + (k + 1) * (count - origin) / pieces))
        }
        self.ranges = ranges.filter { !$0.isEmpty }
    }

    /// Outputs per engine call (and so per segment workspace).
    public static func tileOutputs(_ spec: Conv1dSpec) -> Int { max(2048, 2 * spec.receptiveField / spec.stride) }

    /// ``ranges``' count.
    public var segmentCount: Int { ranges.count }

    /// Padded samples `from..<from + length` of every channel into `rows` (row stride
    /// `length`): the signal in one copy per channel, only the pads through the padding
    /// mode's index map.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    func pad(from: Int, length: Int, into rows: UnsafeMutablePointer<T>) {
        let spec = conv.spec
        let (left, mode, frames) = (spec.padLeft, spec.paddingMode, input.frames)
        let capacity = input.capacity
        input.withUnsafeBufferPointer { src in
            for c in 0..<spec.inChannels {
                let row = rows + c * length
                let signal = src.baseAddress! + c * capacity
                // Padded j holds signal j − left where that is inside the signal.
                let low = max(from, left)
                let inside = low..<max(low, min(from + length, left + frames))
                if !inside.isEmpty {
                    (row + inside.lowerBound - from).update(from: signal + inside.lowerBound - left, count: inside.count)
                }
                for j in from..<(from + length) where !inside.contains(j) {
                    row[j - from] = mode.sourceIndex(padded: j, length: frames, padLeft: left).map { signal[$0] } ?? 0
                }
            }
        }
    }

    /// Computes segment `k`'s outputs into `outputs` (channel o's output t at o · frames + t).
    /// Safe to call for different segments at the same time; allocates its workspace and scratch.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    func run(_ k: Int, into outputs: UnsafeMutablePointer<T>) {
        let range = ranges[k]
        let engine = conv.engine
        let (stride, field, inputs, outs) = (conv.spec.stride, conv.spec.receptiveField, conv.spec.inChannels, conv.spec.outChannels)
        let start = range.lowerBound < origin ? 0 : max(origin, range.lowerBound - engine.warmUp)
        let most = min(tile, range.upperBound - start)
        var workspace = engine.makeWorkspace(maxOutputs: most)
        let rowLength = (most - 1) * stride + field
        let rows = UnsafeMutablePointer<T>.allocate(capacity: inputs * rowLength)
        // The halo's outputs, computed only to bring the workspace to the segment.
        let discard = UnsafeMutablePointer<T>.allocate(capacity: outs * most)
        defer {
            rows.deallocate()
            discard.deallocate()
        }
        var t = start
        while t < range.upperBound {
            let halo = t < range.lowerBound
            let n = min(most, (halo ? range.lowerBound : range.upperBound) - t)
            let length = (n - 1) * stride + field
            pad(from: t * stride, length: length, into: rows)
            workspace.compute(
                input: rows, inputStride: length,
                output: halo ? discard : outputs + t, outputStride: halo ? n : frames,
                first: Int64(t), count: n)
            t += n
        }
    }

    /// The outputs, every segment run through `runner` straight into the signal's storage.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func output(runningSegments runner: SegmentRunner) -> Signal<T> {
        Signal(channels: conv.spec.outChannels, frames: frames) { storage in
            let outputs = SegmentOutputs(base: storage)
            runner(ranges.count) { k in run(k, into: outputs.base) }
        }
    }
}

/// The output storage the segments of a whole-signal call write, each its own range of it.
/// Unchecked: the ranges are disjoint, and the storage lives until the runner has returned.
private struct SegmentOutputs<T>: @unchecked Sendable {
    let base: UnsafeMutablePointer<T>
}
