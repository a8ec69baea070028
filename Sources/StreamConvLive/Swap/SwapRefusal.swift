import StreamConv

/// Why a new filter did not take over: the old one keeps running.
public enum SwapRefusal: Error, CustomStringConvertible {
    /// The new filter could not be made (its preset, its design).
    case build(any Error)
    /// Its channels, stride, latency or bounds do not fit the running filter.
    case mismatch(String)
    /// It could not take the signal up from the history.
    case join(Conv1dError)
    /// It needs more of the input's past than the run keeps.
    case historyTooShort(needed: Int, kept: Int, rate: Int)
    /// Both filters together, during the fade, would not keep up.
    case tooSlow(oldPercent: Double, newPercent: Double, limitPercent: Double)
    /// The run ended before the audio thread took it.
    case ended

    public var description: String {
        switch self {
        case let .build(error):
            return "\(error)"
        case let .mismatch(reason):
            return reason
        case let .join(error):
            return "\(error)"
        case let .historyTooShort(needed, kept, rate):
            let seconds = Double(needed) / Double(max(1, rate))
            return "it needs the input's last \(needed) frames to start without a transient, but the run keeps \(kept); restart with --swap-history \(Int(seconds.rounded(.up)) + 1)"
        case let .tooSlow(old, new, limit):
            return String(format: "the running filter (%.1f%% of a period, median) and the new one (%.1f%%) would need %.1f%% together during the crossfade, over the %.0f%% allowed; use a larger --period or --crossfade 0", old, new, old + new, limit)
        case .ended:
            return "the run ended first"
        }
    }
}
