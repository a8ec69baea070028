/// A part of a stage that runs on its own (``Stage/lanes(_:)``): some input channels in, some
/// output channels out, nothing shared with the other lanes. A class, so that each worker
/// thread mutates only its own lane; a lane is used by one thread at a time.
public final class StageLane<S: Stage & ~Copyable>: @unchecked Sendable {
    /// The lane's stage, its channels renumbered from 0.
    public var stage: S
    /// The input channels of the whole stage the lane reads.
    public let inputChannels: Range<Int>
    /// The output channels of the whole stage the lane writes.
    public let outputChannels: Range<Int>

    /// A lane running `stage` on `inputChannels`, writing `outputChannels`.
    public init(_ stage: consuming S, inputChannels: Range<Int>, outputChannels: Range<Int>) {
        self.stage = stage
        self.inputChannels = inputChannels
        self.outputChannels = outputChannels
    }
}
