import StreamConv

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
    /// The filter refused the signal (too short, bad padding for its length…): the core's error.
    case filter(Conv1dError)
    /// The input delivered fewer frames than its header promised, and `--strict` was given.
    case truncated(path: String, promised: Int64, read: Int64)
    /// `--block whole` would have to hold more than `limit` frames in memory.
    case tooLongForWhole(path: String, limit: Int64)
    /// Raw input that starts with an audio file's header.
    case rawIsAFile(path: String, container: String)
    /// `--out` names the input file (through any link) and `--in-place` was not given.
    case sameFile(path: String)
    /// A sample was out of the integer range and clipping was made an error (`--clip error`).
    case clipped(path: String, frame: Int64, channel: Int)
    /// `--dither shaped` for an output at a rate its filter is not made for.
    case shapedDitherRate(rate: Int)

    public var description: String {
        switch self {
        case let .open(path, reason): return "cannot open \(path): \(reason)"
        case let .shapedDitherRate(rate):
            return "--dither shaped uses Lipshitz's noise-shaping filter, made for 44.1 kHz, but the output is at \(rate) Hz; use --dither tpdf, or resample to 44.1 kHz first"
        case let .io(path, reason): return "\(path): \(reason)"
        case let .channels(path, got, expected):
            return "\(path) has \(got) channel\(got == 1 ? "" : "s") but the preset expects in_channels=\(expected); use a \(expected)-channel input or a preset made for \(got) channel\(got == 1 ? "" : "s")"
        case let .sampleRate(path, got, preset):
            return "\(path) is at \(got) Hz but the preset was made for \(preset) Hz; resample the input, use a preset for \(got) Hz, or give --allow-rate-mismatch to run it anyway"
        case let .strideRate(rate, stride):
            return Conv1dError.strideDoesNotDivideRate(rate: rate, stride: stride).description + " (raw output, --out -, has no rate and is allowed)"
        case let .format(path, reason): return "cannot write \(path): \(reason)"
        case let .partialFrame(bytes, frameBytes):
            return "raw input ended inside a frame (\(bytes) bytes is not a multiple of \(frameBytes) bytes per frame)"
        case let .filter(error): return error.description
        case let .truncated(path, promised, read):
            return "\(path): the header promises \(promised) frames but only \(read) could be read (truncated file?); no output written (--strict)"
        case let .tooLongForWhole(path, limit):
            return "\(path) is longer than the \(limit) frames --block whole can hold within the memory limit; stream it with --block N, or raise --max-memory"
        case let .rawIsAFile(path, container):
            return "\(path) starts with \(container) file header, not raw samples; leave out --raw-format, --channels and --rate to read it as \(container) stream"
        case let .sameFile(path):
            return "\(path) is the input file; write to another file, or give --in-place to replace the input once the output is complete"
        case let .clipped(path, frame, channel):
            return "\(path): output frame \(frame), channel \(channel) is outside the integer range (--clip error); lower the level or write --out-format float"
        }
    }
}
