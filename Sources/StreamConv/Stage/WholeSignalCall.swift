/// A whole-signal call cut into segments that may run on separate threads
/// (``Stage/wholeSignal(_:maxSegments:)``): ``run(_:)`` once for each of ``segmentCount``
/// segments, from any threads, then ``output()``. The core starts no thread: the caller
/// chooses how to run the segments.
public protocol WholeSignalCall<Scalar>: AnyObject, Sendable {
    /// The sample type.
    associatedtype Scalar: ConvScalar
    /// Segments to run.
    var segmentCount: Int { get }
    /// Computes segment `k`. Safe to call for different segments at the same time.
    func run(_ k: Int)
    /// The output, once every segment has run.
    func output() -> Signal<Scalar>
}

/// The whole-signal call of any stage: the signal streamed in one chunk through a fresh
/// stage, done when it is made (so its errors are thrown there); one segment with nothing left
/// to run.
final class StreamedWholeSignal<T: ConvScalar>: WholeSignalCall, Sendable {
    typealias Scalar = T
    private let result: Signal<T>

    init<S: Stage<T> & ~Copyable>(stage: consuming S, input: Signal<T>) throws(Conv1dError) {
        var stage = stage
        stage.prepare(maxFrames: input.frames)
        let body = try stage.process(input)
        let end = try stage.finish()
        result = Signal.concatenating([end.head, body, end.tail])
    }

    var segmentCount: Int { 1 }

    func run(_ k: Int) {}

    func output() -> Signal<T> { result }
}
