import Foundation
import StreamConvALSA
import StreamConvLive
import Synchronization

/// Terminating signals seen during a real-time run: the first asks for a graceful stop, the
/// second ends the process at once (an unnamed output file vanishes with it).
let liveSignals = Atomic<Int>(0)

/// A ``LiveLoop`` on the audio thread (``AudioThread``) with this process's part beside it:
/// signals passed on as a stop request, the priority note, stats lines, and `service` (file
/// and pipe I/O) every few milliseconds.
enum LiveRun {
    static func run(_ loop: sending LiveLoop, counters: LiveCounters, report: LiveReport, statsEvery: Double?, service: () -> Void) -> LiveOutcome {
        installStopHandlers()
        var nextStats = statsEvery.map { ContinuousClock.now + .milliseconds(Int($0 * 1000)) }
        return AudioThread.run({ loop.run() }) { granted in
            if liveSignals.load(ordering: .relaxed) > 0 { counters.stopRequested.store(true, ordering: .relaxed) }
            if case let .refused(code) = granted {
                printError("note: running without real-time priority (SCHED_FIFO: \(String(cString: strerror(code))))")
            }
            service()
            if let deadline = nextStats, let every = statsEvery, ContinuousClock.now >= deadline {
                printError(report.line(final: false, outcome: nil))
                nextStats = deadline + .milliseconds(Int(every * 1000))
            }
        }
    }

    /// SIGINT, SIGTERM, SIGHUP, SIGQUIT: the first stops gracefully (the loop above passes
    /// it on), the second exits at once with 128 + the signal.
    static func installStopHandlers() {
        for sig in [SIGINT, SIGTERM, SIGHUP, SIGQUIT] {
            signal(sig) { number in
                if liveSignals.add(1, ordering: .relaxed).newValue > 1 { _exit(128 + number) }
            }
        }
    }
}
