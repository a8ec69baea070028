import CIOShim

#if canImport(Glibc)
import Glibc
#endif

/// The first bytes of a stream (standard input for `--in -`), taken at stream offset 0 before
/// anything else reads it, so that what the stream is decides how it is read, never the
/// timing of its writes: a pipe is looked at with `tee(2)` and a regular file with `pread`,
/// leaving the bytes in place for libsndfile; anything else (a terminal, a socket) is read,
/// and the bytes are handed on (``consumed``).
public struct InputProbe: Sendable {
    /// The stream's first bytes: at least ``StreamContainer/magicLength`` unless the stream is
    /// shorter (empty: an empty stream).
    public let head: [UInt8]
    /// The bytes in ``head`` were read from the stream and must be handed on (a terminal or
    /// socket); false when the stream still holds them.
    public let consumed: Bool
    /// A FIFO (pipe) or a regular file: what libsndfile can open as a stream.
    public let isPipeOrFile: Bool

    /// The container ``head`` starts like, if any.
    public var container: StreamContainer? { StreamContainer(magic: head) }

    /// Looks at the first bytes of `descriptor`, waiting for them.
    /// - Throws: ``IOError/io(path:reason:)`` when the stream cannot be read.
    public static func peek(_ descriptor: Int32, name: String) throws(IOError) -> InputProbe {
        let want = StreamContainer.magicLength
        guard case let .success(st) = Syscall.descriptorStatus(descriptor) else {
            throw .io(path: name, reason: Errno(errno).description)
        }
        switch FileKind(st) {
        case .regular:
            let at = lseek(descriptor, 0, SEEK_CUR)
            var head = [UInt8](repeating: 0, count: want)
            let n = head.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, want, max(0, at)) }
            if n < 0 { throw .io(path: name, reason: Errno(errno).description) }
            return InputProbe(head: Array(head[0..<n]), consumed: false, isPipeOrFile: true)
        case .fifo:
            return InputProbe(head: try teeHead(descriptor, count: want, name: name), consumed: false, isPipeOrFile: true)
        default:
            let head = try readUpTo(descriptor, count: want, name: name)
            return InputProbe(head: head, consumed: true, isPipeOrFile: false)
        }
    }

    /// Up to `count` bytes read from `descriptor`, fewer only at its end.
    private static func readUpTo(_ descriptor: Int32, count: Int, name: String) throws(IOError) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        var got = 0
        while got < count {
            switch bytes.withUnsafeMutableBytes({ Syscall.read(descriptor, into: $0.baseAddress! + got, count: count - got) }) {
            case let .success(n):
                if n == 0 { return Array(bytes[0..<got]) }
                got += n
            case let .failure(e): throw .io(path: name, reason: e.description)
            }
        }
        return bytes
    }

    /// A pipe's first `count` bytes (fewer if the writer closes first), copied with `tee(2)` into
    /// a scratch pipe and read from there: the input pipe keeps them. `tee` returns what is
    /// pending without waiting for more, so until `count` bytes are there it is asked again
    /// every millisecond, unless the writer has gone (`POLLHUP`: what is pending is all).
    private static func teeHead(_ descriptor: Int32, count: Int, name: String) throws(IOError) -> [UInt8] {
        var ends: [Int32] = [0, 0]
        guard pipe(&ends) == 0 else { throw .io(path: name, reason: "cannot make a pipe: \(Errno(errno))") }
        defer { close(ends[0]); close(ends[1]) }
        var pending = 0
        while true {
            let n = streamconv_tee(descriptor, ends[1], count)
            if n < 0 {
                if errno == EINTR { continue }
                throw .io(path: name, reason: Errno(errno).description)
            }
            pending = n
            if n == 0 || n >= count { break }
            var events = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            _ = poll(&events, 1, 0)
            if events.revents & Int16(POLLHUP) != 0 {
                // The writer may have written more between the tee and the poll.
                let last = streamconv_tee(descriptor, ends[1], count)
                if last > 0 {
                    // Drain the first copy, then keep the last (the longer).
                    _ = try readUpTo(ends[0], count: pending, name: name)
                    pending = last
                }
                break
            }
            // Nothing more yet: drop this copy and look again shortly.
            _ = try readUpTo(ends[0], count: pending, name: name)
            usleep(1000)
        }
        let head = try readUpTo(ends[0], count: pending, name: name)
        guard head.count == pending else { throw .io(path: name, reason: "cannot read the scratch pipe: it ended early") }
        return head
    }
}
