/// `torch.nn.Conv1d` applied to a whole signal.
///
/// ``forward(_:)-(Signal<T>)`` pads the input as `padding_mode` says, then runs the engine over
/// every output at once. ``StreamingConv1d`` runs the same engine on the same padded samples
/// piece by piece, so the two agree bit for bit.
public struct Conv1d<T: ConvScalar>: Sendable {
    /// Hyper-parameters.
    public let spec: Conv1dSpec
    /// Weights and bias.
    public let weights: Conv1dWeights<T>
    /// The engine that computes outputs, made from ``weights``.
    public let engine: any Conv1dEngine<T>

    /// A convolution with given weights, on the engine `engine` chooses (`auto`: the one that
    /// suits the spec; see ``Conv1dEngines/choose(spec:)``).
    public init(spec: Conv1dSpec, weights: Conv1dWeights<T>, engine choice: Conv1dEngineChoice = .auto) {
        self.spec = spec
        self.weights = weights
        engine = Conv1dEngines.make(spec: spec, weights: weights, choice: choice)
    }

    /// A convolution with PyTorch's default initialisation drawn from `seed`.
    public init(spec: Conv1dSpec, seed: UInt64) {
        self.init(spec: spec, weights: Conv1dWeights(defaultInitFor: spec, seed: seed))
    }

    /// The output for an unbatched `(C, L)` input.
    /// - Throws: ``Conv1dError`` where PyTorch raises: wrong channel count, an input too short
    ///   for the padding mode or the receptive field.
    public func forward(_ x: Signal<T>) throws(Conv1dError) -> Signal<T> {
        if x.channels != spec.inChannels {
            throw Conv1dError.channelMismatch(expected: spec.inChannels, got: x.channels, groups: spec.groups)
        }
        let count = try spec.outputLength(inputLength: x.frames)
        let length = x.frames
        let padded = spec.padLeft + length + spec.padRight
        var xp = [T](repeating: 0, count: spec.inChannels * padded)
        let (left, mode, channels) = (spec.padLeft, spec.paddingMode, spec.inChannels)
        x.withUnsafeBufferPointer { src in
            xp.withUnsafeMutableBufferPointer { dst in
                for c in 0..<channels {
                    let row = dst.baseAddress! + c * padded
                    let signal = src.baseAddress! + c * x.capacity
                    // The signal itself in one copy; only the pads go through the index map.
                    (row + left).update(from: signal, count: length)
                    for pad in [0..<left, (left + length)..<padded] {
                        for j in pad {
                            if let i = mode.sourceIndex(padded: j, length: length, padLeft: left) { row[j] = signal[i] }
                        }
                    }
                }
            }
        }
        var y = Signal<T>(channels: spec.outChannels, frames: count)
        // Circular padding's first outputs read the signal's end, which a stream only knows at
        // the end: it computes them apart, from a fresh workspace. So does this call, so that
        // an engine with state runs the same two sequences (the direct engine cannot tell).
        let withheld = spec.paddingMode == .circular ? min(count, (spec.padLeft + spec.stride - 1) / spec.stride) : 0
        xp.withUnsafeBufferPointer { input in
            y.withUnsafeMutableBufferPointer { output in
                for (first, end) in [(0, withheld), (withheld, count)] where end > first {
                    engine.compute(
                        input: input.baseAddress! + first * spec.stride, inputStride: padded,
                        output: output.baseAddress! + first, outputStride: count, first: Int64(first), count: end - first,
                        workspace: engine.makeWorkspace(maxOutputs: end - first))
                }
            }
        }
        return y
    }

    /// The output for a batched `(N, C, L)` input: each item independently.
    public func forward(_ batch: SignalBatch<T>) throws -> SignalBatch<T> {
        try SignalBatch(batch.items.map(forward))
    }

    /// A stream that filters the signal in chunks, prepared for chunks of up to `maxFrames`.
    public func makeStream(maxFrames: Int = 4096) -> StreamingConv1d<T> {
        StreamingConv1d(self, maxFrames: maxFrames)
    }
}
