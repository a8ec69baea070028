import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The audio thread and the service loop beside it.
///
/// ``run(priority:everyMicroseconds:_:service:)`` starts `work` (a device loop) on a thread of its
/// own at real-time priority, and meanwhile runs the work the audio thread must not do on the
/// calling thread: file and pipe I/O, stop requests, stats (`service`, called every few
/// milliseconds) until `work` returns.
public enum AudioThread {
    /// What the audio thread was granted.
    public enum Priority: Sendable, Equatable {
        /// SCHED_FIFO at the priority asked for.
        case realTime
        /// Ordinary scheduling: the errno that refused SCHED_FIFO.
        case refused(Int32)
    }

    /// Runs `work` on a new thread (SCHED_FIFO at `priority` when permitted) and returns its
    /// result; until then calls `service` on this thread every `interval` µs, telling it once
    /// what priority the audio thread got. `work` is `sending`: what it captures (the device
    /// loop with its stage) goes to the audio thread and is used by no other.
    public static func run<R: Sendable>(
        priority: Int32 = RealTimePriority.audio, everyMicroseconds interval: UInt32 = 2000,
        _ work: sending @escaping () -> R, service: (_ granted: Priority?) -> Void
    ) -> R {
        let box = ResultBox<R>()
        let sent = Sent(work)
        let audio = Thread {
            box.priority.store(RealTimePriority.request(priority).map { Int($0) } ?? -1, ordering: .releasing)
            box.result = sent.value()
            box.finished.store(true, ordering: .releasing)
        }
        audio.stackSize = 1 << 20
        audio.start()
        var told = false
        while !box.finished.load(ordering: .acquiring) {
            var granted: Priority?
            if !told, case let code = box.priority.load(ordering: .acquiring), code != 0 {
                told = true
                granted = code < 0 ? .realTime : .refused(Int32(code))
            }
            service(granted)
            usleep(interval)
        }
        return box.result!
    }

    /// A value handed to the audio thread: it arrived `sending`, so nothing else holds it, and
    /// the box only carries it across.
    private final class Sent<V>: @unchecked Sendable {
        let value: V
        init(_ value: sending V) { self.value = value }
    }

    /// Carries the audio thread's result to the calling thread (written before `finished`
    /// is set, read after it is seen).
    private final class ResultBox<R>: @unchecked Sendable {
        var result: R?
        let finished = Atomic<Bool>(false)
        /// 0 until the audio thread has asked for its priority; then -1 (granted) or the errno.
        let priority = Atomic<Int>(0)
    }
}
