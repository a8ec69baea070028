/// A multichannel signal in planar (channel-major) layout: the unbatched `(C, L)` tensor.
///
/// Storage is reserved for `capacity` frames per channel and `frames` of them are valid, so a
/// buffer made once can be reused for blocks of varying length without reallocating: the
/// non-allocating streaming calls write into a `Signal` and only move `frames`.
/// Equality compares the valid frames only.
public struct Signal<T: ConvScalar>: Sendable, Equatable, CustomStringConvertible {
    /// Number of channels.
    public let channels: Int
    /// Frames per channel that hold data.
    public private(set) var frames: Int
    /// Frames per channel the storage can hold without reallocating.
    public let capacity: Int
    /// `channels × capacity` samples; channel `c` starts at `c · capacity`.
    @usableFromInline internal var storage: [T]

    /// A signal of `frames` frames per channel, every sample `value`.
    public init(channels: Int, frames: Int, repeating value: T = 0) {
        self.init(channels: channels, capacity: frames, repeating: value)
        self.frames = frames
    }

    /// An empty signal with room for `capacity` frames per channel.
    public init(channels: Int, capacity: Int, repeating value: T = 0) {
        precondition(channels >= 0 && capacity >= 0, "channels and capacity must not be negative")
        self.channels = channels
        self.capacity = capacity
        self.frames = 0
        self.storage = Array(repeating: value, count: channels * capacity)
    }

    /// A signal of `frames` frames per channel whose samples `initialize` writes, every one of
    /// them, through a pointer to the storage (channel `c` at `c · frames`): a large output
    /// is then written once, with no zero fill before it and no copy after.
    init(channels: Int, frames: Int, initializingWith initialize: (UnsafeMutablePointer<T>) -> Void) {
        precondition(channels >= 0 && frames >= 0, "channels and frames must not be negative")
        self.channels = channels
        self.capacity = frames
        self.frames = frames
        let count = channels * frames
        self.storage = Array(unsafeUninitializedCapacity: count) { buffer, initialized in
            if let base = buffer.baseAddress { initialize(base) }
            initialized = count
        }
    }

    /// A signal from one array per channel; all must have the same length.
    public init(_ channelData: [[T]]) {
        let length = channelData.first?.count ?? 0
        precondition(channelData.allSatisfy { $0.count == length }, "every channel needs the same length")
        self.channels = channelData.count
        self.capacity = length
        self.frames = length
        self.storage = channelData.flatMap { $0 }
    }

    /// A signal from interleaved frames (`[c0 c1 c0 c1 …]`), as audio files and devices store them.
    public init(interleaved samples: [T], channels: Int) {
        precondition(channels > 0 && samples.count % channels == 0, "sample count must be a multiple of channels")
        let length = samples.count / channels
        self.init(channels: channels, frames: length)
        for i in 0..<length {
            for c in 0..<channels { storage[c * length + i] = samples[i * channels + c] }
        }
    }

    /// Sample `frame` of `channel`.
    @inlinable
    public subscript(channel: Int, frame: Int) -> T {
        get {
            precondition(frame >= 0 && frame < frames && channel >= 0 && channel < channels, "index out of range")
            return storage[channel * capacity + frame]
        }
        set {
            precondition(frame >= 0 && frame < frames && channel >= 0 && channel < channels, "index out of range")
            storage[channel * capacity + frame] = newValue
        }
    }

    /// The valid samples of one channel.
    public func channel(_ c: Int) -> [T] {
        Array(storage[(c * capacity)..<(c * capacity + frames)])
    }

    /// Every channel's valid samples.
    public var channelArrays: [[T]] { (0..<channels).map(channel) }

    /// The valid frames interleaved (`[c0 c1 c0 c1 …]`).
    public var interleaved: [T] {
        var out = [T](repeating: 0, count: frames * channels)
        for c in 0..<channels {
            for i in 0..<frames { out[i * channels + c] = storage[c * capacity + i] }
        }
        return out
    }

    /// Sets the number of valid frames without touching storage; never allocates.
    public mutating func setFrames(_ count: Int) {
        precondition(count >= 0 && count <= capacity, "frames \(count) outside 0…\(capacity)")
        frames = count
    }

    /// A copy of frames `range` of every channel.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func slice(_ range: Range<Int>) -> Signal {
        var out = Signal(channels: channels, capacity: range.count)
        copyFrames(range, into: &out)
        return out
    }

    /// Copies frames `range` of every channel to frames `offset…` of `destination` (same
    /// channel count, enough capacity) and sets its `frames` to `offset + range.count`;
    /// allocates nothing when `destination`'s storage is not shared.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func copyFrames(_ range: Range<Int>, into destination: inout Signal, at offset: Int = 0) {
        precondition(range.lowerBound >= 0 && range.upperBound <= frames, "range \(range) outside 0..<\(frames)")
        precondition(destination.channels == channels && offset >= 0 && offset + range.count <= destination.capacity, "destination too small")
        let (count, sourceStride, destinationStride) = (range.count, capacity, destination.capacity)
        destination.setFrames(offset + count)
        guard count > 0 else { return }
        storage.withUnsafeBufferPointer { src in
            destination.storage.withUnsafeMutableBufferPointer { dst in
                for c in 0..<channels {
                    (dst.baseAddress! + c * destinationStride + offset)
                        .update(from: src.baseAddress! + c * sourceStride + range.lowerBound, count: count)
                }
            }
        }
    }

    /// This signal followed by `other` (same channel count).
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func appending(_ other: Signal) -> Signal {
        precondition(other.channels == channels, "channel counts differ")
        var out = Signal(channels: channels, capacity: frames + other.frames)
        copyFrames(0..<frames, into: &out)
        other.copyFrames(0..<other.frames, into: &out, at: frames)
        return out
    }

    /// The signals one after another (same channel count), copied once: linear in the total
    /// length however many pieces there are.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public static func concatenating(_ pieces: [Signal]) -> Signal {
        let channels = pieces.first?.channels ?? 0
        precondition(pieces.allSatisfy { $0.channels == channels }, "channel counts differ")
        var out = Signal(channels: channels, capacity: pieces.reduce(0) { $0 + $1.frames })
        var at = 0
        for piece in pieces {
            piece.copyFrames(0..<piece.frames, into: &out, at: at)
            at += piece.frames
        }
        out.setFrames(at)
        return out
    }

    /// Read access to the raw storage: channel `c`, frame `i` is at `c · capacity + i`.
    @inlinable
    public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<T>) throws -> R) rethrows -> R {
        try storage.withUnsafeBufferPointer(body)
    }

    /// Write access to the raw storage (layout as for reading); never allocates when the
    /// signal's storage is not shared with a copy.
    @inlinable
    public mutating func withUnsafeMutableBufferPointer<R>(_ body: (inout UnsafeMutableBufferPointer<T>) throws -> R) rethrows -> R {
        try storage.withUnsafeMutableBufferPointer(body)
    }

    /// Whether the valid frames are the same bits: unlike `==`, `0` and `−0` differ, and a
    /// NaN equals a NaN with the same payload. What the chunking contract promises.
    public func bitwiseEquals(_ other: Signal) -> Bool {
        ChunkEquivalence.firstDifference(expected: self, actual: other) == nil
    }

    /// Numeric equality of the valid frames (`0 == −0`, `NaN != NaN`); see ``bitwiseEquals(_:)``.
    public static func == (lhs: Signal, rhs: Signal) -> Bool {
        guard lhs.channels == rhs.channels, lhs.frames == rhs.frames else { return false }
        for c in 0..<lhs.channels {
            for i in 0..<lhs.frames where lhs.storage[c * lhs.capacity + i] != rhs.storage[c * rhs.capacity + i] {
                return false
            }
        }
        return true
    }

    public var description: String { "Signal(\(channels) channels × \(frames) frames)" }
}

/// A batch of signals of one shape: the batched `(N, C, L)` tensor.
public struct SignalBatch<T: ConvScalar>: Sendable, Equatable {
    /// The batch items, each `(C, L)`.
    public var items: [Signal<T>]

    /// A batch from items that share one channel count and length.
    /// - Throws: ``Conv1dError/raggedBatch(index:expected:got:)`` when they do not.
    public init(_ items: [Signal<T>]) throws(Conv1dError) {
        if let first = items.first {
            for (i, item) in items.enumerated() where item.channels != first.channels || item.frames != first.frames {
                throw Conv1dError.raggedBatch(index: i, expected: [first.channels, first.frames], got: [item.channels, item.frames])
            }
        }
        self.items = items
    }

    /// `[N, C, L]`.
    public var shape: [Int] { [items.count, items.first?.channels ?? 0, items.first?.frames ?? 0] }
}
