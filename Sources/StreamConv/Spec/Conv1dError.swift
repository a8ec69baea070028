/// Why a convolution could not be configured or run.
///
/// Each case carries the numbers involved so its message can say what was wrong and what to
/// change; the cases mirror the errors `torch.nn.Conv1d` raises, so a configuration or an
/// input that PyTorch refuses is refused here too.
public enum Conv1dError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A size that must be at least one (channels, kernel size, stride, dilation, groups).
    case nonPositive(parameter: String, value: Int)
    /// Padding below zero.
    case negativePadding(Int)
    /// A size beyond what can be held in memory or indexed (see ``Conv1dSpec/maximumSize``).
    case tooLarge(parameter: String, value: Int, limit: Int)
    /// `groups` does not divide a channel count.
    case groupsDoNotDivide(channels: String, count: Int, groups: Int)
    /// `padding='same'` with a stride above one, which PyTorch refuses.
    case sameWithStride(stride: Int)
    /// The weight tensor has another shape than the specification implies.
    case weightShape(expected: [Int], got: [Int])
    /// The bias has another length than `out_channels`, or is present/absent against `bias`.
    case biasShape(expected: Int?, got: Int?)
    /// The input has another channel count than `in_channels`.
    case channelMismatch(expected: Int, got: Int, groups: Int)
    /// The input has no samples.
    case emptyInput
    /// The padded input is shorter than the receptive field `dilation·(kernel_size−1)+1`.
    case inputTooShort(paddedLength: Int, receptiveField: Int, inputLength: Int)
    /// Reflect padding needs more input samples than the pad on each side.
    case reflectPaddingTooLarge(left: Int, right: Int, inputLength: Int)
    /// Circular padding may wrap around the input at most once.
    case circularPaddingTooLarge(left: Int, right: Int, inputLength: Int)
    /// The batch's signals differ in channel count or length (a tensor cannot).
    case raggedBatch(index: Int, expected: [Int], got: [Int])
    /// An output buffer passed to a non-allocating call is too small.
    case outputCapacity(needed: Int, capacity: Int)
    /// An output buffer passed to a non-allocating call has another channel count than `out_channels`.
    case outputChannels(expected: Int, got: Int)
    /// `process` was called after `finish` without a `reset`.
    case streamFinished
    /// The input rate divided by the stride is not a whole number of Hz.
    case strideDoesNotDivideRate(rate: Int, stride: Int)
    /// A stage asked to join a signal at input frame `position` was given fewer frames of its
    /// recent past than it needs.
    case joinHistoryTooShort(position: Int64, needed: Int, got: Int)
    /// A stage that cannot join a signal part-way through (it needs the signal's start).
    case cannotJoin(reason: String)
    /// An error in one node of a network.
    indirect case node(name: String, Conv1dError)
    /// The inputs of a network node that combines frame by frame ended at different lengths.
    case branchLengths(node: String, lengths: [Int])
    /// `output_padding` of a transposed convolution must be smaller than its stride or its
    /// dilation, as PyTorch requires.
    case outputPaddingTooLarge(outputPadding: Int, stride: Int, dilation: Int)
    /// A transposed convolution's output for this input length would be empty or negative.
    case transposedOutputTooShort(inputLength: Int, outputLength: Int)
    /// A pad's negative amounts would crop more than the signal has.
    case cropTooLarge(left: Int, right: Int, inputLength: Int)

    public var description: String {
        switch self {
        case let .nonPositive(parameter, value):
            return "\(parameter) must be at least 1, got \(value)"
        case let .negativePadding(value):
            return "padding must be 0 or more, got \(value)"
        case let .tooLarge(parameter, value, limit):
            let shown = value == Int.max ? "beyond 2^63" : "\(value)"
            return "\(parameter) is \(shown), more than the \(limit) this implementation supports"
        case let .groupsDoNotDivide(channels, count, groups):
            return "\(channels) (\(count)) must be divisible by groups (\(groups)); choose groups that divides both channel counts"
        case let .sameWithStride(stride):
            return "padding='same' is not supported for strided convolutions (stride \(stride)); use stride 1 or an explicit padding"
        case let .weightShape(expected, got):
            return "weight: expected \(Self.shape(expected)), got \(Self.shape(got))"
        case let .biasShape(expected, got):
            switch (expected, got) {
            case let (e?, g?): return "bias: expected \(e) values (one per output channel), got \(g)"
            case (nil, _?): return "bias: the filter was configured with bias=false but a bias was given; drop it or set bias=true"
            case let (e?, nil): return "bias: the filter was configured with bias=true but no bias was given; give \(e) values or set bias=false"
            case (nil, nil): return "bias: inconsistent bias"
            }
        case let .channelMismatch(expected, got, groups):
            return "input has \(got) channels but the filter expects in_channels=\(expected) (groups=\(groups)); feed a \(expected)-channel signal or use a preset made for \(got) channels"
        case .emptyInput:
            return "the input has no samples"
        case let .inputTooShort(padded, field, length):
            return "padded input length \(padded) (input \(length) samples) is shorter than the receptive field dilation·(kernel_size−1)+1 = \(field); give at least \(field - padded + length) samples"
        case let .reflectPaddingTooLarge(left, right, length):
            return "reflect padding (\(left), \(right)) must be less than the input length \(length); give at least \(max(left, right) + 1) samples or use another padding_mode"
        case let .circularPaddingTooLarge(left, right, length):
            return "circular padding (\(left), \(right)) would wrap around an input of \(length) samples more than once; give at least \(max(left, right)) samples"
        case let .raggedBatch(index, expected, got):
            return "batch item \(index) has shape \(Self.shape(got)) but item 0 has \(Self.shape(expected)); a batch needs one shape"
        case let .outputCapacity(needed, capacity):
            return "output buffer holds \(capacity) frames but this call produces \(needed); size it with outputFrameCount(afterProcessing:)"
        case let .strideDoesNotDivideRate(rate, stride):
            return "the input rate \(rate) Hz / stride \(stride) is not a whole number of Hz, so no output rate can be written; use an input rate divisible by \(stride)"
        case let .outputChannels(expected, got):
            return "output buffer has \(got) channels but the filter produces out_channels=\(expected); make it with Signal(channels: \(expected), capacity:)"
        case .streamFinished:
            return "the stream was finished; call reset() before processing a new signal"
        case let .joinHistoryTooShort(position, needed, got):
            return "joining the signal at frame \(position) needs its last \(needed) frames, but only \(got) were given; keep a longer input history"
        case let .cannotJoin(reason):
            return "this filter cannot join a signal part-way through: \(reason)"
        case let .node(name, error):
            return "node '\(name)': \(error)"
        case let .branchLengths(node, lengths):
            return "inputs of different lengths (\(lengths.map(String.init).joined(separator: ", ")) frames), which PyTorch refuses as well; pad or crop the branches so they end together (node '\(node)')"
        case let .outputPaddingTooLarge(outputPadding, stride, dilation):
            return "output_padding (\(outputPadding)) must be smaller than either stride (\(stride)) or dilation (\(dilation)), as in PyTorch"
        case let .transposedOutputTooShort(length, output):
            return "a transposed convolution of \(length) input frames gives \(output) output frames; give a longer input or less padding"
        case let .cropTooLarge(left, right, length):
            return "padding (\(left), \(right)) crops more than the \(length) frames of the input; give a longer input or crop less"
        }
    }

    private static func shape(_ dims: [Int]) -> String {
        dims.map { "[\($0)]" }.joined()
    }
}
