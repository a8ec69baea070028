import Foundation

/// Finds presets by file path or by name.
///
/// A name is looked up as `NAME.json` in, in order: each folder of `$STREAMCONV_PRESETS`
/// (colon-separated), `./presets`, and the `presets/` folder of the source checkout the
/// running executable was built in (found by walking up from the executable), so
/// `streamconv run --preset lowpass-4k` works from a fresh build without installing anything.
public struct PresetLibrary: Sendable {
    /// The folders searched for names, in order.
    public let folders: [URL]

    /// A library over explicit folders.
    public init(folders: [URL]) {
        self.folders = folders
    }

    /// The default search path (see the type's documentation).
    public static func standard(environment: [String: String] = ProcessInfo.processInfo.environment) -> PresetLibrary {
        var folders: [URL] = []
        if let list = environment["STREAMCONV_PRESETS"] {
            folders += list.split(separator: ":").map { URL(fileURLWithPath: String($0)) }
        }
        folders.append(URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent("presets"))
        if let checkout = sourceCheckoutPresets() { folders.append(checkout) }
        var seen = Set<String>()
        return PresetLibrary(folders: folders.filter { seen.insert($0.standardizedFileURL.path).inserted })
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
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: nameOrPath, isDirectory: &isDirectory), !isDirectory.boolValue {
            return URL(fileURLWithPath: nameOrPath)
        }
        let looksLikePath = nameOrPath.contains("/") || nameOrPath.hasSuffix(".json")
        if !looksLikePath {
            for folder in folders {
                let file = folder.appendingPathComponent(nameOrPath + ".json")
                if FileManager.default.fileExists(atPath: file.path) { return file }
            }
        }
        throw .notFound(name: nameOrPath, searched: looksLikePath ? [] : folders.map(\.path))
    }

    /// Loads a preset by path or name.
    public func load(_ nameOrPath: String) throws(PresetError) -> (preset: Preset, url: URL) {
        let url = try locate(nameOrPath)
        return (try Self.load(url), url)
    }

    /// Loads a preset file.
    public static func load(_ url: URL) throws(PresetError) -> Preset {
        let text: String
        do {
            text = try String(contentsOf: url, encoding: .utf8)
        } catch {
            throw .unreadable(path: url.path, reason: (error as NSError).localizedDescription)
        }
        return try Preset(json: text, defaultName: url.deletingPathExtension().lastPathComponent, file: url.lastPathComponent)
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
                found.append((name, url, Result { () throws(PresetError) in try Self.load(url) }))
            }
        }
        return found.sorted { $0.0 < $1.0 }
    }
}
