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
            var head = [UInt8](repeating: 0, count: want)
            var got = 0
            while got < want {
                switch head.withUnsafeMutableBytes({ Syscall.read(descriptor, into: $0.baseAddress! + got, count: want - got) }) {
                case let .success(n):
                    if n == 0 { return InputProbe(head: Array(head[0..<got]), consumed: true, isPipeOrFile: false) }
                    got += n
                case let .failure(e): throw .io(path: name, reason: e.description)
                }
            }
            return InputProbe(head: head, consumed: true, isPipeOrFile: false)
        }
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
                    var discard = [UInt8](repeating: 0, count: count)
                    _ = discard.withUnsafeMutableBytes { Syscall.read(ends[0], into: $0.baseAddress!, count: pending) }
                    pending = last
                }
                break
            }
            // Nothing more yet: drop this copy and look again shortly.
            var discard = [UInt8](repeating: 0, count: count)
            _ = discard.withUnsafeMutableBytes { Syscall.read(ends[0], into: $0.baseAddress!, count: pending) }
            usleep(1000)
        }
        var head = [UInt8](repeating: 0, count: pending)
        var got = 0
        while got < pending {
            guard case let .success(n) = head.withUnsafeMutableBytes({ Syscall.read(ends[0], into: $0.baseAddress! + got, count: pending - got) }), n > 0 else {
                throw .io(path: name, reason: "cannot read the scratch pipe: \(Errno(errno))")
            }
            got += n
        }
        return head
    }
}
