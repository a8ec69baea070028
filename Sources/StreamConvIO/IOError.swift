/// Why reading, writing or running a file could not be done. Messages name the file and,
/// where the library gives one, libsndfile's own reason.
public enum IOError: Error, Sendable, Equatable, CustomStringConvertible {
    /// libsndfile could not open a file.
    case open(path: String, reason: String)
    /// Reading or writing failed part way.
    case io(path: String, reason: String)
    /// The input's channel count is not the filter's `in_channels`.
    case channels(path: String, got: Int, expected: Int)
    /// The input's rate is not the rate the preset was made for.
    case sampleRate(path: String, got: Int, preset: Int)
    /// The output rate `rate / stride` is not a whole number.
    case strideRate(rate: Int, stride: Int)
    /// The output format cannot hold the chosen sample type.
    case format(path: String, reason: String)
    /// Raw input whose byte count is not a whole number of frames.
    case partialFrame(bytes: Int, frameBytes: Int)
    /// The filter refused the signal (too short, bad padding for its length…).
    case filter(String)

    public var description: String {
        switch self {
        case let .open(path, reason): return "cannot open \(path): \(reason)"
        case let .io(path, reason): return "\(path): \(reason)"
        case let .channels(path, got, expected):
            return "\(path) has \(got) channel\(got == 1 ? "" : "s") but the preset expects in_channels=\(expected); use a \(expected)-channel input or a preset made for \(got) channel\(got == 1 ? "" : "s")"
        case let .sampleRate(path, got, preset):
            return "\(path) is at \(got) Hz but the preset was made for \(preset) Hz; resample the input or use a preset for \(got) Hz"
        case let .strideRate(rate, stride):
            return "output rate \(rate) Hz / stride \(stride) is not a whole number of Hz; use an input rate divisible by \(stride)"
        case let .format(path, reason): return "cannot write \(path): \(reason)"
        case let .partialFrame(bytes, frameBytes):
            return "raw input ended inside a frame (\(bytes) bytes is not a multiple of \(frameBytes) bytes per frame)"
        case let .filter(message): return message
        }
    }
}
