/// A `conv1d` node: its ``StreamingConv1d`` writing straight into the node's queue.
final class ConvKernel<T: ConvScalar>: NodeKernel<T>, @unchecked Sendable {
    var stream: StreamingConv1d<T>

    init(name: String, conv: Conv1d<T>, inputs: [FrameQueue<T>], output: FrameQueue<T>, maxInput: Int) {
        stream = conv.makeStream(maxFrames: maxInput)
        super.init(name: name, inputs: inputs, output: output)
    }

    private init(name: String, copying other: ConvKernel, inputs: [FrameQueue<T>], output: FrameQueue<T>) {
        stream = other.stream.copy()
        super.init(name: name, inputs: inputs, output: output)
    }

    override func copy(inputs: [FrameQueue<T>], output: FrameQueue<T>) -> NodeKernel<T> {
        copyState(to: ConvKernel(name: name, copying: self, inputs: inputs, output: output))
    }

    override func prepare(maxInput frames: Int) { stream.prepare(maxFrames: frames) }

    override func reset() {
        super.reset()
        stream.reset()
    }

    @_specialize(where T == Float)
    @_specialize(where T == Double)
    override func run(from frame: Int64, count: Int) {
        let source = inputs[0].view(from: frame)
        output.append(limit: stream.outputFrameCount(afterProcessing: count)) { sink in
            stream.consume(source, count: count, into: &sink)
        }
    }

    override func end() throws(Conv1dError) {
        let tail = try stream.finishFrameCounts().tail
        var failure: Conv1dError?
        output.append(limit: tail) { sink in
            do throws(Conv1dError) { try stream.finish(into: &sink) } catch { failure = error }
        }
        if let failure { throw failure }
    }

    override func outputCount(afterInput extra: Int) -> Int { stream.outputFrameCount(afterProcessing: extra) }

    override func finalCount(afterInput extra: Int) throws(Conv1dError) -> Int {
        do {
            return try stream.remainingOutputs(afterMore: extra)
        } catch {
            throw .node(name: name, error)
        }
    }

    override var bounds: KernelBounds {
        let spec = stream.spec
        let s = spec.stride
        return KernelBounds(ratio: FrameRatio(outputs: 1, inputs: s),
                            lag: (spec.receptiveField + 2 * spec.padLeft) / s + 2,
                            lead: max(0, spec.padLeft - spec.receptiveField + s) / s + 1,
                            tail: stream.finishBound.tail)
    }

    override func checkInvariants() -> String? { stream.checkInvariants() }
}
