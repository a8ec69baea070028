import CALSA
import StreamConvIO

/// The sample formats streamconv exchanges with devices: ALSA's names, as `aplay -f` takes them.
public enum PCMFormat: String, CaseIterable, Sendable, CustomStringConvertible {
    case s16LE = "S16_LE"
    case s24_3LE = "S24_3LE"
    case s32LE = "S32_LE"
    case floatLE = "FLOAT_LE"

    /// Bytes per sample.
    public var bytes: Int {
        switch self {
        case .s16LE: return 2
        case .s24_3LE: return 3
        case .s32LE, .floatLE: return 4
        }
    }

    /// Bits of an integer format, `nil` for float.
    public var integerBits: Int? {
        switch self {
        case .s16LE: return 16
        case .s24_3LE: return 24
        case .s32LE: return 32
        case .floatLE: return nil
        }
    }

    /// How the samples are laid out in memory.
    public var encoding: SampleEncoding {
        switch self {
        case .s16LE: return .s16
        case .s24_3LE: return .s24
        case .s32LE: return .s32
        case .floatLE: return .f32
        }
    }

    /// The file sample type that holds these samples exactly.
    public var fileSampleFormat: SampleFormat {
        switch self {
        case .s16LE: return .pcm16
        case .s24_3LE: return .pcm24
        case .s32LE: return .pcm32
        case .floatLE: return .float
        }
    }

    var alsa: snd_pcm_format_t {
        switch self {
        case .s16LE: return SND_PCM_FORMAT_S16_LE
        case .s24_3LE: return SND_PCM_FORMAT_S24_3LE
        case .s32LE: return SND_PCM_FORMAT_S32_LE
        case .floatLE: return SND_PCM_FORMAT_FLOAT_LE
        }
    }

    public var description: String { rawValue }
}
