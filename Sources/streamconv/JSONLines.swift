import Foundation
import StreamConvIO

/// `--json-stats FILE`: one JSON object per line, appended and flushed as each is written (by
/// the service thread, never the audio thread).
final class JSONLines {
    private let handle: FileHandle
    private let path: String
    /// The first write error (reported at the end); later lines are dropped.
    private(set) var failure: IOError?

    /// Creates (or truncates) `path`.
    init(path: String) throws(IOError) {
        guard FileManager.default.createFile(atPath: path, contents: nil), let handle = FileHandle(forWritingAtPath: path) else {
            throw IOError.open(path: path, reason: String(cString: strerror(errno)))
        }
        (self.handle, self.path) = (handle, path)
    }

    /// Appends `line`.
    func write(_ line: String) {
        guard failure == nil else { return }
        do { try handle.write(contentsOf: Data((line + "\n").utf8)) } catch {
            failure = .io(path: path, reason: "\((error as NSError).localizedDescription)")
        }
    }

    func close() { try? handle.close() }
}
