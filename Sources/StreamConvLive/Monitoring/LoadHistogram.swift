import Synchronization

/// The distribution of per-period filter time, as a share of the period's audio time: the
/// audio thread records each period with one relaxed atomic add, and a stats thread reads the
/// median, the 99th percentile and how many periods missed their deadline.
///
/// Buckets are 0.1% of a period wide up to 100%, then 1% wide up to 2000%; beyond that one
/// bucket. A percentile is read as its bucket's upper edge, so it is never understated.
public final class LoadHistogram: @unchecked Sendable {
    // Unchecked: every bucket is an atomic, allocated once and freed in deinit.
    private static let fine = 1000
    private static let coarse = 1900
    private static var count: Int { fine + coarse + 1 }
    private let buckets: UnsafeMutablePointer<Atomic<Int>>

    public init() {
        buckets = .allocate(capacity: Self.count)
        for i in 0..<Self.count { (buckets + i).initialize(to: Atomic(0)) }
    }

    deinit {
        buckets.deinitialize(count: Self.count)
        buckets.deallocate()
    }

    /// Records one period's load, in millionths of its audio time. Real-time safe.
    @inline(__always)
    public func record(ppm: Int) {
        buckets[Self.bucket(ppm: ppm)].add(1, ordering: .relaxed)
    }

    static func bucket(ppm: Int) -> Int {
        if ppm < 1_000_000 { return max(0, ppm) / 1000 }
        return min(fine + (ppm - 1_000_000) / 10_000, count - 1)
    }

    /// A bucket's upper edge, in percent of the period.
    static func upperEdge(_ bucket: Int) -> Double {
        if bucket < fine { return Double(bucket + 1) / 10 }
        if bucket < count - 1 { return 100 + Double(bucket - fine + 1) }
        return .infinity
    }

    /// What the histogram holds now.
    public func snapshot() -> Summary {
        var counts = [Int](repeating: 0, count: Self.count)
        for i in 0..<Self.count { counts[i] = buckets[i].load(ordering: .relaxed) }
        return Summary(counts: counts)
    }

    /// Periods recorded and their distribution at one moment.
    public struct Summary: Sendable {
        let counts: [Int]

        /// Periods recorded.
        public var periods: Int { counts.reduce(0, +) }

        /// Periods whose filter time reached the period (a deadline missed on a device).
        public var overruns: Int { counts[LoadHistogram.fine...].reduce(0, +) }

        /// The load that a share `q` (0…1) of the periods stayed within, in percent of the
        /// period (0 with no periods).
        public func percentile(_ q: Double) -> Double {
            let total = periods
            guard total > 0 else { return 0 }
            let rank = max(1, Int((q * Double(total)).rounded(.up)))
            var seen = 0
            for (bucket, n) in counts.enumerated() {
                seen += n
                if seen >= rank { return LoadHistogram.upperEdge(bucket) }
            }
            return LoadHistogram.upperEdge(counts.count - 1)
        }
    }
}
