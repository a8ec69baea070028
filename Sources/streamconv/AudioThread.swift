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
    /// - Parameters:
    ///   - statsEvery: print the stats line this often (seconds); `nil`: only at the end.
    ///   - json: where `--json-stats` lines go, written as often (every second without
    ///     `statsEvery`).
    ///   - reloads: SIGHUP asks for a filter swap (``liveReloads``) instead of a stop.
    static func run(
        _ loop: sending LiveLoop, counters: LiveCounters, report: LiveReport, statsEvery: Double?,
        json: JSONLines? = nil, reloads: Bool = false, service: () -> Void
    ) -> LiveOutcome {
        installStopHandlers(reloads: reloads)
        let every = statsEvery ?? (json != nil ? 1 : nil)
        var nextStats = every.map { ContinuousClock.now + .milliseconds(Int($0 * 1000)) }
        var warned = false
        return AudioThread.run({ loop.run() }) { granted in
            if liveSignals.load(ordering: .relaxed) > 0 { counters.stopRequested.store(true, ordering: .relaxed) }
            if case let .refused(code) = granted {
                printError("note: running without real-time priority (SCHED_FIFO: \(String(cString: strerror(code))))")
            }
            service()
            if let deadline = nextStats, let every, ContinuousClock.now >= deadline {
                if statsEvery != nil { printError(report.line(final: false, outcome: nil)) }
                json?.write(report.json(final: false, outcome: nil))
                nextStats = deadline + .milliseconds(Int(every * 1000))
                // Once: a filter that misses deadlines says so while it runs.
                if !warned, let warning = report.deadlineWarning() {
                    warned = true
                    printError(warning)
                }
            }
        }
    }

    /// SIGINT, SIGTERM, SIGHUP, SIGQUIT: the first stops gracefully (the loop above passes
    /// it on), the second exits at once with 128 + the signal. With `reloads`, SIGHUP instead
    /// asks for the preset to be re-read (a daemon's convention).
    static func installStopHandlers(reloads: Bool = false) {
        for sig in [SIGINT, SIGTERM, SIGQUIT] + (reloads ? [] : [SIGHUP]) {
            signal(sig) { number in
                if liveSignals.add(1, ordering: .relaxed).newValue > 1 { _exit(128 + number) }
            }
        }
        if reloads {
            signal(SIGHUP) { _ in liveReloads.add(1, ordering: .relaxed) }
        }
    }
}
