/// Why a preset could not be found, read or used. Messages name the key path and say what
/// was expected, e.g. `conv1d.padding_mode: expected one of zeros, reflect, replicate,
/// circular, got "mirror"`.
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
    case notFound(name: String, searched: [String])
    /// The file could not be read.
    case unreadable(path: String, reason: String)
    /// A weights file (safetensors, npy) is malformed or does not fit the layer.
    case weightsFile(String)
    /// The configuration or weights are inconsistent (wrapping the core's error).
    case conv1d(path: String, message: String)

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
                return "preset has no weights: give exactly one of weight (with bias), weights, taps, impulse_response, design, init"
            }
            return "preset gives \(found.joined(separator: " and ")); give exactly one of weight, weights, taps, impulse_response, design, init"
        case let .unsupportedSource(key):
            return "\(key): this version of streamconv cannot load '\(key)' presets yet; give weight/bias, weights or init"
        case let .notFound(name, searched):
            return "no preset '\(name)': not a file, and not a preset name in \(searched.isEmpty ? "any preset folder" : searched.joined(separator: ", ")); run 'streamconv presets' to list them"
        case let .unreadable(path, reason):
            return "cannot read preset \(path): \(reason)"
        case let .weightsFile(message):
            return "weights: \(message)"
        case let .conv1d(path, message):
            return "\(path): \(message)"
        }
    }
}
