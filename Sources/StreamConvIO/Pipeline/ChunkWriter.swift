import Dispatch
import Foundation
import StreamConv

/// Writes a stream's chunks to its sink (or spill file), on a serial queue of its own when
/// `background`, so writing one chunk overlaps filtering the next; at most a few chunks wait.
/// The first error stops the writing and is thrown by the next ``write(_:)`` or ``finish()``.
///
/// Unchecked Sendable: the sink and spill file are used only on the queue until ``drain()``
/// or ``finish()`` returns, and the error only under the lock.
final class ChunkWriter<T: AudioSample>: @unchecked Sendable {
    let sink: any AudioSink
    let spill: SpillFile?
    let queue: DispatchQueue?
    let slots = DispatchSemaphore(value: 3)
    let lock = NSLock()
    var failure: IOError?

    init(sink: any AudioSink, spill: SpillFile?, background: Bool) {
        self.sink = sink
        self.spill = spill
        queue = background ? DispatchQueue(label: "streamconv.writer") : nil
    }

    private func put(_ chunk: Signal<T>) throws(IOError) {
        if let spill { try spill.append(chunk) } else { try T.write(chunk, to: sink) }
    }

    private var error: IOError? { lock.withLock { failure } }

    /// Writes `chunk` (in line, or queued: the chunk's storage is shared, not copied, until the
    /// caller writes into its buffer again).
    func write(_ chunk: Signal<T>) throws(IOError) {
        guard let queue else { return try put(chunk) }
        if let error { throw error }
        slots.wait()
        queue.async {
            defer { self.slots.signal() }
            guard self.error == nil else { return }
            do throws(IOError) {
                try self.put(chunk)
            } catch {
                self.lock.withLock { self.failure = error }
            }
        }
    }

    /// Waits for every queued chunk.
    func drain() {
        queue?.sync {}
    }

    /// Waits for every queued chunk and throws the first write error.
    func finish() throws(IOError) {
        drain()
        if let error { throw error }
    }
}
