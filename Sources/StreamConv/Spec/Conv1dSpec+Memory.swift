/// How much memory a filter needs, computed from the spec alone, so a caller can refuse an
/// absurd configuration before allocating anything. Arithmetic saturates at `Int.max`
/// instead of overflowing: an estimate that large is refused anyway.
extension Conv1dSpec {
    /// Bytes of the weight tensor and bias in a sample type of `scalarSize` bytes.
    public func weightBytes(scalarSize: Int) -> Int {
        let count = Saturating.product([outChannels, inChannelsPerGroup, kernelSize])
        return Saturating.product([Saturating.sum([count, bias ? outChannels : 0]), scalarSize])
    }

    /// Bytes a ``StreamingConv1d`` prepared for chunks of `maxFrames` holds besides the
    /// weights: the history (`receptiveField − 1 + maxFrames` frames per input channel),
    /// what the padding mode keeps of the signal's start and end, the pad scratch, and an
    /// output buffer of ``Stage/maxOutputFramesPerChunk`` frames.
    public func streamBytes(maxFrames: Int, scalarSize: Int) -> Int {
        let frames = max(1, maxFrames)
        // The mirrored history ring: two copies of R − 1 + maxFrames frames.
        let history = Saturating.product([2, Saturating.sum([receptiveField - 1, frames])])
        let kept: Int
        switch paddingMode {
        case .zeros: kept = 2
        case .replicate: kept = 2
        case .reflect: kept = Saturating.sum([padLeft, padRight, 2])
        case .circular:
            let head = withheldHeadOutputs
            let window = head > 0 ? Saturating.sum([Saturating.product([head - 1, stride]), receptiveField]) : 1
            kept = Saturating.sum([max(padRight, window - padLeft, 1), padLeft, window])
        }
        let scratch = max(1, padLeft, padRight)
        let inputFrames = Saturating.sum([history, kept, scratch])
        let outputFrames = Saturating.sum([Saturating.sum([Saturating.product([2, padLeft]), frames]) / stride, 1])
        return Saturating.product([
            Saturating.sum([Saturating.product([inChannels, inputFrames]), Saturating.product([outChannels, outputFrames])]),
            scalarSize,
        ])
    }

    /// Bytes the engine `choice` resolves to allocates for a ``StreamingConv1d`` prepared for
    /// chunks of up to `maxFrames` frames: what it derives from the weights (the FFT engine's
    /// filter spectra and tables) and the stream's workspaces (the FFT engine's partition state,
    /// a strided direct engine's phase rows), one more for a withheld circular head.
    public func engineBytes(choice: Conv1dEngineChoice, maxFrames: Int, scalarSize: Int) -> Int {
        let frames = min(max(1, maxFrames), Self.maximumSize)
        // One pass of the stream's history ring (R − 1 + maxFrames frames) computes at most
        // (ring − R) / stride + 1 outputs, as StreamingConv1d.prepare reserves.
        let ring = receptiveField - 1 + frames
        let perPass = (ring - receptiveField) / stride + 1
        let head = withheldHeadOutputs
        return Conv1dEngines.estimatedBytes(spec: self, choice: choice, scalarSize: scalarSize, workspaces: head > 0 ? [perPass, head] : [perPass])
    }

    /// Bytes ``Conv1d/forward(_:)-(Signal<T>)`` allocates for an input of `length` frames:
    /// the padded copy of the input and the output.
    public func forwardBytes(inputLength length: Int, scalarSize: Int) -> Int {
        let padded = Saturating.sum([padLeft, length, padRight])
        let outputs = Saturating.sum([max(0, padded - receptiveField) / stride, 1])
        return Saturating.product([
            Saturating.sum([Saturating.product([inChannels, padded]), Saturating.product([outChannels, outputs])]),
            scalarSize,
        ])
    }
}

/// Integer arithmetic that stops at `Int.max` instead of trapping, for size estimates.
public enum Saturating {
    /// The product of `factors` (non-negative), or `Int.max` when it does not fit.
    public static func product(_ factors: [Int]) -> Int {
        var result = 1
        for f in factors {
            let (p, overflow) = result.multipliedReportingOverflow(by: f)
            if overflow { return .max }
            result = p
        }
        return result
    }

    /// The sum of `terms` (non-negative), or `Int.max` when it does not fit.
    public static func sum(_ terms: [Int]) -> Int {
        var result = 0
        for t in terms {
            let (s, overflow) = result.addingReportingOverflow(t)
            if overflow { return .max }
            result = s
        }
        return result
    }
}
