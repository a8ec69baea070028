import CALSA
import StreamConvIO

extension SampleEncoding {
    /// The encodings devices exchange, by ALSA's names (as `aplay -f` takes them), in the
    /// order messages list them.
    public static let alsaNames: [(encoding: SampleEncoding, name: String)] = [(.s16, "S16_LE"), (.s24, "S24_3LE"), (.s32, "S32_LE"), (.f32, "FLOAT_LE")]

    /// ALSA's name for this encoding, `nil` where devices take no such samples (f64).
    public var alsaName: String? { Self.alsaNames.first { $0.encoding == self }?.name }

    /// The encoding ALSA calls `name`.
    public init?(alsaName name: String) {
        guard let found = Self.alsaNames.first(where: { $0.name == name }) else { return nil }
        self = found.encoding
    }

    /// ALSA's format code; only for the encodings in ``alsaNames``.
    var alsa: snd_pcm_format_t {
        switch self {
        case .s16: SND_PCM_FORMAT_S16_LE
        case .s24: SND_PCM_FORMAT_S24_3LE
        case .s32: SND_PCM_FORMAT_S32_LE
        case .f32: SND_PCM_FORMAT_FLOAT_LE
        case .f64: SND_PCM_FORMAT_FLOAT64_LE
        }
    }
}
