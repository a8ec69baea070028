#if canImport(Glibc)
import Glibc
#endif

/// SCHED_FIFO for the calling thread, when the system permits it.
public enum RealTimePriority {
    /// The priority the audio thread asks for: high enough to preempt ordinary work, below
    /// the system's own real-time threads (JACK and PipeWire use 70–88).
    public static let audio: Int32 = 70

    /// Asks for SCHED_FIFO at `priority` (capped at the system's maximum): `nil` when
    /// granted, else the errno that refused it (`EPERM` without the rtprio limit).
    public static func request(_ priority: Int32 = audio) -> Int32? {
        var parameters = sched_param()
        parameters.sched_priority = min(priority, sched_get_priority_max(SCHED_FIFO))
        let result = pthread_setschedparam(pthread_self(), SCHED_FIFO, &parameters)
        return result == 0 ? nil : result
    }
}
