import StreamConv
import Synchronization

/// A single-producer, single-consumer ring of interleaved `Float` frames: the audio thread
/// pushes filtered frames without locking or allocating, another thread pops them and does
/// the file or pipe I/O the audio thread must not do.
public final class FrameRing: @unchecked Sendable {
    /// Channels per frame.
    public let channels: Int
    /// Frames the ring holds.
    public let capacity: Int
    private let storage: UnsafeMutablePointer<Float>
    private let pushed = Atomic<Int>(0)
    private let popped = Atomic<Int>(0)
    private let closedFlag = Atomic<Bool>(false)

    /// A ring of `capacity` frames of `channels` samples (allocates).
    public init(channels: Int, capacity: Int) {
        self.channels = channels
        self.capacity = capacity
        storage = .allocate(capacity: channels * capacity)
        storage.initialize(repeating: 0, count: channels * capacity)
    }

    deinit { storage.deallocate() }

    /// Appends the valid frames of `signal` (planar); false, appending nothing, when there
    /// is not room for all of them. Producer side; allocates nothing.
    public func push(_ signal: Signal<Float>) -> Bool {
        let frames = signal.frames
        let write = pushed.load(ordering: .relaxed)
        let read = popped.load(ordering: .acquiring)
        guard capacity - (write - read) >= frames else { return false }
        let (channels, capacity, stride) = (channels, capacity, signal.capacity)
        signal.withUnsafeBufferPointer { src in
            for i in 0..<frames {
                let slot = (write + i) % capacity
                for c in 0..<channels { storage[slot * channels + c] = src[c * stride + i] }
            }
        }
        pushed.store(write + frames, ordering: .releasing)
        return true
    }

    /// Moves up to `signal.capacity` frames into `signal` (planar, `frames` set); returns
    /// the count. Consumer side.
    public func pop(into signal: inout Signal<Float>) -> Int {
        let read = popped.load(ordering: .relaxed)
        let available = pushed.load(ordering: .acquiring) - read
        let frames = min(available, signal.capacity)
        let (channels, capacity, stride) = (channels, capacity, signal.capacity)
        signal.setFrames(frames)
        signal.withUnsafeMutableBufferPointer { dst in
            for i in 0..<frames {
                let slot = (read + i) % capacity
                for c in 0..<channels { dst[c * stride + i] = storage[slot * channels + c] }
            }
        }
        popped.store(read + frames, ordering: .releasing)
        return frames
    }

    /// Moves up to `frames` frames into `raw` as interleaved little-endian `Float`; returns
    /// the count. Consumer side; allocates nothing.
    public func pop(interleavedInto raw: UnsafeMutableRawPointer, frames wanted: Int) -> Int {
        let read = popped.load(ordering: .relaxed)
        let frames = min(pushed.load(ordering: .acquiring) - read, wanted)
        for i in 0..<frames {
            let slot = (read + i) % capacity
            for c in 0..<channels {
                raw.storeBytes(of: storage[slot * channels + c].bitPattern.littleEndian, toByteOffset: (i * channels + c) * 4, as: UInt32.self)
            }
        }
        popped.store(read + frames, ordering: .releasing)
        return frames
    }

    /// Frames the producer may push now.
    public var space: Int { capacity - (pushed.load(ordering: .relaxed) - popped.load(ordering: .acquiring)) }

    /// Marks the end: the producer has pushed its last frames.
    public func close() { closedFlag.store(true, ordering: .releasing) }

    /// Whether ``close()`` was called; frames pushed before it may still be waiting.
    public var isClosed: Bool { closedFlag.load(ordering: .acquiring) }
}
