import CALSA

/// Why a live device could not be used. Messages name the device and the stream direction,
/// and carry ALSA's own text (`snd_strerror`) for its error codes.
public enum ALSAError: Error, Sendable, Equatable, CustomStringConvertible {
    /// `snd_pcm_open` or a later call failed; `library` is what ALSA itself said (its
    /// configuration parser's reason, say), or empty.
    case call(device: String, direction: String, what: String, code: Int32, library: String = "")
    /// No PCM device has that name; `library` as for ``call(device:direction:what:code:library:)``.
    case unknownDevice(device: String, direction: String, library: String = "")
    /// The device refuses a setting; `offered` says what it takes.
    case unsupported(device: String, direction: String, setting: String, offered: String)
    /// The device went away or failed for good during the run (`-ENODEV`, `-EIO`, …).
    case lost(device: String, direction: String, code: Int32)

    /// ALSA's own words after ours, in one line.
    private static func quoting(_ library: String) -> String {
        library.isEmpty ? "" : " (ALSA: " + library.split(whereSeparator: \.isNewline).joined(separator: " ") + ")"
    }

    public var description: String {
        switch self {
        case let .call(device, direction, what, code, library):
            return "\(direction) \"\(device)\": \(what): \(ALSA.message(code))" + Self.quoting(library)
        case let .unknownDevice(device, direction, library):
            return "\(direction) \"\(device)\": no such ALSA device; run 'streamconv devices' to list them" + Self.quoting(library)
        case let .unsupported(device, direction, setting, offered):
            return "\(direction) \"\(device)\": \(setting) not supported (device offers \(offered))"
        case let .lost(device, direction, code):
            return "\(direction) \"\(device)\" stopped working: \(ALSA.message(code)); the output so far was kept"
        }
    }
}
