/// How a whole-signal call's segments run: `runner(count, segment)` calls `segment(k)` once
/// for every `k` in `0..<count`, from any threads, and returns when all have returned
/// (`DispatchQueue.concurrentPerform(iterations:execute:)` is one).
public typealias SegmentRunner = (_ count: Int, _ segment: @Sendable (Int) -> Void) -> Void

/// A whole-signal call cut into segments that may run on separate threads
/// (``Stage/wholeSignal(_:maxSegments:)``): ``output(runningSegments:)`` runs each of
/// ``segmentCount`` segments through the caller's runner, straight into the output's
/// storage. The core starts no thread: the caller chooses how to run the segments.
public protocol WholeSignalCall<Scalar>: AnyObject, Sendable {
    /// The sample type.
    associatedtype Scalar: ConvScalar
    /// Segments to run.
    var segmentCount: Int { get }
    /// The output: every segment computed through `runner` (segments are independent, so any
    /// order or overlap gives the same bits). Call it once.
    func output(runningSegments runner: SegmentRunner) -> Signal<Scalar>
}

extension WholeSignalCall {
    /// The output, its segments run one after another on this thread.
    public func output() -> Signal<Scalar> {
        output { count, segment in
            for k in 0..<count { segment(k) }
        }
    }
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

    func output(runningSegments runner: SegmentRunner) -> Signal<T> {
        runner(1) { _ in }
        return result
    }
}
