#if canImport(Glibc)
import Glibc
#endif

/// Standard error, written with `write(2)`: a closed or full stderr (`2>&-`, `2>/dev/full`)
/// loses the message but never stops the run (Foundation's `FileHandle.write` traps there).
enum StandardError {
    /// Writes `text` as it is, ignoring failures.
    static func write(_ text: String) {
        var bytes = Array(text.utf8)
        bytes.withUnsafeMutableBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = Glibc.write(2, raw.baseAddress! + offset, raw.count - offset)
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { return }
                offset += n
            }
        }
    }

    /// Makes sure descriptors 0, 1 and 2 are open (on /dev/null when the parent closed
    /// them), so no file the run opens can land on them and receive messages by mistake.
    static func ensureStandardDescriptors() {
        for fd: Int32 in 0...2 where fcntl(fd, F_GETFD) < 0 && errno == EBADF {
            let opened = open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY)
            if opened >= 0 && opened != fd {
                dup2(opened, fd)
                close(opened)
            }
        }
    }
}

/// Writes one line to standard error.
func printError(_ line: String) {
    StandardError.write(line + "\n")
}
