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
/// here; every method is allocation-free except `init` and `grow`.
struct PlanarStorage<T: ConvScalar>: Sendable {
    private(set) var samples: [T]
    let channels: Int
    private(set) var capacity: Int

    init(channels: Int, capacity: Int) {
        self.channels = channels
        self.capacity = capacity
        samples = [T](repeating: 0, count: channels * capacity)
    }

    subscript(channel: Int, frame: Int) -> T {
        get { samples[channel * capacity + frame] }
        set { samples[channel * capacity + frame] = newValue }
    }

    /// Reallocates to `newCapacity` frames per channel, keeping frames `0..<keeping`.
    mutating func grow(to newCapacity: Int, keeping: Int) {
        var grown = [T](repeating: 0, count: channels * newCapacity)
        for c in 0..<channels {
            for i in 0..<keeping { grown[c * newCapacity + i] = samples[c * capacity + i] }
        }
        samples = grown
        capacity = newCapacity
    }

    /// Copies `count` frames of every channel from `source` to frames `at..<at+count`.
    mutating func copy(from source: PlanarView<T>, count: Int, to at: Int) {
        guard count > 0 else { return }
        precondition(at >= 0 && at + count <= capacity, "PlanarStorage.copy out of bounds")
        let (cap, channels) = (capacity, channels)
        samples.withUnsafeMutableBufferPointer { dst in
            for c in 0..<channels {
                (dst.baseAddress! + c * cap + at).update(from: source.base + c * source.stride + source.offset, count: count)
            }
        }
    }

    /// Moves frames `drop..<drop+count` of every channel to the front.
    mutating func shiftToFront(from drop: Int, count: Int) {
        guard count > 0, drop > 0 else { return }
        precondition(drop + count <= capacity, "PlanarStorage.shiftToFront out of bounds")
        let (cap, channels) = (capacity, channels)
        samples.withUnsafeMutableBufferPointer { buffer in
            for c in 0..<channels {
                let row = buffer.baseAddress! + c * cap
                row.update(from: row + drop, count: count)
            }
        }
    }

    /// Sets frames `0..<count` of every channel to `value(channel, frame)`.
    mutating func fill(count: Int, _ value: (Int, Int) -> T) {
        let (cap, channels) = (capacity, channels)
        samples.withUnsafeMutableBufferPointer { buffer in
            for c in 0..<channels {
                for j in 0..<count { buffer[c * cap + j] = value(c, j) }
            }
        }
    }

    /// Calls `body` with a view of the whole storage.
    func withView<R>(_ body: (PlanarView<T>) -> R) -> R {
        samples.withUnsafeBufferPointer { body(PlanarView(base: $0.baseAddress!, stride: capacity)) }
    }
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

    /// Runs `engine` for outputs `first..<first + count`, whose first window starts at
    /// `input`'s frame 0.
    mutating func compute(_ engine: any Conv1dEngine<T>, from input: PlanarView<T>, first: Int64, count: Int, workspace: Conv1dWorkspace) {
        guard count > 0 else { return }
        // The frame counts promised to callers are computed separately; never write past them.
        precondition(written + count <= capacity, "StreamingConv1d output count out of step")
        engine.compute(
            input: input.base + input.offset, inputStride: input.stride,
            output: base! + written, outputStride: stride, first: first, count: count, workspace: workspace)
        written += count
    }
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
