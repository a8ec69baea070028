import CAllocationCounter

/// The heap allocations a block makes on the calling thread, counted by the test-only
/// interposer (every malloc entry point, aligned ones included, forwarded to glibc).
public enum AllocationCount {
    /// How many allocations `body` made on this thread.
    public static func of(_ body: () throws -> Void) rethrows -> UInt64 {
        allocation_counter_start()
        defer { _ = allocation_counter_stop() }
        try body()
        return allocation_counter_stop()
    }
}
