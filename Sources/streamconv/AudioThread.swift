import Foundation
import StreamConvALSA
import Synchronization

/// Terminating signals seen during a real-time run: the first asks for a graceful stop, the
/// second ends the process at once (an unnamed output file vanishes with it).
let liveSignals = Atomic<Int>(0)

/// Runs a ``LiveLoop`` on its own thread (SCHED_FIFO when permitted) while the calling
/// thread does the work the audio thread must not: file and pipe I/O (`service`, called
/// every few milliseconds), passing signals on as a stop request, and printing stats.
enum AudioThread {
    static func run(_ loop: LiveLoop, counters: LiveCounters, report: LiveReport, statsEvery: Double?, service: () -> Void) -> LiveOutcome {
        installStopHandlers()
        let result = LiveResultBox()
        let audio = Thread {
            result.realTime.store(RealTimePriority.request(), ordering: .relaxed)
            result.outcome = loop.run()
            result.finished.store(true, ordering: .releasing)
        }
        audio.stackSize = 1 << 20
        audio.start()
        var nextStats = statsEvery.map { ContinuousClock.now + .milliseconds(Int($0 * 1000)) }
        var announcedPriority = false
        while !result.finished.load(ordering: .acquiring) {
            if liveSignals.load(ordering: .relaxed) > 0 { counters.stopRequested.store(true, ordering: .relaxed) }
            if !announcedPriority, case let code = result.realTime.load(ordering: .relaxed), code != 0 {
                announcedPriority = true
                if code > 0 { printError("note: running without real-time priority (SCHED_FIFO: \(String(cString: strerror(code))))") }
            }
            service()
            if let deadline = nextStats, let every = statsEvery, ContinuousClock.now >= deadline {
                printError(report.line(final: false, outcome: nil))
                nextStats = deadline + .milliseconds(Int(every * 1000))
            }
            usleep(2000)
        }
        return result.outcome!
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
