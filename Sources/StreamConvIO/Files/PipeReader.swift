import CSndFile

#if canImport(Glibc)
import Glibc
#endif

/// A pipe given to libsndfile through its virtual I/O, for the one container it cannot read
/// from a pipe itself: FLAC, whose decoder seeks back to the stream's start after the format
/// is recognised. The reader keeps every byte until ``release()`` (the open is done), so those
/// seeks land; after that it keeps only what is not yet read, so memory stays bounded by one
/// read. Forward seeks read ahead; a seek from the end is refused (a pipe has no end yet).
final class PipeReader {
    private let descriptor: Int32
    /// Bytes of the stream from ``base`` on.
    private var buffer: [UInt8] = []
    /// The stream offset of `buffer[start]`.
    private var base: Int64 = 0
    /// Where in `buffer` the kept bytes begin.
    private var start = 0
    fileprivate var position: Int64 = 0
    private var ended = false
    private var keepsHead = true
    /// The first read error, reported after libsndfile's own.
    private(set) var failure: Errno?

    init(descriptor: Int32) { self.descriptor = descriptor }

    /// The open is done: bytes already read need not be kept.
    func release() {
        keepsHead = false
        compact()
    }

    /// libsndfile's callbacks, calling back into the reader passed as user data.
    static var callbacks: SF_VIRTUAL_IO {
        SF_VIRTUAL_IO(
            get_filelen: { _ in Int64.max / 4 },
            seek: { offset, whence, user in pipeReader(user).seek(offset, whence: whence) },
            read: { pointer, count, user in pipeReader(user).read(into: pointer!, count: Int(count)) },
            write: { _, _, _ in -1 },
            tell: { user in pipeReader(user).position })
    }

    private var end: Int64 { base + Int64(buffer.count - start) }

    /// Reads from the pipe until the kept bytes reach stream offset `target`, or the pipe ends.
    private func fill(to target: Int64) {
        while end < target && !ended {
            let want = max(1 << 16, Int(min(target - end, 1 << 20)))
            let old = buffer.count
            buffer += repeatElement(0, count: want)
            let result = buffer.withUnsafeMutableBytes { Syscall.read(descriptor, into: $0.baseAddress! + old, count: want) }
            switch result {
            case let .success(n):
                buffer.removeLast(want - n)
                if n == 0 { ended = true }
            case let .failure(e):
                buffer.removeLast(want)
                failure = failure ?? e
                ended = true
            }
        }
    }

    private func compact() {
        guard !keepsHead else { return }
        let drop = Int(min(position - base, Int64(buffer.count - start)))
        start += drop
        base += Int64(drop)
        if start > 1 << 20 || start > buffer.count / 2 {
            buffer.removeFirst(start)
            start = 0
        }
    }

    fileprivate func read(into pointer: UnsafeMutableRawPointer, count: Int) -> Int64 {
        fill(to: position + Int64(count))
        let offset = start + Int(position - base)
        let n = max(0, min(count, buffer.count - offset))
        buffer.withUnsafeBytes { pointer.copyMemory(from: $0.baseAddress! + offset, byteCount: n) }
        position += Int64(n)
        compact()
        return Int64(n)
    }

    fileprivate func seek(_ offset: Int64, whence: Int32) -> Int64 {
        let target: Int64
        switch whence {
        case SEEK_SET: target = offset
        case SEEK_CUR: target = position + offset
        default: return -1
        }
        guard target >= base else { return -1 }
        fill(to: target)
        position = min(target, end)
        compact()
        return position
    }
}

/// The reader libsndfile's callbacks were given as user data.
private func pipeReader(_ user: UnsafeMutableRawPointer?) -> PipeReader {
    Unmanaged<PipeReader>.fromOpaque(user!).takeUnretainedValue()
}
