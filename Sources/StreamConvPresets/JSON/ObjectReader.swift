/// An object being decoded: remembers its path for messages and refuses keys not in `allowed`.
struct ObjectReader {
    let pairs: [(String, JSONValue)]
    let path: String

    init(_ value: JSONValue, path: String, allowed: [String]) throws(PresetError) {
        guard case let .object(pairs) = value else {
            throw .invalid(path: path, expected: "an object", got: value.kind)
        }
        for (key, _) in pairs where !allowed.contains(key) {
            throw .unknownKey(path: path == "preset" ? key : "\(path).\(key)", allowed: allowed)
        }
        self.pairs = pairs
        self.path = path
    }

    func keyPath(_ key: String) -> String { path == "preset" ? key : "\(path).\(key)" }
    func has(_ key: String) -> Bool { pairs.contains { $0.0 == key } }
    func value(_ key: String) -> JSONValue? { pairs.first { $0.0 == key }?.1 }

    func required(_ key: String) throws(PresetError) -> JSONValue {
        guard let v = value(key) else { throw .missingKey(path: keyPath(key)) }
        return v
    }

    func optional<R>(_ key: String, _ decode: (JSONValue, String) throws(PresetError) -> R) throws(PresetError) -> R? {
        guard let v = value(key) else { return nil }
        return try decode(v, keyPath(key))
    }
}
