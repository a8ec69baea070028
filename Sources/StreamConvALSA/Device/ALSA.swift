import CALSA

#if canImport(Glibc)
import Glibc
#endif

/// ALSA's C calls, in one place. Every negative return code becomes an ``ALSAError`` whose
/// text comes from `snd_strerror`.
enum ALSA {
    static func message(_ code: Int32) -> String {
        String(cString: snd_strerror(code))
    }

    /// The PCM devices ALSA knows (the hints API, as `arecord -L` lists them): name and
    /// description, with the directions each supports.
    static func deviceHints() -> [(name: String, description: String, directions: String?)] {
        var hints: UnsafeMutablePointer<UnsafeMutableRawPointer?>?
        guard snd_device_name_hint(-1, "pcm", &hints) == 0, let hints else { return [] }
        defer { snd_device_name_free_hint(hints) }
        var result: [(String, String, String?)] = []
        var at = hints
        while let hint = at.pointee {
            func field(_ key: String) -> String? {
                guard let value = snd_device_name_get_hint(hint, key) else { return nil }
                defer { free(value) }
                return String(cString: value)
            }
            if let name = field("NAME") {
                result.append((name, (field("DESC") ?? "").replacingNewlines(), field("IOID")))
            }
            at += 1
        }
        return result
    }
}

extension String {
    func replacingNewlines() -> String { split(separator: "\n").joined(separator: " — ") }
}

/// The ALSA PCM devices a user can name.
public enum ALSADevices {
    /// A device as the hints API describes it.
    public struct Device: Sendable {
        /// What to pass to `--capture` / `--playback`.
        public let name: String
        /// ALSA's description.
        public let description: String
        /// "capture", "playback" or "capture, playback".
        public let directions: String
    }

    /// Every PCM device ALSA knows of, in its order.
    public static func list() -> [Device] {
        ALSA.deviceHints().map { hint in
            let directions = switch hint.directions {
            case "Input": "capture"
            case "Output": "playback"
            default: "capture, playback"
            }
            return Device(name: hint.name, description: hint.description, directions: directions)
        }
    }
}
