/// Typed reads of JSON values for the preset decoder: each names the key path it failed at.
extension JSONValue {
    func string(_ path: String) throws(PresetError) -> String {
        guard case let .string(s) = self else { throw .invalid(path: path, expected: "a string", got: kind) }
        return s
    }

    func bool(_ path: String) throws(PresetError) -> Bool {
        guard case let .bool(b) = self else { throw .invalid(path: path, expected: "true or false", got: kind) }
        return b
    }

    func int(_ path: String, min: Int, max: Int = Int(Int32.max)) throws(PresetError) -> Int {
        let expected = "an integer from \(min) to \(max)"
        guard case let .number(text) = self, let n = Int(text) else {
            let got: String = if case let .number(text) = self { String(text) } else { kind }
            throw .invalid(path: path, expected: expected, got: got)
        }
        guard n >= min && n <= max else { throw .invalid(path: path, expected: expected, got: String(text)) }
        return n
    }

    func double(_ path: String) throws(PresetError) -> Double {
        guard case let .number(text) = self, let value = Double(text), value.isFinite else {
            throw .invalid(path: path, expected: "a finite number", got: kind)
        }
        return value
    }

    func uint64(_ path: String) throws(PresetError) -> UInt64 {
        guard case let .number(text) = self, let n = UInt64(text) else {
            let got: String = if case let .number(text) = self { String(text) } else { kind }
            throw .invalid(path: path, expected: "an integer from 0 to \(UInt64.max)", got: got)
        }
        return n
    }

    /// An integer, or a one-element list of one, as PyTorch accepts for Conv1d's tuple arguments.
    func intOrSingleton(_ path: String, min: Int) throws(PresetError) -> Int {
        if case let .array(items) = self {
            guard items.count == 1 else {
                throw .invalid(path: path, expected: "an integer ≥ \(min) or a list of one", got: "a list of \(items.count)")
            }
            return try items[0].int("\(path)[0]", min: min)
        }
        return try int(path, min: min)
    }

    /// The shape of a regular nested array of `depth` levels, or `nil` when ragged or not arrays.
    func regularShape(depth: Int) -> [Int]? {
        guard depth > 0 else { return [] }
        guard case let .array(items) = self else { return nil }
        guard let first = items.first else { return [0] + Array(repeating: 0, count: depth - 1) }
        guard let inner = first.regularShape(depth: depth - 1) else { return nil }
        for item in items.dropFirst() where item.regularShape(depth: depth - 1) != inner { return nil }
        return [items.count] + inner
    }

    /// The shape read along the first element at each level (for messages).
    func firstShape(depth: Int) -> [Int] {
        guard depth > 0, case let .array(items) = self else { return [] }
        return [items.count] + (items.first?.firstShape(depth: depth - 1) ?? [])
    }

    /// Appends every number of a nested array of exactly `depth` levels in row-major order.
    func collectNumbers(into out: inout [Substring], path: String, depth: Int) throws(PresetError) {
        switch self {
        case let .number(text) where depth == 0: out.append(text)
        case let .array(items) where depth > 0:
            for (i, item) in items.enumerated() { try item.collectNumbers(into: &out, path: "\(path)[\(i)]", depth: depth - 1) }
        default:
            throw .invalid(path: path, expected: depth == 0 ? "a number" : "an array", got: kind)
        }
    }
}
