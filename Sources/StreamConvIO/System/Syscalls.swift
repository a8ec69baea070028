#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The POSIX calls the output and input files are made with, in one place: each retries
/// `EINTR` and reports failure as the `errno` value, which ``Errno`` turns into text.
enum Syscall {
    /// `open(2)`.
    static func open(_ path: SystemPath, _ flags: Int32, _ mode: mode_t = 0) -> Result<Int32, Errno> {
        retrying { path.withCString { Glibc.open($0, flags | O_CLOEXEC, mode) } }
    }

    /// `openat(2)` relative to `directory`.
    static func openAt(_ directory: Int32, _ name: [UInt8], _ flags: Int32, _ mode: mode_t = 0) -> Result<Int32, Errno> {
        retrying { SystemPath(bytes: name).withCString { Glibc.openat(directory, $0, flags | O_CLOEXEC, mode) } }
    }

    /// `lstat(2)`: what the path itself is, not following a final symlink; `nil` when it does not exist.
    static func linkStatus(_ path: SystemPath) -> Result<Glibc.stat?, Errno> {
        var st = Glibc.stat()
        let r = path.withCString { lstat($0, &st) }
        if r == 0 { return .success(st) }
        return errno == ENOENT ? .success(nil) : .failure(Errno(errno))
    }

    /// `stat(2)`, following symlinks.
    static func fileStatus(_ path: SystemPath) -> Result<Glibc.stat, Errno> {
        var st = Glibc.stat()
        let r = path.withCString { stat($0, &st) }
        return r == 0 ? .success(st) : .failure(Errno(errno))
    }

    /// `fcntl(2)` `F_DUPFD_CLOEXEC`: a second descriptor for the same open file (one offset).
    static func duplicate(_ descriptor: Int32) -> Result<Int32, Errno> {
        retrying { fcntl(descriptor, F_DUPFD_CLOEXEC, 0) }
    }

    /// `fstat(2)`.
    static func descriptorStatus(_ descriptor: Int32) -> Result<Glibc.stat, Errno> {
        var st = Glibc.stat()
        return fstat(descriptor, &st) == 0 ? .success(st) : .failure(Errno(errno))
    }

    /// `readlink(2)`: the link's target as stored.
    static func readlink(_ path: SystemPath) -> Result<[UInt8], Errno> {
        var buffer = [UInt8](repeating: 0, count: Int(PATH_MAX) + 1)
        let n = path.withCString { p in buffer.withUnsafeMutableBytes { Glibc.readlink(p, $0.baseAddress!.assumingMemoryBound(to: CChar.self), $0.count) } }
        return n < 0 ? .failure(Errno(errno)) : .success(Array(buffer[0..<n]))
    }

    /// Gives the unnamed file `descriptor` (made with `O_TMPFILE`) the name `name` in `directory`.
    static func link(unnamed descriptor: Int32, in directory: Int32, as name: [UInt8]) -> Result<Void, Errno> {
        let proc = SystemPath("/proc/self/fd/\(descriptor)")
        let r = proc.withCString { p in SystemPath(bytes: name).withCString { Glibc.linkat(AT_FDCWD, p, directory, $0, AT_SYMLINK_FOLLOW) } }
        return r == 0 ? .success(()) : .failure(Errno(errno))
    }

    /// `renameat(2)` within one folder.
    static func rename(in directory: Int32, _ from: [UInt8], to: [UInt8]) -> Result<Void, Errno> {
        let r = SystemPath(bytes: from).withCString { f in SystemPath(bytes: to).withCString { Glibc.renameat(directory, f, directory, $0) } }
        return r == 0 ? .success(()) : .failure(Errno(errno))
    }

    /// `unlinkat(2)`; failures ignored (used only to clean up).
    static func unlink(in directory: Int32, _ name: [UInt8]) {
        _ = SystemPath(bytes: name).withCString { Glibc.unlinkat(directory, $0, 0) }
    }

    /// Writes all of `bytes`, retrying short writes and `EINTR`.
    static func writeAll(_ descriptor: Int32, _ bytes: UnsafeRawBufferPointer) -> Result<Void, Errno> {
        var offset = 0
        while offset < bytes.count {
            let n = Glibc.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                return .failure(Errno(errno))
            }
            offset += n
        }
        return .success(())
    }

    /// Reads up to `count` bytes, retrying `EINTR`; 0 at the end.
    static func read(_ descriptor: Int32, into buffer: UnsafeMutableRawPointer, count: Int) -> Result<Int, Errno> {
        retrying { Glibc.read(descriptor, buffer, count) }
    }

    /// Connects to the Unix stream socket at `path`.
    static func connectUnixSocket(_ path: SystemPath) -> Result<Int32, Errno> {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        if fd < 0 { return .failure(Errno(errno)) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard path.bytes.count < capacity else {
            Glibc.close(fd)
            return .failure(Errno(ENAMETOOLONG))
        }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: path.bytes)
            raw[path.bytes.count] = 0
        }
        let r = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        if r != 0 {
            let e = errno
            Glibc.close(fd)
            return .failure(Errno(e))
        }
        return .success(fd)
    }

    /// Runs `body` with every catchable signal blocked, so a handler cannot run between two
    /// steps that must both happen (naming a finished file, then moving it into place).
    static func withSignalsBlocked<R>(_ body: () -> R) -> R {
        var all = sigset_t()
        var old = sigset_t()
        sigfillset(&all)
        pthread_sigmask(SIG_BLOCK, &all, &old)
        defer { pthread_sigmask(SIG_SETMASK, &old, nil) }
        return body()
    }

    private static func retrying<T: FixedWidthInteger>(_ body: () -> T) -> Result<T, Errno> {
        while true {
            let r = body()
            if r >= 0 { return .success(r) }
            if errno != EINTR { return .failure(Errno(errno)) }
        }
    }
}

/// A system call's `errno`, with the C library's text for it.
struct Errno: Error, Equatable, CustomStringConvertible {
    let code: Int32
    init(_ code: Int32) { self.code = code }
    var description: String { String(cString: strerror(code)) }
}

/// The kind of file a `stat` describes.
enum FileKind: Equatable {
    case regular, directory, symlink, characterDevice, blockDevice, fifo, socket, other

    init(_ st: stat) {
        switch st.st_mode & S_IFMT {
        case S_IFREG: self = .regular
        case S_IFDIR: self = .directory
        case S_IFLNK: self = .symlink
        case S_IFCHR: self = .characterDevice
        case S_IFBLK: self = .blockDevice
        case S_IFIFO: self = .fifo
        case S_IFSOCK: self = .socket
        default: self = .other
        }
    }

    /// "a folder", "a block device", for messages.
    var phrase: String {
        switch self {
        case .regular: return "a regular file"
        case .directory: return "a folder"
        case .symlink: return "a symbolic link"
        case .characterDevice: return "a character device"
        case .blockDevice: return "a block device"
        case .fifo: return "a FIFO"
        case .socket: return "a socket"
        case .other: return "a special file"
        }
    }
}

/// Which file a path names: device and inode, so two names of one file (a symlink, a hard
/// link) compare equal.
public struct FileIdentity: Hashable, Sendable {
    /// `st_dev`.
    public let device: UInt64
    /// `st_ino`.
    public let inode: UInt64

    init(_ st: stat) {
        device = UInt64(st.st_dev)
        inode = UInt64(st.st_ino)
    }
}
