import StreamConv
import StreamConvLive

/// What a live run ended with.
public struct LiveOutcome: Sendable {
    /// Peak and RMS per output channel, since the start and over the last interval.
    public var levels: Levels
    /// The device failure that ended the run, if one did.
    public var error: ALSAError?
    /// The filter's refusal: at the end, a signal shorter than the receptive field; during
    /// the run, a stage that broke its own bounds (a bug, reported as what it is).
    public var filterError: Conv1dError?
}
