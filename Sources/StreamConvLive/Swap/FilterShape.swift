import StreamConv

/// What a filter taking over a running one must match: its channels, stride and latency
/// (so the output's timeline goes on), and the output buffer the processor made for it.
public struct FilterShape: Sendable, Equatable {
    /// Channels taken and made.
    public var inputChannels: Int, outputChannels: Int
    /// Output frames per input frame.
    public var rateRatio: FrameRatio
    /// Latency, in input frames.
    public var latency: Int
    /// The most frames a period brings.
    public var period: Int
    /// Frames the processor's output buffer holds.
    public var readyCapacity: Int
}
