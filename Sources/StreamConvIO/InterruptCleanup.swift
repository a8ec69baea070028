import Foundation

/// Removes a file being written when the process is interrupted (SIGINT, SIGTERM, SIGHUP), so
/// Ctrl-C during a run leaves no half-written output behind. The handler only calls
/// async-signal-safe functions: `unlink` on a path prepared in advance, then `_exit`.
public enum InterruptCleanup {
    nonisolated(unsafe) private static var path: UnsafeMutablePointer<CChar>?

    /// Removes `file` if a terminating signal arrives before ``disarm()``.
    public static func arm(removing file: String) {
        let old = path
        path = strdup(file)
        free(old)
        // A parent may have started us with these signals blocked (thread pools often do).
        var set = sigset_t()
        sigemptyset(&set)
        for sig in [SIGINT, SIGTERM, SIGHUP] { sigaddset(&set, sig) }
        sigprocmask(SIG_UNBLOCK, &set, nil)
        for sig in [SIGINT, SIGTERM, SIGHUP] {
            signal(sig) { signalNumber in
                if let p = InterruptCleanup.path { unlink(p) }
                _exit(128 + signalNumber)
            }
        }
    }

    /// Stops watching; the default signal handling returns.
    public static func disarm() {
        for sig in [SIGINT, SIGTERM, SIGHUP] { signal(sig, SIG_DFL) }
        let old = path
        path = nil
        free(old)
    }
}
