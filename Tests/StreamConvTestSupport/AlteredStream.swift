import StreamConv

/// A stream with one fault put in on purpose (or none), for tests of what consumes stages:
/// the chunk checker, the live loop, the protocol's defaults.
public struct AlteredStream: Stage, ~Copyable {
    /// What is wrong with it.
    public enum Fault: Sendable, Equatable {
        /// Nothing: every call forwards to the stream (and the protocol's defaults are used).
        case none
        /// `finish` drops its tail and says so in its counts.
        case dropsTail
        /// `outputFrameCount` says one frame more than `process` gives.
        case miscountsOutputs
        /// `finishFrameCounts` says one tail frame more than `finish` gives.
        case miscountsFinish
        /// `outputBound` says `bound`, whatever the input.
        case outputBound(Int)
    }

    /// The stream underneath.
    public var inner: StreamingConv1d<Float>
    /// Its fault.
    public let fault: Fault

    /// `inner` with `fault`.
    public init(_ inner: consuming StreamingConv1d<Float>, fault: Fault = .none) {
        self.inner = inner
        self.fault = fault
    }

    public var inputChannels: Int { inner.inputChannels }
    public var outputChannels: Int { inner.outputChannels }
    public var rateRatio: FrameRatio { inner.rateRatio }
    public var latency: Int { inner.latency }
    public var maxFrames: Int { inner.maxFrames }
    public mutating func prepare(maxFrames: Int) { inner.prepare(maxFrames: maxFrames) }

    public func outputFrameCount(afterProcessing frames: Int) -> Int {
        inner.outputFrameCount(afterProcessing: frames) + (fault == .miscountsOutputs && frames > 0 ? 1 : 0)
    }

    public func outputBound(inputFrames frames: Int) -> Int {
        if case let .outputBound(bound) = fault { return bound }
        return inner.outputBound(inputFrames: frames)
    }

    public func finishFrameCounts() throws(Conv1dError) -> (head: Int, tail: Int) {
        let counts = try inner.finishFrameCounts()
        switch fault {
        case .dropsTail: return (counts.head, 0)
        case .miscountsFinish: return (counts.head, counts.tail + 1)
        default: return counts
        }
    }

    public var finishBound: (head: Int, tail: Int) { inner.finishBound }
    public func outputsBeforeTail(inputLength: Int) -> Int { inner.outputsBeforeTail(inputLength: inputLength) }

    public mutating func process(_ input: Signal<Float>, into output: inout Signal<Float>) throws(Conv1dError) {
        try inner.process(input, into: &output)
    }

    public mutating func finish(head: inout Signal<Float>, tail: inout Signal<Float>) throws(Conv1dError) {
        guard fault == .dropsTail else { return try inner.finish(head: &head, tail: &tail) }
        var full = Signal<Float>(channels: outputChannels, capacity: inner.finishBound.tail)
        try inner.finish(head: &head, tail: &full)
        tail.setFrames(0)
    }

    public mutating func reset() { inner.reset() }
    public func copy() -> AlteredStream { AlteredStream(inner.copy(), fault: fault) }
}
