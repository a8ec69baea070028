/// An impulse response as read from an audio file: what an `impulse_response` preset is
/// made from (a room, a cabinet, a reverb: measured, not designed).
public struct ImpulseResponse: Sendable {
    /// The rate it was recorded at.
    public var sampleRate: Int
    /// One array of samples per channel, all of one length.
    public var channels: [[Double]]
    /// How the file's channels connect the signal's inputs and outputs.
    public var routing: Routing = .perChannel

    /// How an impulse response's channels are wired (a preset's `routing`).
    public enum Routing: String, Sendable, CaseIterable {
        /// Channel c filters signal channel c (a mono response: every channel).
        case perChannel = "per_channel"
        /// Four channels, left→left, left→right, right→left, right→right: a stereo input
        /// to a stereo output through all four paths (a hall measured with two speakers
        /// and two microphones).
        case trueStereo = "true_stereo"
        /// Two channels, mono → left and mono → right: a mono input made stereo.
        case monoToStereo = "mono_to_stereo"
    }

    /// A response of `channels` (equal lengths) at `sampleRate`.
    public init(sampleRate: Int, channels: [[Double]], routing: Routing = .perChannel) {
        self.sampleRate = sampleRate
        self.channels = channels
        self.routing = routing
    }

    /// The longest response taken: 2^24 samples (about 6 minutes at 48 kHz).
    public static let maximumLength = 1 << 24
}

/// Reads an impulse-response audio file given its path. The presets module reads no audio
/// itself (it links no libsndfile), so whoever loads presets supplies one; the `streamconv`
/// CLI reads any format libsndfile reads, as Double.
public typealias ImpulseResponseReader = @Sendable (String) throws -> ImpulseResponse
