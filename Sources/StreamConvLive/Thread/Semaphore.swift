import CLiveShim

#if canImport(Glibc)
import Glibc
#endif

/// A POSIX semaphore in memory of its own (a `sem_t` must not move).
final class Semaphore: @unchecked Sendable {
    // Unchecked: sem_t is made for use from many threads at once.
    private let handle: UnsafeMutablePointer<sem_t>

    init() {
        handle = .allocate(capacity: 1)
        sem_init(handle, 0, 0)
    }

    deinit {
        sem_destroy(handle)
        handle.deallocate()
    }

    /// Releases one waiter (or the next wait). A system call only when a thread waits.
    func signal() { sem_post(handle) }

    /// Takes the semaphore, waiting at most `nanoseconds` (monotonic): whether it was taken.
    @discardableResult
    func wait(nanoseconds: Int) -> Bool { streamconv_semaphore_wait(UnsafeMutableRawPointer(handle), Int64(nanoseconds)) == 0 }

    /// Takes the semaphore if it is free, without waiting.
    func take() -> Bool { sem_trywait(handle) == 0 }
}
