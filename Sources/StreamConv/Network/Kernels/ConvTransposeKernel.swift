/// A `conv_transpose1d` node: one ``StreamingConv1d`` per phase (``ConvTranspose1d``), whose
/// outputs are interleaved in output order. Output `t` of phase `r` is output
/// `(t − offset_r)/stride` of that phase's convolution; before that convolution's first
/// output and after its last it is the bias alone (no tap reaches an input there).
final class ConvTransposeKernel<T: ConvScalar>: NodeKernel<T>, @unchecked Sendable {
    /// One phase's stream and the outputs it has computed that are not yet interleaved.
    final class PhaseStream: @unchecked Sendable {
        var stream: StreamingConv1d<T>
        var queue: FrameQueue<T>
        let offset: Int

        init(stream: consuming StreamingConv1d<T>, queue: FrameQueue<T>, offset: Int) {
            self.stream = stream
            self.queue = queue
            self.offset = offset
        }
    }

    let conv: ConvTranspose1d<T>
    /// Per phase: its stream, or `nil` where no tap falls (the bias).
    private var phases: [PhaseStream?]
    private var maxInput: Int
    private var received: Int64 = 0
    /// The next output index to write.
    private var next: Int64 = 0
    /// The output length, once the input has ended.
    private var length: Int64?
    private let bias: [T]
    private let stride: Int
    private let padding: Int

    init(name: String, conv: ConvTranspose1d<T>, inputs: [FrameQueue<T>], output: FrameQueue<T>, maxInput: Int) {
        self.conv = conv
        self.maxInput = max(1, maxInput)
        stride = conv.spec.stride
        padding = conv.spec.padding
        bias = conv.bias ?? [T](repeating: 0, count: conv.spec.outChannels)
        let most = self.maxInput
        phases = conv.phases.map { phase in
            phase.conv.map { c in
                PhaseStream(stream: c.makeStream(maxFrames: most),
                            queue: FrameQueue(channels: conv.spec.outChannels, capacity: most + 2 * phase.pad + 8),
                            offset: phase.offset)
            }
        }
        super.init(name: name, inputs: inputs, output: output)
    }

    override func copy(inputs: [FrameQueue<T>], output: FrameQueue<T>) -> NodeKernel<T> {
        let other = ConvTransposeKernel(name: name, conv: conv, inputs: inputs, output: output, maxInput: maxInput)
        for (r, phase) in phases.enumerated() {
            guard let phase else { continue }
            other.phases[r] = PhaseStream(stream: phase.stream.copy(), queue: phase.queue.copy(), offset: phase.offset)
        }
        (other.received, other.next, other.length) = (received, next, length)
        return copyState(to: other)
    }

    override func prepare(maxInput frames: Int) {
        guard frames > maxInput else { return }
        maxInput = frames
        for (r, phase) in phases.enumerated() {
            guard let phase else { continue }
            phase.stream.prepare(maxFrames: frames)
            let grown = FrameQueue<T>(channels: phase.queue.channels, capacity: frames + 2 * conv.phases[r].pad + 8)
            grown.adopt(phase.queue)
            phase.queue = grown
        }
    }

    override func reset() {
        super.reset()
        for phase in phases {
            phase?.stream.reset()
            phase?.queue.reset()
        }
        (received, next, length) = (0, 0, nil)
    }

    @_specialize(where T == Float)
    @_specialize(where T == Double)
    override func run(from frame: Int64, count: Int) {
        let source = inputs[0].view(from: frame)
        var done = 0
        while done < count {
            let n = min(count - done, maxInput)
            for phase in phases {
                guard let phase else { continue }
                phase.queue.append(limit: phase.stream.outputFrameCount(afterProcessing: n)) { sink in
                    phase.stream.consume(source.dropping(done), count: n, into: &sink)
                }
            }
            received += Int64(n)
            done += n
            interleave(upTo: readyEnd(extra: 0))
        }
    }

    /// The first output index not computable after `extra` more input frames (every phase's
    /// convolution produces one output per input frame).
    private func readyEnd(extra: Int) -> Int64 {
        let frames = received + Int64(extra)
        let spec = conv.spec
        // Outputs past the shortest output a signal this long can have may be cropped by the
        // right padding: they wait for the end.
        var end = (frames - 1) * Int64(stride) - Int64(2 * padding) + Int64(spec.dilation * (spec.kernelSize - 1) + spec.outputPadding + 1)
        for phase in phases {
            guard let phase else { continue }
            end = min(end, frames * Int64(stride) + Int64(phase.offset))
        }
        return max(end, next)
    }

    /// Writes outputs `next..<end`, each from its phase's queue or the bias.
    private func interleave(upTo end: Int64) {
        guard end > next else { return }
        let (first, count, s, p) = (next, Int(end - next), Int64(stride), Int64(padding))
        let phases = phases, bias = bias
        output.append(limit: count) { sink in
            sink.write(count: count, channels: output.channels) { c, y in
                // Phase by phase: phase r holds the outputs t with (t + p) mod s = r, every
                // s-th one, at consecutive indices n = (t − offset)/s of its queue (exact).
                for r in 0..<Int(s) {
                    let j0 = Int((Int64(r) - (first + p) % s + s) % s)
                    guard j0 < count else { continue }
                    let b = bias[c]
                    guard let phase = phases[r] else {
                        for j in Swift.stride(from: j0, to: count, by: Int(s)) { y[j] = b }
                        continue
                    }
                    let queue = phase.queue
                    let produced = queue.produced
                    var n = (first + Int64(j0) - Int64(phase.offset)) / s
                    var j = j0
                    // Before the phase's first output and after its last: the bias alone.
                    while j < count && n < 0 { y[j] = b; j += Int(s); n += 1 }
                    if j < count && n < produced {
                        let row = queue.view(from: n).row(c)
                        let available = Int(produced - n)
                        var i = 0
                        while j < count && i < available { y[j] = row[i]; j += Int(s); i += 1 }
                    }
                    while j < count { y[j] = b; j += Int(s) }
                }
            }
        }
        next = end
        // Each phase's queue from the first output not yet interleaved.
        for phase in phases {
            guard let phase else { continue }
            let n = next - Int64(phase.offset) + s - 1
            if n >= 0 { phase.queue.discard(before: n / s) }
        }
    }

    override func end() throws(Conv1dError) {
        let total = try conv.spec.outputLength(inputLength: Int(received))
        for phase in phases {
            guard let phase else { continue }
            let tail = try phase.stream.finishFrameCounts().tail
            var failure: Conv1dError?
            phase.queue.append(limit: tail) { sink in
                do throws(Conv1dError) { try phase.stream.finish(into: &sink) } catch { failure = error }
            }
            if let failure { throw failure }
        }
        length = Int64(total)
        interleave(upTo: Int64(total))
    }

    override func outputCount(afterInput extra: Int) -> Int { Int(max(0, readyEnd(extra: extra) - next)) }

    override func finalCount(afterInput extra: Int) throws(Conv1dError) -> Int {
        do {
            return try conv.spec.outputLength(inputLength: Int(received) + extra) - Int(next)
        } catch {
            throw .node(name: name, error)
        }
    }

    override var bounds: KernelBounds {
        let spec = conv.spec
        return KernelBounds(ratio: FrameRatio(outputs: spec.stride, inputs: 1), lag: 2 * spec.padding + spec.stride + 1,
                            lead: spec.stride * spec.dilation + 1,
                            tail: spec.dilation * (spec.kernelSize - 1) + spec.outputPadding + spec.padding + 2 * spec.stride + 2)
    }

    override func checkInvariants() -> String? {
        for phase in phases { if let problem = phase?.stream.checkInvariants() { return problem } }
        return nil
    }
}
