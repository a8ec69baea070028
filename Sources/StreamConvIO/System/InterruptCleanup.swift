#if canImport(Glibc)
import Glibc
#endif

/// What happens when the process is told to stop: the one temporary file that may have a
/// name (only where the file system has no `O_TMPFILE`, see ``OutputFile``) is removed,
/// and the process exits with 128 + the signal number. The handler only calls
/// async-signal-safe functions: `unlink` on a path prepared in advance, then `_exit`.
public enum InterruptCleanup {
    nonisolated(unsafe) private static var path: UnsafeMutablePointer<CChar>?

    /// The signals that end a run with cleanup: Ctrl-C, `kill`, a closed terminal, Ctrl-\,
    /// and the ones whose default would kill the process without it.
    public static let terminating: [Int32] = [SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGALRM, SIGVTALRM, SIGPROF]

    /// Installs the handlers for ``terminating`` (unblocking them, since a parent may have
    /// started us with them blocked), and ignores `SIGPIPE` and `SIGXFSZ` so that a closed
    /// pipe or a file-size limit makes the write fail with an error message instead of
    /// killing the process. Call once at start-up.
    public static func installHandlers() {
        var set = sigset_t()
        sigemptyset(&set)
        for sig in terminating { sigaddset(&set, sig) }
        sigprocmask(SIG_UNBLOCK, &set, nil)
        for sig in terminating {
            signal(sig) { signalNumber in
                if let p = InterruptCleanup.path { unlink(p) }
                _exit(128 + signalNumber)
            }
        }
        signal(SIGPIPE, SIG_IGN)
        signal(SIGXFSZ, SIG_IGN)
    }

    /// Removes `file` if a terminating signal arrives before ``disarm()``.
    static func arm(removing file: SystemPath) {
        let old = path
        path = file.withCString { strdup($0) }
        free(old)
    }

    /// Forgets the file.
    static func disarm() {
        let old = path
        path = nil
        free(old)
    }
}
