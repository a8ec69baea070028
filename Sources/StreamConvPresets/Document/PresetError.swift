import StreamConv

/// Why a preset could not be found, read or used. Messages name the key path and say what
/// was expected, e.g. `conv1d.padding_mode: expected one of zeros, reflect, replicate,
/// circular, got "mirror"`.
/// Errors from other layers are kept, typed, inside the case that says where they arose
/// (``conv1d(path:_:context:)`` holds the core's ``Conv1dError``, ``design(path:expected:_:)``
/// the FIR design's failure, ``tensors(_:)`` the tensor file's), never re-described as text.
public enum PresetError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file is not JSON.
    case syntax(file: String, JSONSyntaxError)
    /// A key the schema does not have.
    case unknownKey(path: String, allowed: [String])
    /// A required key is missing.
    case missingKey(path: String)
    /// A value of the wrong type or range.
    case invalid(path: String, expected: String, got: String)
    /// The weight sources given are not exactly one.
    case weightSources(found: [String])
    /// A weight source this version cannot load yet.
    case unsupportedSource(key: String)
    /// A preset name or path that matches no file.
    case notFound(name: String, searched: [String], suggestion: String? = nil)
    /// The file could not be read.
    case unreadable(path: String, reason: String)
    /// A weights file (safetensors, npy, taps, impulse response) does not fit the layer.
    case weightsFile(String)
    /// A tensor file (safetensors, npy) is malformed.
    case tensors(TensorFileError)
    /// The impulse-response reader (audio I/O, outside this module) failed on `path`.
    case impulseResponse(path: String, reason: ReaderFailure)
    /// A design that cannot be made (at the rate given).
    case design(path: String, expected: String, FIRDesign.Failure)
    /// The configuration or weights are inconsistent: the core's error, with what led to it.
    case conv1d(path: String, Conv1dError, context: String = "")
    /// A network preset's graph does not hold together (channels, rates, names).
    case network(NetworkError)
    /// The resampler refused a response (``ResponseResampler``'s error, kept).
    case resampling(path: String, reason: ReaderFailure)

    public var description: String {
        switch self {
        case let .syntax(file, error):
            return "\(file): not valid JSON at \(error)"
        case let .unknownKey(path, allowed):
            return "\(path): unknown key; allowed here: \(allowed.joined(separator: ", "))"
        case let .missingKey(path):
            return "\(path): required key is missing"
        case let .invalid(path, expected, got):
            return "\(path): expected \(expected), got \(got)"
        case let .weightSources(found):
            if found.isEmpty {
                return "preset has no weights: give exactly one of weight (with bias), weights, taps, impulse_response, design, outputs, init"
            }
            return "preset gives \(found.joined(separator: " and ")); give exactly one of weight, weights, taps, impulse_response, design, outputs, init"
        case let .unsupportedSource(key):
            return "\(key): this version of streamconv cannot load '\(key)' presets yet; give weight/bias, weights or init"
        case let .notFound(name, searched, suggestion):
            let hint = suggestion.map { "did you mean '\($0)'? (run 'streamconv presets' to list them)" } ?? "run 'streamconv presets' to list them"
            return "no preset '\(name)': not a file, and not a preset name in \(searched.isEmpty ? "any preset folder" : searched.joined(separator: ", ")); \(hint)"
        case let .unreadable(path, reason):
            return "cannot read preset \(path): \(reason)"
        case let .weightsFile(message):
            return "weights: \(message)"
        case let .tensors(error):
            return "weights: \(error)"
        case let .impulseResponse(_, reason):
            return "weights: impulse_response: \(reason)"
        case let .design(path, expected, failure):
            return "\(path): expected \(expected), got \(failure)"
        case let .conv1d(path, error, context):
            return "\(path): \(context)\(error)"
        case let .network(error):
            return "network: \(error)"
        case let .resampling(path, reason):
            return "\(path): \(reason)"
        }
    }
}

/// An impulse-response reader's error, whatever its type (the reader is the caller's: the
/// CLI's reads audio through libsndfile), kept as the error it is; equal when the
/// descriptions are.
public struct ReaderFailure: Error, Sendable, Equatable, CustomStringConvertible {
    /// The reader's error.
    public let underlying: any Error & Sendable

    /// Wraps `underlying`.
    public init(_ underlying: any Error & Sendable) { self.underlying = underlying }

    public var description: String { "\(underlying)" }

    public static func == (lhs: ReaderFailure, rhs: ReaderFailure) -> Bool { lhs.description == rhs.description }
}
