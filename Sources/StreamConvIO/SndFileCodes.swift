import CSndFile

/// libsndfile's format codes as Swift integers (they import as `Int`; the C API takes `Int32`).
enum SndFileCodes {
    static let float = SF_FORMAT_FLOAT
    static let double = SF_FORMAT_DOUBLE
    static let pcm16 = SF_FORMAT_PCM_16
    static let pcm24 = SF_FORMAT_PCM_24
    static let pcm32 = SF_FORMAT_PCM_32
    static let pcmS8 = SF_FORMAT_PCM_S8
    static let pcmU8 = SF_FORMAT_PCM_U8
    static let wav = SF_FORMAT_WAV
    static let typeMask = SF_FORMAT_TYPEMASK
    static let subMask = SF_FORMAT_SUBMASK

    /// Bits of an integer PCM subtype, `nil` for float and compressed subtypes.
    static func integerBits(subtype: Int32) -> Int? {
        switch Int(subtype) {
        case pcmS8, pcmU8: return 8
        case pcm16: return 16
        case pcm24: return 24
        case pcm32: return 32
        default: return nil
        }
    }
}
