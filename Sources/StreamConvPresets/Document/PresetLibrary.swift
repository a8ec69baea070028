import Foundation

/// Finds presets by file path or by name.
///
/// A name is looked up as `NAME.json` in, in order: each folder of `$STREAMCONV_PRESETS`
/// (colon-separated), the installed presets (`share/streamconv/presets` beside the binary's
/// `bin/`, where `scripts/install` puts them), `./presets`, and the `presets/` folder of the
/// source checkout the running executable was built in (found by walking up from the
/// executable), so `streamconv run --preset lowpass-4k` works from a fresh build too.
public struct PresetLibrary: Sendable {
    /// The folders searched for names, in order.
    public let folders: [URL]
    /// Reads the audio files of `impulse_response` presets; without one such presets are
    /// refused with a message saying so.
    public var impulseResponses: ImpulseResponseReader?

    /// A library over explicit folders.
    public init(folders: [URL], impulseResponses: ImpulseResponseReader? = nil) {
        self.folders = folders
        self.impulseResponses = impulseResponses
    }

    /// The default search path (see the type's documentation).
    public static func standard(environment: [String: String] = ProcessInfo.processInfo.environment, impulseResponses: ImpulseResponseReader? = nil) -> PresetLibrary {
        var folders: [URL] = []
        if let list = environment["STREAMCONV_PRESETS"] {
            folders += list.split(separator: ":").map { URL(fileURLWithPath: String($0)) }
        }
        if let executable = executableFolder() {
            folders.append(executable.deletingLastPathComponent().appendingPathComponent("share/streamconv/presets"))
        }
        folders.append(URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent("presets"))
        if let checkout = sourceCheckoutPresets() { folders.append(checkout) }
        var seen = Set<String>()
        return PresetLibrary(folders: folders.filter { seen.insert($0.standardizedFileURL.path).inserted }, impulseResponses: impulseResponses)
    }

    /// The folder of the running executable, symlinks resolved.
    static func executableFolder() -> URL? {
        guard let exe = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") else { return nil }
        return URL(fileURLWithPath: exe).deletingLastPathComponent()
    }

    /// The `presets/` folder beside the `Package.swift` above the running executable, if any.
    static func sourceCheckoutPresets() -> URL? {
        var dir = URL(fileURLWithPath: CommandLine.arguments.first ?? "").resolvingSymlinksInPath().deletingLastPathComponent()
        if let exe = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            dir = URL(fileURLWithPath: exe).deletingLastPathComponent()
        }
        for _ in 0..<8 {
            let candidate = dir.appendingPathComponent("presets")
            if FileManager.default.fileExists(atPath: dir.appendingPathComponent("Package.swift").path),
               FileManager.default.fileExists(atPath: candidate.path) {
                return candidate
            }
            let parent = dir.deletingLastPathComponent()
            if parent.path == dir.path { break }
            dir = parent
        }
        return nil
    }

    /// The file a preset argument names: an existing file path, or a name in ``folders``.
    /// - Throws: ``PresetError/notFound(name:searched:)``.
    public func locate(_ nameOrPath: String) throws(PresetError) -> URL {
        let looksLikePath = nameOrPath.contains("/") || nameOrPath.hasSuffix(".json")
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: nameOrPath, isDirectory: &isDirectory), !isDirectory.boolValue || looksLikePath {
            // What is there is loaded, and refused with its reason when it is no preset file.
            return URL(fileURLWithPath: nameOrPath)
        }
        if !looksLikePath {
            for folder in folders {
                let file = folder.appendingPathComponent(nameOrPath + ".json")
                if FileManager.default.fileExists(atPath: file.path) { return file }
            }
        }
        throw .notFound(name: nameOrPath, searched: looksLikePath ? [] : folders.map(\.path),
                        suggestion: looksLikePath ? nil : closestName(to: nameOrPath))
    }

    /// The names `--preset` finds, in search order (the first folder's first, each folder's
    /// sorted), each once; nothing is read but the folders' listings (for shell completion).
    public func names() -> [String] {
        var seen = Set<String>()
        return folders.flatMap { folder in
            ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).sorted()
                .filter { $0.hasSuffix(".json") }.map { String($0.dropLast(5)) }
        }.filter { seen.insert($0).inserted }
    }

    /// The preset name in ``folders`` nearest to a mistyped `name`: within one edit per three
    /// characters (at least one), the nearest first, then the first folder's.
    func closestName(to name: String) -> String? {
        let limit = max(1, name.count / 3)
        var best: (name: String, distance: Int)?
        for candidate in names() {
            let d = Self.editDistance(name.lowercased(), candidate.lowercased())
            if d <= limit, d < (best?.distance ?? .max) { best = (candidate, d) }
        }
        return best?.name
    }

    /// Levenshtein distance: insertions, deletions and substitutions of characters.
    static func editDistance(_ a: String, _ b: String) -> Int {
        let (x, y) = (Array(a), Array(b))
        if x.isEmpty { return y.count }
        var row = Array(0...y.count)
        for i in 1...x.count {
            var previous = row[0]
            row[0] = i
            for j in stride(from: 1, through: y.count, by: 1) {
                let substitution = previous + (x[i - 1] == y[j - 1] ? 0 : 1)
                previous = row[j]
                row[j] = min(substitution, row[j] + 1, row[j - 1] + 1)
            }
        }
        return row[y.count]
    }

    /// Loads a preset or network preset by path or name.
    public func loadDocument(_ nameOrPath: String) throws(PresetError) -> (document: PresetDocument, url: URL) {
        let url = try locate(nameOrPath)
        return (try Self.loadDocument(file: Array(url.path.utf8), impulseResponses: impulseResponses), url)
    }

    /// Loads the preset or network preset file at `path` (bytes as the system uses them).
    public static func loadDocument(file path: [UInt8], impulseResponses: ImpulseResponseReader? = nil) throws(PresetError) -> PresetDocument {
        let (root, stem, directory) = try readDocument(path)
        if NetworkPreset.isNetwork(root) {
            return .network(try NetworkPreset(root, defaultName: stem, directory: directory))
        }
        return .filter(try Preset(root, defaultName: stem, directory: directory, impulseResponses: impulseResponses))
    }

    /// The parsed JSON of the preset file at `path`, its stem (the default name) and its folder
    /// (where relative paths start).
    static func readDocument(_ path: [UInt8]) throws(PresetError) -> (root: JSONValue, stem: String, directory: String) {
        let shown = String(decoding: path, as: UTF8.self)
        let bytes = try readRegularFile(path, limit: largestFile, kind: "a .json file")
        let text = try decodeUTF8(bytes, path: shown)
        let name = shown.split(separator: "/").last.map(String.init) ?? shown
        let stem = name.hasSuffix(".json") ? String(name.dropLast(5)) : name
        let folder = shown.contains("/") ? String(shown[..<shown.lastIndex(of: "/")!]) : "."
        do {
            return (try JSONValue.parse(text), stem, folder.isEmpty ? "/" : folder)
        } catch {
            throw .syntax(file: name, error)
        }
    }

    /// Loads a preset by path or name.
    public func load(_ nameOrPath: String) throws(PresetError) -> (preset: Preset, url: URL) {
        let url = try locate(nameOrPath)
        return (try Self.load(url, impulseResponses: impulseResponses), url)
    }

    /// The largest preset file read (a layer's weights as JSON text).
    public static let largestFile = 1 << 30

    /// Loads a preset file: a regular file of UTF-8 JSON (a UTF-8 byte-order mark is allowed).
    /// - Throws: ``PresetError/unreadable(path:reason:)`` saying what the file is instead
    ///   (a folder, a FIFO or device, UTF-16 text, invalid UTF-8), or a decoding error.
    public static func load(_ url: URL, impulseResponses: ImpulseResponseReader? = nil) throws(PresetError) -> Preset {
        try load(file: Array(url.path.utf8), impulseResponses: impulseResponses)
    }

    /// Loads the preset file at `path`, given as the bytes the system uses (a name that is
    /// not UTF-8 is found as it is).
    public static func load(file path: [UInt8], impulseResponses: ImpulseResponseReader? = nil) throws(PresetError) -> Preset {
        let (root, stem, directory) = try readDocument(path)
        return try Preset(root, defaultName: stem, directory: directory, impulseResponses: impulseResponses)
    }

    /// A regular file of at most `limit` bytes opened for reading through a byte path: its
    /// descriptor (the caller closes it) and size.
    /// - Throws: ``PresetError/unreadable(path:reason:)`` saying what the file is instead.
    static func openRegularFile(_ path: [UInt8], limit: Int, kind: String) throws(PresetError) -> (descriptor: Int32, size: Int) {
        let shown = String(decoding: path, as: UTF8.self)
        let cPath = path.map { CChar(bitPattern: $0) } + [0]
        var st = stat()
        guard stat(cPath, &st) == 0 else { throw .unreadable(path: shown, reason: String(cString: strerror(errno))) }
        switch st.st_mode & S_IFMT {
        case S_IFREG: break
        case S_IFDIR: throw .unreadable(path: shown, reason: "it is a folder, not a preset file")
        default: throw .unreadable(path: shown, reason: "it is not a regular file (a FIFO, socket or device); give \(kind)")
        }
        guard Int(st.st_size) <= limit else {
            throw .unreadable(path: shown, reason: "it is \(st.st_size) bytes; files over \(limit) bytes are refused")
        }
        let fd = open(cPath, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .unreadable(path: shown, reason: String(cString: strerror(errno))) }
        return (fd, Int(st.st_size))
    }

    /// The bytes of a regular file of at most `limit` bytes, read through a byte path.
    /// - Throws: ``PresetError/unreadable(path:reason:)`` saying what the file is instead.
    static func readRegularFile(_ path: [UInt8], limit: Int, kind: String) throws(PresetError) -> [UInt8] {
        let shown = String(decoding: path, as: UTF8.self)
        let (fd, size) = try openRegularFile(path, limit: limit, kind: kind)
        defer { close(fd) }
        var bytes = [UInt8](repeating: 0, count: size)
        var filled = 0
        while true {
            if filled == bytes.count { bytes += [UInt8](repeating: 0, count: max(4096, bytes.count)) }
            let n = bytes.withUnsafeMutableBytes { read(fd, $0.baseAddress! + filled, $0.count - filled) }
            if n < 0 && errno == EINTR { continue }
            if n < 0 { throw .unreadable(path: shown, reason: String(cString: strerror(errno))) }
            if n == 0 { break }
            filled += n
            if filled > limit { throw .unreadable(path: shown, reason: "it grew past \(limit) bytes while being read") }
        }
        return Array(bytes[0..<filled])
    }

    /// The text of a preset file, which must be UTF-8.
    static func decodeUTF8(_ bytes: [UInt8], path: String) throws(PresetError) -> String {
        var body = bytes[...]
        if body.starts(with: [0xEF, 0xBB, 0xBF]) { body = body.dropFirst(3) }
        if body.starts(with: [0xFF, 0xFE]) || body.starts(with: [0xFE, 0xFF])
            || (body.count >= 2 && (body[body.startIndex] == 0 || body[body.startIndex + 1] == 0)) {
            throw .unreadable(path: path, reason: "it is UTF-16 text; presets are UTF-8 JSON (save it as UTF-8)")
        }
        var offset = body.startIndex
        var iterator = body.makeIterator()
        var decoder = UTF8()
        while true {
            switch decoder.decode(&iterator) {
            case let .scalarValue(scalar):
                offset += UTF8.width(scalar)
            case .emptyInput:
                return String(decoding: body, as: UTF8.self)
            case .error:
                throw .unreadable(path: path, reason: "byte \(offset) is not valid UTF-8; presets are UTF-8 JSON")
            }
        }
    }

    /// Every preset file in ``folders`` (the first of each name wins), sorted by name, with
    /// the preset or the error that loading it gave.
    public func all() -> [(name: String, url: URL, result: Result<Preset, PresetError>)] {
        var seen = Set<String>()
        var found: [(String, URL, Result<Preset, PresetError>)] = []
        for folder in folders {
            let files = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
            for file in files.sorted() where file.hasSuffix(".json") {
                let name = String(file.dropLast(5))
                guard seen.insert(name).inserted else { continue }
                let url = folder.appendingPathComponent(file)
                found.append((name, url, Result { () throws(PresetError) in try Self.load(url, impulseResponses: impulseResponses) }))
            }
        }
        return found.sorted { $0.0 < $1.0 }
    }
}

/// What a preset file holds: one filter (schema version 1) or a network (version 2).
public enum PresetDocument: Sendable {
    /// A `conv1d` filter.
    case filter(Preset)
    /// A network of layers.
    case network(NetworkPreset)

    /// The document's name.
    public var name: String {
        switch self {
        case let .filter(p): return p.name
        case let .network(n): return n.name
        }
    }
}
