import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// `live --control FIFO`: commands, one per line, read without blocking from a named pipe
/// that any number of writers may open and close (`echo "load room.json" > FIFO`).
final class ControlFIFO {
    let path: String
    private let fd: Int32
    private var pending: [UInt8] = []

    /// Opens `path`, which must be a FIFO (made with mkfifo).
    init(path: String) throws {
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw LiveError("--control \(path): \(String(cString: strerror(errno))); make it first with mkfifo \(path)")
        }
        guard info.st_mode & S_IFMT == S_IFIFO else {
            throw LiveError("--control \(path) is not a FIFO; make one with mkfifo \(path)")
        }
        // Read and write: the pipe then always has a writer, so a read finds no data
        // (EAGAIN) rather than an end of file between one writer's close and the next's open.
        let fd = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { throw LiveError("--control \(path): \(String(cString: strerror(errno)))") }
        self.path = path
        self.fd = fd
    }

    deinit { close(fd) }

    /// The complete lines written since the last call (without their newlines).
    func lines() -> [String] {
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            guard n > 0 else { break }
            pending += buffer[0..<n]
        }
        var out: [String] = []
        while let end = pending.firstIndex(of: UInt8(ascii: "\n")) {
            out.append(String(decoding: pending[..<end], as: UTF8.self))
            pending.removeSubrange(...end)
        }
        return out
    }
}
