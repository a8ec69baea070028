/// A parsed JSON document that keeps what strict preset decoding needs and Foundation's
/// parsers drop: each number's exact text (a float32 weight is parsed straight to `Float`,
/// never rounded through `Double`), the order of object keys, and duplicate keys as an error.
public indirect enum JSONValue: Sendable, Equatable {
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

    /// Parses a whole document.
    /// - Throws: ``JSONSyntaxError`` with the line and column of the problem.
    public static func parse(_ text: String) throws(JSONSyntaxError) -> JSONValue {
        var parser = JSONParser(text: Substring(text))
        parser.skipWhitespace()
        let value = try parser.value(depth: 0)
        parser.skipWhitespace()
        if parser.index != parser.text.endIndex { throw parser.error("unexpected text after the JSON value") }
        return value
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

private struct JSONParser {
    let text: Substring
    var index: Substring.Index

    init(text: Substring) {
        self.text = text
        index = text.startIndex
    }

    func error(_ message: String) -> JSONSyntaxError {
        let before = text[text.startIndex..<index]
        // "\r\n" is one Character in Swift: count it as the line break it is.
        let isBreak = { (c: Character) in c == "\n" || c == "\r\n" }
        let line = before.reduce(1) { isBreak($1) ? $0 + 1 : $0 }
        let column = before.count - (before.lastIndex(where: isBreak).map { before.distance(from: before.startIndex, to: $0) + 1 } ?? 0) + 1
        return JSONSyntaxError(line: line, column: column, message: message)
    }

    var current: Character? { index < text.endIndex ? text[index] : nil }

    mutating func skipWhitespace() {
        while let c = current, c == " " || c == "\n" || c == "\t" || c == "\r" || c == "\r\n" { index = text.index(after: index) }
    }

    mutating func expect(_ literal: String) throws(JSONSyntaxError) {
        for ch in literal {
            guard current == ch else { throw error("expected \"\(literal)\"") }
            index = text.index(after: index)
        }
    }

    mutating func value(depth: Int) throws(JSONSyntaxError) -> JSONValue {
        if depth > 64 { throw error("nesting deeper than 64 levels") }
        switch current {
        case nil: throw error("unexpected end of document")
        case "{": return try object(depth: depth)
        case "[": return try array(depth: depth)
        case "\"": return .string(try string())
        case "t": try expect("true"); return .bool(true)
        case "f": try expect("false"); return .bool(false)
        case "n": try expect("null"); return .null
        case let c? where c == "-" || c.isASCII && c.isNumber: return .number(try number())
        case let c?: throw error("unexpected character \"\(c)\"")
        }
    }

    mutating func object(depth: Int) throws(JSONSyntaxError) -> JSONValue {
        index = text.index(after: index)
        var pairs: [(String, JSONValue)] = []
        var seen = Set<String>()
        skipWhitespace()
        if current == "}" { index = text.index(after: index); return .object(pairs) }
        while true {
            skipWhitespace()
            guard current == "\"" else { throw error("expected a quoted key") }
            let key = try string()
            if !seen.insert(key).inserted { throw error("duplicate key \"\(key)\"") }
            skipWhitespace()
            try expect(":")
            skipWhitespace()
            pairs.append((key, try value(depth: depth + 1)))
            skipWhitespace()
            if current == "," { index = text.index(after: index); continue }
            if current == "}" { index = text.index(after: index); return .object(pairs) }
            throw error("expected \",\" or \"}\"")
        }
    }

    mutating func array(depth: Int) throws(JSONSyntaxError) -> JSONValue {
        index = text.index(after: index)
        var items: [JSONValue] = []
        skipWhitespace()
        if current == "]" { index = text.index(after: index); return .array(items) }
        while true {
            skipWhitespace()
            items.append(try value(depth: depth + 1))
            skipWhitespace()
            if current == "," { index = text.index(after: index); continue }
            if current == "]" { index = text.index(after: index); return .array(items) }
            throw error("expected \",\" or \"]\"")
        }
    }

    mutating func string() throws(JSONSyntaxError) -> String {
        index = text.index(after: index)
        var out = ""
        while true {
            guard let c = current else { throw error("unterminated string") }
            index = text.index(after: index)
            switch c {
            case "\"": return out
            case "\\":
                guard let e = current else { throw error("unterminated string") }
                index = text.index(after: index)
                switch e {
                case "\"": out.append("\"")
                case "\\": out.append("\\")
                case "/": out.append("/")
                case "b": out.append("\u{8}")
                case "f": out.append("\u{C}")
                case "n": out.append("\n")
                case "r": out.append("\r")
                case "t": out.append("\t")
                case "u":
                    var code = try hex4()
                    if (0xD800..<0xDC00).contains(code) {
                        try expect("\\u")
                        let low = try hex4()
                        guard (0xDC00..<0xE000).contains(low) else { throw error("invalid surrogate pair") }
                        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                    }
                    guard let scalar = Unicode.Scalar(code) else { throw error("invalid \\u escape") }
                    out.unicodeScalars.append(scalar)
                default: throw error("invalid escape \"\\\(e)\"")
                }
            case let c where c.unicodeScalars.first!.value < 0x20:
                throw error("control character in string")
            default:
                out.append(c)
            }
        }
    }

    mutating func hex4() throws(JSONSyntaxError) -> UInt32 {
        var code: UInt32 = 0
        for _ in 0..<4 {
            guard let c = current, let digit = c.hexDigitValue else { throw error("expected 4 hex digits") }
            code = code * 16 + UInt32(digit)
            index = text.index(after: index)
        }
        return code
    }

    mutating func number() throws(JSONSyntaxError) -> Substring {
        let start = index
        func digits(_ p: inout JSONParser) -> Int {
            var n = 0
            while let c = p.current, c.isASCII, c.isNumber { p.index = p.text.index(after: p.index); n += 1 }
            return n
        }
        if current == "-" { index = text.index(after: index) }
        if current == "0" {
            index = text.index(after: index)
        } else if digits(&self) == 0 {
            throw error("invalid number")
        }
        if current == "." {
            index = text.index(after: index)
            if digits(&self) == 0 { throw error("invalid number: digits expected after \".\"") }
        }
        if current == "e" || current == "E" {
            index = text.index(after: index)
            if current == "+" || current == "-" { index = text.index(after: index) }
            if digits(&self) == 0 { throw error("invalid number: digits expected in the exponent") }
        }
        return text[start..<index]
    }
}
