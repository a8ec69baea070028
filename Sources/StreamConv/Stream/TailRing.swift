/// The last `capacity` samples of every channel of the signal, in a ring.
struct TailRing<T: ConvScalar>: ~Copyable, Sendable {
    private var storage: PlanarStorage<T>
    private let capacity: Int
    private var write = 0

    init(channels: Int, capacity: Int) {
        storage = PlanarStorage(channels: channels, capacity: max(1, capacity))
        self.capacity = capacity
    }

    private init(storage: consuming PlanarStorage<T>, capacity: Int, write: Int) {
        self.storage = storage
        self.capacity = capacity
        self.write = write
    }

    /// The same ring in new memory. Allocates.
    func copy() -> TailRing { TailRing(storage: storage.copy(), capacity: capacity, write: write) }

    mutating func clear() { write = 0 }

    /// Keeps the last samples of a chunk of `count` frames.
    mutating func append(_ source: PlanarView<T>, count: Int) {
        guard capacity > 0 else { return }
        let keep = min(count, capacity)
        var position = write
        for c in 0..<storage.channels {
            position = write
            for i in (count - keep)..<count {
                storage[c, position] = source[c, i]
                position = position + 1 == capacity ? 0 : position + 1
            }
        }
        write = position
    }

    /// Reads the ring as it is now, without borrowing it.
    var view: View { View(samples: storage.view, capacity: capacity, write: write) }

    /// The kept samples, by their distance from the end of the signal.
    struct View {
        let samples: PlanarView<T>
        let capacity: Int
        let write: Int

        /// Input sample `length − 1 − back` of channel `c` (`back` below the samples seen and `capacity`).
        func fromEnd(_ back: Int, channel c: Int) -> T {
            var position = write - 1 - back
            if position < 0 { position += capacity }
            return samples[c, position]
        }
    }
}
