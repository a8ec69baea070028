/// A self-describing audio stream, known by its first bytes: what `--in -` reads through
/// libsndfile instead of taking raw samples, and what raw input refuses.
public enum StreamContainer: String, Sendable, CaseIterable {
    case wav = "WAV", rf64 = "RF64", w64 = "W64", aiff = "AIFF", caf = "CAF", au = "AU"
    case flac = "FLAC", ogg = "Ogg", mp3 = "MP3"

    /// Bytes enough to tell every container apart.
    public static let magicLength = 4

    /// The container `head` starts like. MP3 is known by its ID3 tag only: a bare MPEG frame
    /// sync (0xFFEx) is also the start of ordinary raw samples.
    public init?(magic head: [UInt8]) {
        guard head.count >= 3 else { return nil }
        if head.starts(with: "ID3".utf8) { self = .mp3; return }
        guard head.count >= 4 else { return nil }
        switch String(decoding: head.prefix(4), as: UTF8.self) {
        case "RIFF": self = .wav
        case "RF64": self = .rf64
        case "riff": self = .w64
        case "FORM": self = .aiff
        case "caff": self = .caf
        case ".snd": self = .au
        case "fLaC": self = .flac
        case "OggS": self = .ogg
        default: return nil
        }
    }

    /// "a WAV", for messages.
    public var phrase: String {
        switch self {
        case .aiff, .rf64, .au, .mp3: "an \(rawValue)"
        default: "a \(rawValue)"
        }
    }

    /// The names of every container, for messages.
    public static var nameList: String { allCases.map(\.rawValue).joined(separator: ", ") }
}
