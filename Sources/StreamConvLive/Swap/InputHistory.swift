import StreamConv
import Synchronization

/// The captured input's recent past, kept by the audio thread for a filter swap: a new
/// filter joins the signal from it (``Stage/join(history:endingAt:)``), so it starts with no
/// transient.
///
/// One writer (the audio thread, once per period, without locking or allocating) and any
/// number of readers on other threads. Samples are stored as relaxed atomics so a reader
/// never races the writer; a read is checked afterwards against what the writer may have
/// overwritten meanwhile (as a seqlock is) and retried, so what it returns is exactly the
/// frames captured.
public final class InputHistory: @unchecked Sendable {
    // Unchecked: every sample and the frame count are atomics, allocated once, freed in deinit.
    /// Channels per frame.
    public let channels: Int
    /// Frames kept.
    public let capacity: Int
    /// The most frames one ``append(_:)`` writes: what a reader allows for a write in flight.
    public let maxAppend: Int
    private let samples: UnsafeMutablePointer<Atomic<UInt32>>
    private let written = Atomic<Int64>(0)

    /// A history of the last `capacity` frames of `channels` channels, appended at most
    /// `maxAppend` frames at a time (allocates).
    public init(channels: Int, capacity: Int, maxAppend: Int) {
        precondition(channels > 0 && maxAppend > 0 && capacity > maxAppend, "history of \(capacity) frames for appends of \(maxAppend)")
        self.channels = channels
        self.capacity = capacity
        self.maxAppend = maxAppend
        samples = .allocate(capacity: channels * capacity)
        for i in 0..<(channels * capacity) { (samples + i).initialize(to: Atomic(0)) }
    }

    deinit {
        samples.deinitialize(count: channels * capacity)
        samples.deallocate()
    }

    /// Frames appended since the start (the input frame the next append begins at).
    public var frames: Int64 { written.load(ordering: .acquiring) }

    /// Appends the valid frames of `signal` (at most ``maxAppend``). The writer's side:
    /// allocates nothing, takes no lock.
    public func append(_ signal: Signal<Float>) {
        let count = signal.frames
        precondition(count <= maxAppend && signal.channels == channels, "append of \(count) frames × \(signal.channels) channels")
        let start = written.load(ordering: .relaxed)
        let (capacity, stride) = (capacity, signal.capacity)
        signal.withUnsafeBufferPointer { src in
            for c in 0..<channels {
                let row = samples + c * capacity
                var slot = Int(start % Int64(capacity))
                for i in 0..<count {
                    row[slot].store(src[c * stride + i].bitPattern, ordering: .relaxed)
                    slot += 1
                    if slot == capacity { slot = 0 }
                }
            }
        }
        written.store(start + Int64(count), ordering: .releasing)
    }

    /// The oldest frame a reader can still be sure of now.
    public var oldestReadable: Int64 { max(0, frames + Int64(maxAppend) - Int64(capacity)) }

    /// Copies input frames `range` (absolute frame indices, appended already) into
    /// `destination` from frame 0 and sets its frame count; `false` when part of the range
    /// is no longer kept (overwritten before or during the copy: nothing usable was copied).
    /// Allocates nothing; the writer's own thread may call it too.
    public func read(_ range: Range<Int64>, into destination: inout Signal<Float>) -> Bool {
        let count = Int(range.count)
        precondition(destination.channels == channels && count <= destination.capacity, "read of \(count) frames into \(destination.capacity)")
        precondition(range.upperBound <= frames, "read of frames \(range) beyond the \(frames) appended")
        guard range.lowerBound >= oldestReadable || range.isEmpty else { return false }
        let (capacity, stride) = (capacity, destination.capacity)
        destination.setFrames(count)
        destination.withUnsafeMutableBufferPointer { dst in
            for c in 0..<channels {
                let row = samples + c * capacity
                var slot = Int(range.lowerBound % Int64(capacity))
                for i in 0..<count {
                    dst[c * stride + i] = Float(bitPattern: row[slot].load(ordering: .relaxed))
                    slot += 1
                    if slot == capacity { slot = 0 }
                }
            }
        }
        // The samples' loads may not move below this: then a range still readable after
        // them was not overwritten while they ran.
        atomicMemoryFence(ordering: .acquiring)
        return range.lowerBound >= oldestReadable || range.isEmpty
    }
}
