import CALSA

/// Why a live device could not be used. Messages name the device and the stream direction,
/// and carry ALSA's own text (`snd_strerror`) for its error codes.
public enum ALSAError: Error, Sendable, Equatable, CustomStringConvertible {
    /// `snd_pcm_open` or a later call failed.
    case call(device: String, direction: String, what: String, code: Int32)
    /// No PCM device has that name.
    case unknownDevice(device: String, direction: String)
    /// The device refuses a setting; `offered` says what it takes.
    case unsupported(device: String, direction: String, setting: String, offered: String)
    /// The device went away or failed for good during the run (`-ENODEV`, `-EIO`, …).
    case lost(device: String, direction: String, code: Int32)

    public var description: String {
        switch self {
        case let .call(device, direction, what, code):
            return "\(direction) \"\(device)\": \(what): \(ALSA.message(code))"
        case let .unknownDevice(device, direction):
            return "\(direction) \"\(device)\": no such ALSA device; run 'streamconv devices' to list them"
        case let .unsupported(device, direction, setting, offered):
            return "\(direction) \"\(device)\": \(setting) not supported (device offers \(offered))"
        case let .lost(device, direction, code):
            return "\(direction) \"\(device)\" stopped working: \(ALSA.message(code)); the output so far was kept"
        }
    }
}
