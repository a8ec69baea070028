import StreamConv

/// What a live run ended with.
public struct LiveOutcome: Sendable {
    /// Peak level per output channel (linear, 1 = full scale).
    public var peaks: [Float]
    /// RMS level per output channel (linear).
    public var rms: [Double]
    /// The device failure that ended the run, if one did.
    public var error: ALSAError?
    /// The filter's refusal: at the end, a signal shorter than the receptive field; during
    /// the run, a stage that broke its own bounds (a bug, reported as what it is).
    public var filterError: Conv1dError?
}
