/// A parsed JSON document that keeps what strict preset decoding needs and Foundation's
/// parsers drop: each number's exact text (a float32 weight is parsed straight to `Float`,
/// never rounded through `Double`), the order of object keys, and duplicate keys as an error.
/// Not `indirect`: arrays and objects already live on the heap, and boxing every number cost
/// an allocation per weight.
public enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    /// A number as written in the document.
    case number(Substring)
    case string(String)
    case array([JSONValue])
    /// Key–value pairs in document order; keys are unique.
    case object([(String, JSONValue)])

    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): return true
        case let (.bool(a), .bool(b)): return a == b
        case let (.number(a), .number(b)): return a == b
        case let (.string(a), .string(b)): return a == b
        case let (.array(a), .array(b)): return a == b
        case let (.object(a), .object(b)): return a.count == b.count && zip(a, b).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: return false
        }
    }

    /// A word for this kind of value, for error messages ("a string", "an array").
    public var kind: String {
        switch self {
        case .null: return "null"
        case .bool: return "a boolean"
        case .number: return "a number"
        case .string: return "a string"
        case .array: return "an array"
        case .object: return "an object"
        }
    }

    /// Parses a whole document, a byte at a time over its UTF-8 (numbers keep their text as
    /// a slice of `text`, so they are later read bit for bit).
    /// - Throws: ``JSONSyntaxError`` with the line and column of the problem.
    public static func parse(_ text: String) throws(JSONSyntaxError) -> JSONValue {
        var text = text
        text.makeContiguousUTF8()
        let whole = Substring(text)
        do {
            return try whole.utf8.withContiguousStorageIfAvailable { bytes throws(JSONSyntaxError) -> JSONValue in
                var parser = JSONParser(text: whole, bytes: bytes)
                parser.skipWhitespace()
                let value = try parser.value(depth: 0)
                parser.skipWhitespace()
                if parser.at != bytes.count { throw parser.error("unexpected text after the JSON value") }
                return value
            }!
        } catch let error as JSONSyntaxError {
            throw error
        } catch {
            preconditionFailure("the JSON parser throws only JSONSyntaxError")
        }
    }
}

/// Where and why a document is not JSON.
public struct JSONSyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
    /// 1-based line.
    public let line: Int
    /// 1-based column, in characters.
    public let column: Int
    /// What was wrong.
    public let message: String

    /// An error at `line`, `column`.
    public init(line: Int, column: Int, message: String) {
        self.line = line
        self.column = column
        self.message = message
    }

    public var description: String { "line \(line), column \(column): \(message)" }
}

/// A recursive-descent parser over the document's UTF-8 bytes: every structural character
/// of JSON is ASCII, so bytes are compared, not Characters (grapheme breaking cost 8–10 MB/s).
private struct JSONParser {
    /// The document, for the slices numbers keep and for error positions.
    let text: Substring
    let bytes: UnsafeBufferPointer<UInt8>
    /// Offset of the next byte.
    var at = 0

    init(text: Substring, bytes: UnsafeBufferPointer<UInt8>) {
        self.text = text
        self.bytes = bytes
    }

    /// The error at the current byte: lines counted by line feeds ("\r\n" is one break), the
    /// column in characters, as an editor shows it.
    func error(_ message: String) -> JSONSyntaxError {
        let before = UnsafeBufferPointer(rebasing: bytes[0..<at])
        let line = before.reduce(1) { $1 == UInt8(ascii: "\n") ? $0 + 1 : $0 }
        let lineStart = (before.lastIndex(of: UInt8(ascii: "\n")) ?? -1) + 1
        let column = String(decoding: UnsafeBufferPointer(rebasing: bytes[lineStart..<at]), as: UTF8.self).count + 1
        return JSONSyntaxError(line: line, column: column, message: message)
    }

    var current: UInt8? { at < bytes.count ? bytes[at] : nil }

    mutating func skipWhitespace() {
        while at < bytes.count {
            switch bytes[at] {
            case UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\t"), UInt8(ascii: "\r"): at += 1
            default: return
            }
        }
    }

    mutating func expect(_ literal: StaticString) throws(JSONSyntaxError) {
        for byte in UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount) {
            guard current == byte else { throw error("expected \"\(literal)\"") }
            at += 1
        }
    }

    mutating func value(depth: Int) throws(JSONSyntaxError) -> JSONValue {
        if depth > 64 { throw error("nesting deeper than 64 levels") }
        guard let c = current else { throw error("unexpected end of document") }
        switch c {
        case UInt8(ascii: "{"): return try object(depth: depth)
        case UInt8(ascii: "["): return try array(depth: depth)
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): try expect("true"); return .bool(true)
        case UInt8(ascii: "f"): try expect("false"); return .bool(false)
        case UInt8(ascii: "n"): try expect("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try number())
        default:
            let character = text[text.utf8.index(text.startIndex, offsetBy: at)...].first!
            throw error("unexpected character \"\(character)\"")
        }
    }

    mutating func object(depth: Int) throws(JSONSyntaxError) -> JSONValue {
        at += 1
        var pairs: [(String, JSONValue)] = []
        var seen = Set<String>()
        skipWhitespace()
        if current == UInt8(ascii: "}") { at += 1; return .object(pairs) }
        while true {
            skipWhitespace()
            guard current == UInt8(ascii: "\"") else { throw error("expected a quoted key") }
            let key = try string()
            if !seen.insert(key).inserted { throw error("duplicate key \"\(key)\"") }
            skipWhitespace()
            try expect(":")
            skipWhitespace()
            pairs.append((key, try value(depth: depth + 1)))
            skipWhitespace()
            if current == UInt8(ascii: ",") { at += 1; continue }
            if current == UInt8(ascii: "}") { at += 1; return .object(pairs) }
            throw error("expected \",\" or \"}\"")
        }
    }

    mutating func array(depth: Int) throws(JSONSyntaxError) -> JSONValue {
        at += 1
        var items: [JSONValue] = []
        skipWhitespace()
        if current == UInt8(ascii: "]") { at += 1; return .array(items) }
        // Weight rows run to dozens or thousands of numbers: skip the first doublings.
        items.reserveCapacity(16)
        while true {
            skipWhitespace()
            items.append(try value(depth: depth + 1))
            skipWhitespace()
            if current == UInt8(ascii: ",") { at += 1; continue }
            if current == UInt8(ascii: "]") { at += 1; return .array(items) }
            throw error("expected \",\" or \"]\"")
        }
    }

    mutating func string() throws(JSONSyntaxError) -> String {
        at += 1
        var out: [UInt8] = []
        while true {
            guard let c = current else { throw error("unterminated string") }
            at += 1
            switch c {
            case UInt8(ascii: "\""): return String(decoding: out, as: UTF8.self)
            case UInt8(ascii: "\\"):
                guard let e = current else { throw error("unterminated string") }
                at += 1
                switch e {
                case UInt8(ascii: "\""): out.append(UInt8(ascii: "\""))
                case UInt8(ascii: "\\"): out.append(UInt8(ascii: "\\"))
                case UInt8(ascii: "/"): out.append(UInt8(ascii: "/"))
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "n"): out.append(UInt8(ascii: "\n"))
                case UInt8(ascii: "r"): out.append(UInt8(ascii: "\r"))
                case UInt8(ascii: "t"): out.append(UInt8(ascii: "\t"))
                case UInt8(ascii: "u"):
                    var code = try hex4()
                    if (0xD800..<0xDC00).contains(code) {
                        try expect("\\u")
                        let low = try hex4()
                        guard (0xDC00..<0xE000).contains(low) else { throw error("invalid surrogate pair") }
                        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                    }
                    guard let scalar = Unicode.Scalar(code) else { throw error("invalid \\u escape") }
                    out.append(contentsOf: UTF8.encode(scalar)!)
                default:
                    at -= 1
                    let character = text[text.utf8.index(text.startIndex, offsetBy: at)...].first!
                    at += 1
                    throw error("invalid escape \"\\\(character)\"")
                }
            case 0..<0x20:
                throw error("control character in string")
            default:
                out.append(c)
            }
        }
    }

    mutating func hex4() throws(JSONSyntaxError) -> UInt32 {
        var code: UInt32 = 0
        for _ in 0..<4 {
            guard let c = current, let digit = Self.hexValue(c) else { throw error("expected 4 hex digits") }
            code = code * 16 + digit
            at += 1
        }
        return code
    }

    static func hexValue(_ c: UInt8) -> UInt32? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt32(c - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): UInt32(c - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): UInt32(c - UInt8(ascii: "A") + 10)
        default: nil
        }
    }

    /// The number's text, as a slice of the document.
    mutating func number() throws(JSONSyntaxError) -> Substring {
        let start = at
        func digits(_ p: inout JSONParser) -> Int {
            let from = p.at
            while p.at < p.bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(p.bytes[p.at]) { p.at += 1 }
            return p.at - from
        }
        if current == UInt8(ascii: "-") { at += 1 }
        if current == UInt8(ascii: "0") {
            at += 1
        } else if digits(&self) == 0 {
            throw error("invalid number")
        }
        if current == UInt8(ascii: ".") {
            at += 1
            if digits(&self) == 0 { throw error("invalid number: digits expected after \".\"") }
        }
        if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
            at += 1
            if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { at += 1 }
            if digits(&self) == 0 { throw error("invalid number: digits expected in the exponent") }
        }
        // Up to 15 bytes (a float32 weight's shortest decimal almost always) fit a small
        // string, held inline: no reference to count for each of a million weights.
        if at - start <= 15 {
            return Substring(String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<at]), as: UTF8.self))
        }
        // Longer: a slice of the document. Offsets in native UTF-8 storage are O(1) to turn
        // into indices; the bytes are ASCII, so the slice is whole characters.
        let utf8 = text.utf8
        let from = utf8.index(utf8.startIndex, offsetBy: start)
        return Substring(utf8[from..<utf8.index(from, offsetBy: at - start)])
    }
}
