/// A node's output frames that some reader still needs: a planar first-in first-out buffer
/// of fixed capacity, indexed by absolute frame number (frame `start` is the oldest held).
///
/// Readers never copy from it: they get a view at their own position and the network
/// drops what every reader has passed (``discard(before:)``), moving the few frames left to
/// the front. A class so that the kernels reading and writing it hold it by reference;
/// one network, on one thread, uses it.
final class FrameQueue<T: ConvScalar>: @unchecked Sendable {
    let channels: Int
    private(set) var storage: PlanarStorage<T>
    /// Absolute index of the oldest frame held.
    private(set) var start: Int64 = 0
    /// Frames held.
    private(set) var count = 0

    init(channels: Int, capacity: Int) {
        self.channels = channels
        storage = PlanarStorage(channels: channels, capacity: max(1, capacity))
    }

    /// Frames ever appended.
    var produced: Int64 { start + Int64(count) }
    var capacity: Int { storage.capacity }
    /// Frames that can still be appended.
    var room: Int { storage.capacity - count }

    /// A view from absolute frame `frame` on (held: `start ≤ frame ≤ produced`).
    func view(from frame: Int64) -> PlanarView<T> {
        precondition(frame >= start && frame <= produced, "frame \(frame) not held (\(start)..<\(produced))")
        return storage.view.dropping(Int(frame - start))
    }

    /// Sample `frame` (absolute) of `channel`.
    subscript(channel: Int, frame: Int64) -> T { storage[channel, Int(frame - start)] }

    /// Appends up to `limit` frames written by `body` through an output cursor.
    func append(limit: Int, _ body: (inout PlanarOutput<T>) -> Void) {
        precondition(limit <= room, "network buffer overflow: \(limit) frames into \(room) of room (a bound is wrong)")
        var out = storage.output(at: count, capacity: limit)
        body(&out)
        count += out.written
    }

    /// Appends `count` frames of `source`.
    func append(_ source: PlanarView<T>, count n: Int) {
        precondition(n <= room, "network buffer overflow: \(n) frames into \(room) of room (a bound is wrong)")
        storage.copy(from: source, count: n, to: count)
        count += n
    }

    /// Appends `n` frames of `value(channel, frame)`.
    func append(count n: Int, _ value: (Int, Int) -> T) {
        precondition(n <= room, "network buffer overflow: \(n) frames into \(room) of room (a bound is wrong)")
        storage.fill(from: count, count: n, value)
        count += n
    }

    /// Forgets the frames before absolute frame `frame`.
    func discard(before frame: Int64) {
        let drop = Int(min(max(0, frame - start), Int64(count)))
        guard drop > 0 else { return }
        storage.move(from: drop, count: count - drop, to: 0)
        start += Int64(drop)
        count -= drop
    }

    /// Makes room for `capacity` frames, keeping the frames held. Allocates when it grows.
    func reserve(_ capacity: Int) {
        guard capacity > storage.capacity else { return }
        var grown = PlanarStorage<T>(channels: channels, capacity: capacity)
        grown.copy(from: storage.view, count: count, to: 0)
        storage = grown
    }

    /// Takes `other`'s frames and position (this queue has room for them). Allocates nothing.
    func adopt(_ other: FrameQueue) {
        precondition(other.count <= capacity && other.channels == channels, "FrameQueue.adopt: no room")
        storage.copy(from: other.storage.view, count: other.count, to: 0)
        start = other.start
        count = other.count
    }

    /// Empty, from frame 0.
    func reset() {
        start = 0
        count = 0
    }

    /// A queue in the same state with storage of its own.
    func copy() -> FrameQueue {
        let other = FrameQueue(channels: channels, capacity: storage.capacity)
        other.storage = storage.copy()
        other.start = start
        other.count = count
        return other
    }
}
