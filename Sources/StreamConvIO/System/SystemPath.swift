/// A file path as the kernel sees it: bytes, which need not be UTF-8.
///
/// Paths given on a command line are passed through as the bytes the user typed, so a file
/// named in Latin-1 is found and written under its own name instead of a `U+FFFD` copy.
/// Messages show the path with invalid bytes replaced; only the display is lossy.
public struct SystemPath: Hashable, Sendable, CustomStringConvertible, ExpressibleByStringLiteral {
    /// The path's bytes, without a terminating NUL.
    public let bytes: [UInt8]

    /// The UTF-8 encoding of `string`.
    public init(_ string: String) { bytes = Array(string.utf8) }

    /// `bytes` as they are (a NUL byte ends the path, as it does for the kernel).
    public init(bytes: [UInt8]) { self.bytes = Array(bytes.prefix { $0 != 0 }) }

    public init(stringLiteral value: String) { self.init(value) }

    /// The path for messages: invalid UTF-8 shown as `U+FFFD`.
    public var description: String { String(decoding: bytes, as: UTF8.self) }

    /// Whether the path is empty.
    public var isEmpty: Bool { bytes.isEmpty }

    /// The folder part (`.` for a bare name, `/` for a file in the root).
    public var directory: SystemPath {
        guard let slash = bytes.lastIndex(of: UInt8(ascii: "/")) else { return "." }
        return slash == 0 ? "/" : SystemPath(bytes: Array(bytes[..<slash]))
    }

    /// The last component (the whole path when it has no slash).
    public var lastComponent: [UInt8] {
        guard let slash = bytes.lastIndex(of: UInt8(ascii: "/")) else { return bytes }
        return Array(bytes[(slash + 1)...])
    }

    /// The extension of the last component, lowercased ASCII, without the dot ("" when none).
    public var pathExtension: String {
        let name = lastComponent
        guard let dot = name.lastIndex(of: UInt8(ascii: ".")), dot > 0 else { return "" }
        return String(decoding: name[(dot + 1)...], as: UTF8.self).lowercased()
    }

    /// `component` inside this folder.
    public func appending(_ component: [UInt8]) -> SystemPath {
        if bytes.isEmpty { return SystemPath(bytes: component) }
        return SystemPath(bytes: bytes + (bytes.last == UInt8(ascii: "/") ? [] : [UInt8(ascii: "/")]) + component)
    }

    /// Calls `body` with the path as a NUL-terminated C string.
    public func withCString<R>(_ body: (UnsafePointer<CChar>) throws -> R) rethrows -> R {
        try (bytes + [0]).withUnsafeBufferPointer { buffer in
            try buffer.withMemoryRebound(to: CChar.self) { try body($0.baseAddress!) }
        }
    }

    /// The raw bytes of the command-line argument that `argument` was decoded from: Swift
    /// repairs invalid UTF-8 in `CommandLine.arguments`, so a non-UTF-8 name is recovered
    /// from `argv` itself (also the value part of `--opt=value`).
    public static func fromArgument(_ argument: String) -> SystemPath {
        let argv = CommandLine.unsafeArgv
        for i in 0..<Int(CommandLine.argc) {
            guard let raw = argv[i] else { continue }
            let length = strlen(raw)
            let bytes = raw.withMemoryRebound(to: UInt8.self, capacity: length) { Array(UnsafeBufferPointer(start: $0, count: length)) }
            if String(decoding: bytes, as: UTF8.self) == argument { return SystemPath(bytes: bytes) }
            if let equals = bytes.firstIndex(of: UInt8(ascii: "=")), bytes.first == UInt8(ascii: "-"),
               String(decoding: bytes[(equals + 1)...], as: UTF8.self) == argument {
                return SystemPath(bytes: Array(bytes[(equals + 1)...]))
            }
        }
        return SystemPath(argument)
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
