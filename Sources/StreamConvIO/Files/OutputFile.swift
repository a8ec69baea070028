#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The file descriptor an output is written through, and what happens to it when the run
/// succeeds or fails. What `--out` names decides how it is written:
///
/// - absent, or a regular file: an unnamed file (`O_TMPFILE`) in the target's folder, given
///   a random name and renamed over the target only by ``commit()``. A failed or killed run
///   (even by `SIGKILL`) leaves nothing, and an existing file is untouched until then. A
///   replaced file keeps its permissions (and, as root, its owner). Where the file system
///   has no `O_TMPFILE`, a temporary with a random name is created exclusively
///   (`O_EXCL|O_NOFOLLOW`) and removed on failure or a terminating signal.
/// - a symbolic link: followed (up to 40 links); its final target is replaced as above, so
///   the link survives.
/// - a character device that can seek (`/dev/null`): written directly, like sox's `-n`.
/// - a FIFO, a socket, or a device that cannot seek: the file is completed in an unnamed
///   temporary first (WAV and most containers rewrite their header at the end) and copied
///   to the target by ``commit()``; a failed run sends nothing.
/// - a folder, a block device or anything else: an error.
///
/// The same file as the input (through any link) is refused unless `inPlace` is set; then
/// the input is replaced only once the new output is complete.
public final class OutputFile {
    /// How the output reaches its target.
    public enum Kind: Equatable, Sendable {
        /// A temporary beside the target, renamed over it at commit.
        case replacing
        /// The target itself (a seekable character device).
        case device
        /// A temporary elsewhere, copied to the target (FIFO, socket) at commit.
        case spooled
    }

    /// The path as given.
    public let path: SystemPath
    /// The path after following symbolic links.
    public let target: SystemPath
    /// How the output reaches ``target``.
    public let kind: Kind
    /// Where the bytes are written until commit.
    public let descriptor: Int32
    private let directory: Int32
    private let namedTemporary: [UInt8]?
    private let targetKind: FileKind?
    private var open = true

    /// Prepares an output for `path`.
    /// - Parameters:
    ///   - input: the input file's identity, to refuse overwriting it.
    ///   - inPlace: allow `path` to be the input (replaced at commit).
    /// - Throws: ``IOError`` naming the path and what is wrong with it.
    public convenience init(path: SystemPath, input: FileIdentity? = nil, inPlace: Bool = false) throws(IOError) {
        try self.init(path: path, input: input, inPlace: inPlace, unnamed: true)
    }

    /// `unnamed: false` takes the path used where the file system has no `O_TMPFILE` (tests).
    init(path: SystemPath, input: FileIdentity?, inPlace: Bool, unnamed: Bool) throws(IOError) {
        self.path = path
        let name = path.description
        guard !path.isEmpty else { throw .open(path: "\"\"", reason: "the output path is empty") }
        let (target, existing) = try Self.resolve(path)
        self.target = target
        if let existing, let input, FileIdentity(existing) == input, !inPlace {
            throw .sameFile(path: name)
        }
        let kind = existing.map(FileKind.init)
        targetKind = kind
        switch kind {
        case nil, .regular?:
            let folder = target.directory
            guard case let .success(st) = Syscall.fileStatus(folder), FileKind(st) == .directory else {
                throw .open(path: name, reason: "folder \(folder) does not exist")
            }
            guard case let .success(dirfd) = Syscall.open(folder, Self.oPath | O_DIRECTORY) else {
                throw .open(path: name, reason: "cannot open folder \(folder): \(Errno(errno))")
            }
            directory = dirfd
            var temp: (Int32, [UInt8]?)
            switch unnamed ? Syscall.openAt(dirfd, Array(".".utf8), Self.oTmpFile | O_RDWR, 0o666) : .failure(Errno(EOPNOTSUPP)) {
            case let .success(fd):
                temp = (fd, nil)
            case let .failure(e) where [EOPNOTSUPP, EISDIR, EINVAL, ENOENT].contains(e.code):
                do {
                    temp = try Self.namedTemporary(in: dirfd, path: path)
                } catch {
                    close(dirfd)
                    throw error
                }
            case let .failure(e):
                close(dirfd)
                throw .open(path: name, reason: "cannot create a file in folder \(folder): \(e)")
            }
            (descriptor, namedTemporary) = temp
            if let existing {
                // Keep the replaced file's permissions and, where allowed, its owner.
                fchmod(descriptor, existing.st_mode & 0o7777)
                if geteuid() == 0 { _ = fchown(descriptor, existing.st_uid, existing.st_gid) }
            } else if namedTemporary != nil {
                let mask = umask(0)
                umask(mask)
                fchmod(descriptor, 0o666 & ~mask)
            }
            if let namedTemporary { InterruptCleanup.arm(removing: folder.appending(namedTemporary)) }
            self.kind = .replacing
        case .characterDevice?:
            let fd: Int32
            switch Syscall.open(target, O_WRONLY | O_NOCTTY) {
            case let .success(opened): fd = opened
            case let .failure(e): throw .open(path: name, reason: e.description)
            }
            if lseek(fd, 0, SEEK_CUR) >= 0 {
                (descriptor, directory, namedTemporary) = (fd, -1, nil)
                self.kind = .device
            } else {
                close(fd)
                (descriptor, directory, namedTemporary) = (try Self.unnamedTemporary(for: name), -1, nil)
                self.kind = .spooled
            }
        case .fifo?, .socket?:
            if kind == .fifo, target.withCString({ access($0, W_OK) }) != 0 {
                throw .open(path: name, reason: Errno(errno).description)
            }
            (descriptor, directory, namedTemporary) = (try Self.unnamedTemporary(for: name), -1, nil)
            self.kind = .spooled
        case let other?:
            throw .open(path: name, reason: "it is \(other.phrase); give a file, a FIFO, a socket, a character device or - for stdout")
        }
    }

    /// Standard output, written directly: a stream to a pipe, or a file the shell opened
    /// (which libsndfile may seek in to complete a header).
    public init(standardOutput descriptor: Int32 = 1) throws(IOError) {
        path = SystemPath("stdout")
        target = path
        guard case let .success(fd) = Syscall.duplicate(descriptor) else {
            throw .open(path: "stdout", reason: Errno(errno).description)
        }
        self.descriptor = fd
        kind = .device
        directory = -1
        namedTemporary = nil
        targetKind = nil
    }

    deinit { abandon() }

    /// Completes the output: names the temporary and renames it over the target, or copies
    /// the spooled file to the FIFO or socket. Call after the file's last byte is written.
    /// - Throws: ``IOError/io(path:reason:)``; the output is then abandoned.
    public func commit() throws(IOError) {
        guard open else { throw .io(path: path.description, reason: "the output was already closed") }
        let name = target.lastComponent
        switch kind {
        case .replacing:
            defer { abandon() }
            if fsync(descriptor) != 0 && errno != EINVAL {
                throw .io(path: path.description, reason: "cannot flush the file to disk: \(Errno(errno))")
            }
            let result: Result<Void, Errno> = Syscall.withSignalsBlocked {
                if let namedTemporary { return Syscall.rename(in: directory, namedTemporary, to: name) }
                var rng = SystemRandomNumberGenerator()
                for _ in 0..<100 {
                    let temp = Self.temporaryName(&rng)
                    switch Syscall.link(unnamed: descriptor, in: directory, as: temp) {
                    case .success:
                        let renamed = Syscall.rename(in: directory, temp, to: name)
                        if case .failure = renamed { Syscall.unlink(in: directory, temp) }
                        return renamed
                    case let .failure(e) where e.code == EEXIST:
                        continue
                    case let .failure(e):
                        return .failure(e)
                    }
                }
                return .failure(Errno(EEXIST))
            }
            if case let .failure(e) = result {
                throw .io(path: path.description, reason: "cannot move the finished file into place: \(e)")
            }
            // In place now: close without removing anything.
            if namedTemporary != nil { InterruptCleanup.disarm() }
            open = false
            close(descriptor)
            close(directory)
        case .device:
            abandon()
        case .spooled:
            defer { abandon() }
            try copySpool()
        }
    }

    /// An unnamed scratch file on the output's file system where there is one (beside a
    /// replaced file; else in `$TMPDIR`), gone when closed: a file whose final form is known
    /// only at the end is completed there first.
    func scratch() throws(IOError) -> Int32 {
        guard directory >= 0 else { return try Self.unnamedTemporary(for: path.description) }
        switch Syscall.openAt(directory, Array(".".utf8), Self.oTmpFile | O_RDWR, 0o600) {
        case let .success(fd): return fd
        case .failure: return try Self.unnamedTemporary(for: path.description)
        }
    }

    /// Writes `bytes` at the current position (for outputs that are not audio: an SVG plot).
    public func write(_ bytes: [UInt8]) throws(IOError) {
        if case let .failure(e) = bytes.withUnsafeBytes({ Syscall.writeAll(descriptor, $0) }) {
            throw .io(path: path.description, reason: "write failed: \(e)")
        }
    }

    /// Discards the output: closes the temporary (an unnamed one vanishes; a named one is
    /// removed). A device keeps whatever was written to it.
    public func abandon() {
        guard open else { return }
        open = false
        close(descriptor)
        if directory >= 0 {
            if let namedTemporary {
                Syscall.unlink(in: directory, namedTemporary)
                InterruptCleanup.disarm()
            }
            close(directory)
        }
    }

    // MARK: - Helpers

    /// `O_TMPFILE` (`__O_TMPFILE | O_DIRECTORY` on Linux), which Glibc's Swift overlay does not export.
    static let oTmpFile: Int32 = 0o20000000 | O_DIRECTORY
    /// `O_PATH`: a folder descriptor for the `*at` calls, needing no read permission.
    static let oPath: Int32 = 0o10000000

    /// Follows symbolic links to the file that would be written, and what is there now.
    static func resolve(_ path: SystemPath) throws(IOError) -> (SystemPath, stat?) {
        var current = path
        for _ in 0..<40 {
            let st: stat?
            switch Syscall.linkStatus(current) {
            case let .success(found): st = found
            case let .failure(e): throw .open(path: path.description, reason: e.description)
            }
            guard let st, FileKind(st) == .symlink else { return (current, st) }
            let link: [UInt8]
            switch Syscall.readlink(current) {
            case let .success(bytes): link = bytes
            case let .failure(e): throw .open(path: path.description, reason: e.description)
            }
            current = link.first == UInt8(ascii: "/") ? SystemPath(bytes: link) : current.directory.appending(link)
        }
        throw .open(path: path.description, reason: "too many levels of symbolic links")
    }

    /// `.streamconv-<random>.tmp`: short, so a target name at the file system's limit still
    /// leaves room, and unpredictable.
    static func temporaryName(_ rng: inout SystemRandomNumberGenerator) -> [UInt8] {
        Array(".streamconv-\(String(rng.next(), radix: 36)).tmp".utf8)
    }

    /// A temporary with a random name, created exclusively, never through a symlink.
    private static func namedTemporary(in directory: Int32, path: SystemPath) throws(IOError) -> (Int32, [UInt8]?) {
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<100 {
            let name = temporaryName(&rng)
            switch Syscall.openAt(directory, name, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW, 0o600) {
            case let .success(fd): return (fd, name)
            case let .failure(e) where e.code == EEXIST: continue
            case let .failure(e):
                throw .open(path: path.description, reason: "cannot create a file in folder \(path.directory): \(e)")
            }
        }
        throw .open(path: path.description, reason: "cannot find a free temporary name in \(path.directory)")
    }

    /// An unnamed file in `$TMPDIR` (or /tmp): a FIFO's or socket's output until it is
    /// complete, circular padding's spilled outputs.
    static func unnamedTemporary(for name: String) throws(IOError) -> Int32 {
        let base = SystemPath(getenv("TMPDIR").map { String(cString: $0) } ?? "/tmp")
        switch Syscall.open(base, oTmpFile | O_RDWR, 0o600) {
        case let .success(fd): return fd
        case .failure:
            guard case let .success(dirfd) = Syscall.open(base, Self.oPath | O_DIRECTORY) else {
                throw .open(path: name, reason: "cannot create a temporary file in \(base): \(Errno(errno))")
            }
            defer { close(dirfd) }
            let (fd, temp) = try namedTemporary(in: dirfd, path: base.appending(Array("x".utf8)))
            if let temp { Syscall.unlink(in: dirfd, temp) }
            return fd
        }
    }

    /// Sends the spooled file to the FIFO or socket.
    private func copySpool() throws(IOError) {
        let name = path.description
        let destination: Int32
        let opened = targetKind == .socket ? Syscall.connectUnixSocket(target) : Syscall.open(target, O_WRONLY | O_NOCTTY)
        switch opened {
        case let .success(fd): destination = fd
        case let .failure(e): throw .io(path: name, reason: "cannot open for writing: \(e)")
        }
        defer { close(destination) }
        if lseek(descriptor, 0, SEEK_SET) < 0 { throw .io(path: name, reason: "cannot rewind the temporary file: \(Errno(errno))") }
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n: Int
            switch buffer.withUnsafeMutableBytes({ Syscall.read(descriptor, into: $0.baseAddress!, count: $0.count) }) {
            case let .success(got): n = got
            case let .failure(e): throw .io(path: name, reason: "cannot read the temporary file: \(e)")
            }
            if n == 0 { return }
            if case let .failure(e) = buffer.withUnsafeBytes({ Syscall.writeAll(destination, UnsafeRawBufferPointer(rebasing: $0[0..<n])) }) {
                throw .io(path: name, reason: "write failed: \(e)")
            }
        }
    }
}
