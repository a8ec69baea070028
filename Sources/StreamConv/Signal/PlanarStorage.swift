/// Borrowed planar samples: channel `c`, frame `i` at `base[c · stride + offset + i]`.
/// Only valid inside the `withUnsafe…` call that produced it.
struct PlanarView<T: ConvScalar> {
    let base: UnsafePointer<T>
    let stride: Int
    var offset = 0

    /// The same samples from `frames` further on.
    func dropping(_ frames: Int) -> PlanarView {
        PlanarView(base: base, stride: stride, offset: offset + frames)
    }

    subscript(channel: Int, frame: Int) -> T { base[channel * stride + offset + frame] }
}

/// Owned planar buffers of fixed capacity per channel: the stream's history, the kept start
/// and end of the signal, and pad scratch. All of ``StreamingConv1d``'s pointer arithmetic is
/// here; every method is allocation-free except `init` and `copy`. Non-copyable, as
/// the stream that owns it: one owner, so writing never copies.
struct PlanarStorage<T: ConvScalar>: ~Copyable, Sendable {
    private var buffer: ScalarBuffer<T>
    let channels: Int
    private(set) var capacity: Int

    init(channels: Int, capacity: Int) {
        self.channels = channels
        self.capacity = capacity
        buffer = ScalarBuffer(count: channels * capacity)
    }

    /// The same samples in new memory. Allocates.
    func copy() -> PlanarStorage {
        let copy = PlanarStorage(channels: channels, capacity: capacity)
        copy.buffer.base.update(from: buffer.base, count: channels * capacity)
        return copy
    }

    subscript(channel: Int, frame: Int) -> T {
        get { buffer.base[channel * capacity + frame] }
        set { buffer.base[channel * capacity + frame] = newValue }
    }

    /// Copies `count` frames of every channel from `source` to frames `at..<at+count`.
    mutating func copy(from source: PlanarView<T>, count: Int, to at: Int) {
        guard count > 0 else { return }
        precondition(at >= 0 && at + count <= capacity, "PlanarStorage.copy out of bounds")
        for c in 0..<channels {
            (buffer.base + c * capacity + at).update(from: source.base + c * source.stride + source.offset, count: count)
        }
    }

    /// Copies frames `from..<from+count` of every channel to `to..<to+count` (the two runs do
    /// not overlap: a mirrored ring's copies are a ring apart).
    mutating func mirror(from: Int, count: Int, to: Int) {
        guard count > 0 else { return }
        precondition(from >= 0 && to >= 0 && max(from, to) + count <= capacity && abs(from - to) >= count, "PlanarStorage.mirror out of bounds")
        for c in 0..<channels {
            let row = buffer.base + c * capacity
            (row + to).update(from: row + from, count: count)
        }
    }

    /// Sets frames `0..<count` of every channel to `value(channel, frame)`.
    mutating func fill(count: Int, _ value: (Int, Int) -> T) {
        for c in 0..<channels {
            let row = buffer.base + c * capacity
            for j in 0..<count { row[j] = value(c, j) }
        }
    }

    /// Sets frames `from..<from+count` of every channel to `value(channel, frame − from)`.
    mutating func fill(from: Int, count: Int, _ value: (Int, Int) -> T) {
        precondition(from >= 0 && from + count <= capacity, "PlanarStorage.fill out of bounds")
        for c in 0..<channels {
            let row = buffer.base + c * capacity + from
            for j in 0..<count { row[j] = value(c, j) }
        }
    }

    /// Moves frames `from..<from+count` of every channel to `to…` (the runs may overlap).
    mutating func move(from: Int, count: Int, to: Int) {
        guard count > 0, from != to else { return }
        precondition(from >= 0 && to >= 0 && max(from, to) + count <= capacity, "PlanarStorage.move out of bounds")
        for c in 0..<channels {
            let row = buffer.base + c * capacity
            (row + to).update(from: row + from, count: count)
        }
    }

    /// An output cursor writing frames `at..<at+capacity`.
    mutating func output(at: Int, capacity frames: Int) -> PlanarOutput<T> {
        precondition(at >= 0 && at + frames <= capacity, "PlanarStorage.output out of bounds")
        return PlanarOutput(base: buffer.base + at, stride: capacity, capacity: frames)
    }

    /// A view of the whole storage, valid while the storage is neither grown nor gone.
    var view: PlanarView<T> { PlanarView(base: buffer.base, stride: capacity) }
}

/// Where a call's outputs go: a planar buffer, how many frames are in it, and how many may be.
struct PlanarOutput<T: ConvScalar> {
    let base: UnsafeMutablePointer<T>?
    let stride: Int
    let capacity: Int
    private(set) var written = 0

    init(base: UnsafeMutablePointer<T>?, stride: Int, capacity: Int) {
        self.base = base
        self.stride = stride
        self.capacity = capacity
    }

    /// Runs `workspace`'s engine for outputs `first..<first + count`, whose first window
    /// starts at `input`'s frame 0.
    mutating func compute(_ workspace: inout Conv1dWorkspace<T>, from input: PlanarView<T>, first: Int64, count: Int) {
        guard count > 0 else { return }
        // The frame counts promised to callers are computed separately; never write past them.
        precondition(written + count <= capacity, "StreamingConv1d output count out of step")
        workspace.compute(
            input: input.base + input.offset, inputStride: input.stride,
            output: base! + written, outputStride: stride, first: first, count: count)
        written += count
    }
}

extension PlanarOutput {
    /// Writes the next `count` frames of `channels` channels: `body(c, row)` fills channel
    /// `c`'s `count` samples from `row`.
    mutating func write(count: Int, channels: Int, _ body: (Int, UnsafeMutablePointer<T>) -> Void) {
        guard count > 0 else { return }
        precondition(written + count <= capacity, "network output count out of step")
        for c in 0..<channels { body(c, base! + c * stride + written) }
        written += count
    }
}

extension PlanarView {
    /// Channel `c`'s samples from the view's offset.
    func row(_ c: Int) -> UnsafePointer<T> { base + c * stride + offset }
}

extension Signal {
    /// A view of the valid frames.
    func withView<R>(_ body: (PlanarView<T>) -> R) -> R {
        withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else {
                var empty: T = 0
                return withUnsafePointer(to: &empty) { body(PlanarView(base: $0, stride: 0)) }
            }
            return body(PlanarView(base: base, stride: capacity))
        }
    }

    /// An output cursor over the storage, for at most `capacity` frames.
    mutating func withOutput(capacity frames: Int, _ body: (inout PlanarOutput<T>) -> Void) {
        let stride = capacity
        var written = 0
        withUnsafeMutableBufferPointer { buffer in
            var out = PlanarOutput(base: buffer.baseAddress, stride: stride, capacity: frames)
            body(&out)
            written = out.written
        }
        setFrames(written)
    }
}
