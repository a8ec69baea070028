/// An impulse response as read from an audio file: what an `impulse_response` preset is
/// made from (a room, a cabinet, a reverb: measured, not designed).
public struct ImpulseResponse: Sendable {
    /// The rate it was recorded at.
    public var sampleRate: Int
    /// One array of samples per channel, all of one length.
    public var channels: [[Double]]

    /// A response of `channels` (equal lengths) at `sampleRate`.
    public init(sampleRate: Int, channels: [[Double]]) {
        self.sampleRate = sampleRate
        self.channels = channels
    }

    /// The longest response taken: 2^24 samples (about 6 minutes at 48 kHz).
    public static let maximumLength = 1 << 24
}

/// Reads an impulse-response audio file given its path. The presets module reads no audio
/// itself (it links no libsndfile), so whoever loads presets supplies one; the `streamconv`
/// CLI reads any format libsndfile reads, as Double.
public typealias ImpulseResponseReader = @Sendable (String) throws -> ImpulseResponse
