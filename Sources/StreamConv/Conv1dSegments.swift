/// A whole-signal call cut into time segments that may run on separate threads: call
/// ``run(_:)`` once for each segment, from any threads, then take ``output()``.
///
/// Each segment computes its own range of outputs on a fresh workspace that starts
/// ``Conv1dEngine/warmUp`` outputs early (its halo), so its outputs equal the one-segment
/// call's bit for bit (``Conv1d/forward(_:)-(Signal<T>)`` is the one-segment call). The
/// segments share the padded input, read-only, and write disjoint ranges of the output.
public final class Conv1dSegments<T: ConvScalar>: @unchecked Sendable {
    /// The convolution.
    public let conv: Conv1d<T>
    /// Output frames.
    public let frames: Int
    /// Output ranges, one per segment, in order.
    public let ranges: [Range<Int>]
    /// The first output every segment's warm-up stops at: circular padding's withheld head
    /// (see ``StreamingConv1d``) always starts its own sequence, and so does what follows it.
    let origin: Int
    let padded: [T]
    let paddedLength: Int
    let outputs: UnsafeMutablePointer<T>

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
        paddedLength = spec.padLeft + x.frames + spec.padRight
        padded = Self.pad(x, spec: spec, paddedLength: paddedLength)
        outputs = .allocate(capacity: max(1, spec.outChannels * count))
        // Circular padding's first outputs read the signal's end, which a stream only knows at
        // the end: it computes them apart, from a fresh workspace. So does this call, so that
        // an engine with state runs the same two sequences (the direct engine cannot tell).
        origin = spec.paddingMode == .circular ? min(count, (spec.padLeft + spec.stride - 1) / spec.stride) : 0
        let shortest = max(1, shortest ?? max(4096, 4 * conv.engine.warmUp))
        let pieces = max(1, min(maxSegments, (count - origin) / shortest))
        var ranges = origin > 0 ? [0..<origin] : []
        for k in 0..<pieces {
            ranges.append((origin + k * (count - origin) / pieces)..<(origin + (k + 1) * (count - origin) / pieces))
        }
        self.ranges = ranges.filter { !$0.isEmpty }
    }

    deinit { outputs.deallocate() }

    /// The padded signal, channel-major: the signal itself in one copy per channel, only the
    /// pads through the padding mode's index map.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    private static func pad(_ x: Signal<T>, spec: Conv1dSpec, paddedLength padded: Int) -> [T] {
        let (left, mode, channels, length) = (spec.padLeft, spec.paddingMode, spec.inChannels, x.frames)
        var xp = [T](repeating: 0, count: channels * padded)
        x.withUnsafeBufferPointer { src in
            xp.withUnsafeMutableBufferPointer { dst in
                for c in 0..<channels {
                    let row = dst.baseAddress! + c * padded
                    let signal = src.baseAddress! + c * x.capacity
                    (row + left).update(from: signal, count: length)
                    for pad in [0..<left, (left + length)..<padded] {
                        for j in pad {
                            if let i = mode.sourceIndex(padded: j, length: length, padLeft: left) { row[j] = signal[i] }
                        }
                    }
                }
            }
        }
        return xp
    }

    /// Computes segment `k`'s outputs. Safe to call for different segments at the same time;
    /// allocates its workspace and halo scratch.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func run(_ k: Int) {
        let range = ranges[k]
        let engine = conv.engine
        let stride = conv.spec.stride
        let outs = conv.spec.outChannels
        let start = range.lowerBound < origin ? 0 : max(origin, range.lowerBound - engine.warmUp)
        let workspace = engine.makeWorkspace(maxOutputs: range.upperBound - start)
        padded.withUnsafeBufferPointer { input in
            let base = input.baseAddress!
            if start < range.lowerBound {
                // The halo: outputs computed only to bring the workspace to the segment.
                let halo = range.lowerBound - start
                let scratch = UnsafeMutablePointer<T>.allocate(capacity: outs * halo)
                defer { scratch.deallocate() }
                engine.compute(
                    input: base + start * stride, inputStride: paddedLength, output: scratch, outputStride: halo,
                    first: Int64(start), count: halo, workspace: workspace)
            }
            engine.compute(
                input: base + range.lowerBound * stride, inputStride: paddedLength,
                output: outputs + range.lowerBound, outputStride: frames,
                first: Int64(range.lowerBound), count: range.count, workspace: workspace)
        }
    }

    /// The outputs, once every segment has run.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func output() -> Signal<T> {
        var y = Signal<T>(channels: conv.spec.outChannels, frames: frames)
        let (outs, frames, outputs, capacity) = (conv.spec.outChannels, self.frames, self.outputs, y.capacity)
        y.withUnsafeMutableBufferPointer { dst in
            for o in 0..<outs {
                (dst.baseAddress! + o * capacity).update(from: outputs + o * frames, count: frames)
            }
        }
        return y
    }
}
