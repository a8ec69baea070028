/// How `torch.nn.Conv1d` pads: a number of samples on both sides, `'same'` or `'valid'`.
public enum Conv1dPadding: Hashable, Sendable, CustomStringConvertible {
    /// The same number of samples on the left and on the right (PyTorch's `padding=p` or `(p,)`).
    case samples(Int)
    /// Output as long as the input (stride 1 only): the total `dilation·(kernel_size−1)` is split
    /// with the smaller half on the left, as PyTorch does.
    case same
    /// No padding (`padding='valid'`, the same as `padding=0`).
    case valid

    public var description: String {
        switch self {
        case let .samples(p): return "\(p)"
        case .same: return "'same'"
        case .valid: return "'valid'"
        }
    }
}

/// What the samples beyond the ends of the signal are, as in PyTorch's `padding_mode`.
public enum PaddingMode: String, CaseIterable, Hashable, Sendable, CustomStringConvertible {
    /// Zeros.
    case zeros
    /// The signal mirrored about its end samples, which are not repeated (`[a b c] → c b | a b c | b a`).
    case reflect
    /// The end samples repeated.
    case replicate
    /// The signal wrapped around: the left pad is the end of the signal, the right pad its start.
    case circular

    public var description: String { rawValue }
}

/// The hyper-parameters of a `torch.nn.Conv1d`, validated with PyTorch's rules.
///
/// The names follow PyTorch (`kernelSize` is `kernel_size`), so a model definition transcribes
/// one to one. Creating a spec checks everything that does not depend on the input; what does
/// (the input length against padding and receptive field) is checked by
/// ``validateInputLength(_:)``, which the whole-signal and streaming paths share so they fail
/// with the same error.
public struct Conv1dSpec: Hashable, Sendable, CustomStringConvertible {
    /// `in_channels`: channels of the input signal.
    public let inChannels: Int
    /// `out_channels`: channels of the output signal.
    public let outChannels: Int
    /// `kernel_size`: taps per (output, input) channel pair.
    public let kernelSize: Int
    /// `stride`: input samples between consecutive outputs; output rate = input rate / stride.
    public let stride: Int
    /// `padding` as given; ``padLeft`` and ``padRight`` are what it resolves to.
    public let padding: Conv1dPadding
    /// `dilation`: input samples between consecutive taps.
    public let dilation: Int
    /// `groups`: the channels split into this many independent convolutions.
    public let groups: Int
    /// `bias`: whether a bias is added to each output channel.
    public let bias: Bool
    /// `padding_mode`: what the samples beyond the ends of the signal are.
    public let paddingMode: PaddingMode

    /// Samples of padding before the first input sample.
    public let padLeft: Int
    /// Samples of padding after the last input sample.
    public let padRight: Int

    /// The largest channel count, kernel size, stride, dilation, padding, receptive field and
    /// weight count accepted, so index arithmetic cannot overflow.
    public static let maximumSize = Int(Int32.max)

    /// Checks the parameters as `torch.nn.Conv1d.__init__` does.
    /// - Throws: ``Conv1dError`` naming the offending parameter and value.
    public init(
        inChannels: Int, outChannels: Int, kernelSize: Int,
        stride: Int = 1, padding: Conv1dPadding = .samples(0), dilation: Int = 1,
        groups: Int = 1, bias: Bool = true, paddingMode: PaddingMode = .zeros
    ) throws(Conv1dError) {
        for (name, value) in [
            ("in_channels", inChannels), ("out_channels", outChannels), ("kernel_size", kernelSize),
            ("stride", stride), ("dilation", dilation), ("groups", groups),
        ] where value < 1 {
            throw Conv1dError.nonPositive(parameter: name, value: value)
        }
        for (name, value) in [
            ("in_channels", inChannels), ("out_channels", outChannels), ("kernel_size", kernelSize),
            ("stride", stride), ("dilation", dilation), ("groups", groups),
        ] where value > Self.maximumSize {
            throw Conv1dError.tooLarge(parameter: name, value: value, limit: Self.maximumSize)
        }
        if case let .samples(p) = padding, p > Self.maximumSize {
            throw Conv1dError.tooLarge(parameter: "padding", value: p, limit: Self.maximumSize)
        }
        // Both factors are below 2^31, so these products fit in 64 bits.
        let field = dilation * (kernelSize - 1) + 1
        if field > Self.maximumSize {
            throw Conv1dError.tooLarge(parameter: "receptive field dilation·(kernel_size−1)+1", value: field, limit: Self.maximumSize)
        }
        // Each factor is below 2^31, but three of them can overflow 64 bits: saturate.
        let weightCount = Saturating.product([outChannels, inChannels / groups, kernelSize])
        if weightCount > Self.maximumSize {
            throw Conv1dError.tooLarge(parameter: "weight count out_channels·in_channels/groups·kernel_size", value: weightCount, limit: Self.maximumSize)
        }
        if inChannels % groups != 0 {
            throw Conv1dError.groupsDoNotDivide(channels: "in_channels", count: inChannels, groups: groups)
        }
        if outChannels % groups != 0 {
            throw Conv1dError.groupsDoNotDivide(channels: "out_channels", count: outChannels, groups: groups)
        }
        switch padding {
        case let .samples(p):
            if p < 0 { throw Conv1dError.negativePadding(p) }
            (padLeft, padRight) = (p, p)
        case .valid:
            (padLeft, padRight) = (0, 0)
        case .same:
            if stride != 1 { throw Conv1dError.sameWithStride(stride: stride) }
            let total = dilation * (kernelSize - 1)
            padLeft = total / 2
            padRight = total - padLeft
        }
        self.inChannels = inChannels
        self.outChannels = outChannels
        self.kernelSize = kernelSize
        self.stride = stride
        self.padding = padding
        self.dilation = dilation
        self.groups = groups
        self.bias = bias
        self.paddingMode = paddingMode
    }

    /// Input channels seen by each output channel (`in_channels / groups`).
    public var inChannelsPerGroup: Int { inChannels / groups }
    /// Output channels computed from each group (`out_channels / groups`).
    public var outChannelsPerGroup: Int { outChannels / groups }
    /// Padded-signal samples one output reads: `dilation·(kernel_size−1)+1`.
    public var receptiveField: Int { dilation * (kernelSize - 1) + 1 }
    /// The weight tensor's shape, `[out_channels, in_channels/groups, kernel_size]`.
    public var weightShape: [Int] { [outChannels, inChannelsPerGroup, kernelSize] }

    /// Checks that an input of `length` samples can be padded and convolved, in the order
    /// PyTorch checks it (padding first, then the kernel against the padded length).
    /// - Throws: ``Conv1dError`` with the numbers involved.
    public func validateInputLength(_ length: Int) throws(Conv1dError) {
        if length < 1 { throw Conv1dError.emptyInput }
        switch paddingMode {
        case .reflect where padLeft >= length || padRight >= length:
            throw Conv1dError.reflectPaddingTooLarge(left: padLeft, right: padRight, inputLength: length)
        case .circular where padLeft > length || padRight > length:
            throw Conv1dError.circularPaddingTooLarge(left: padLeft, right: padRight, inputLength: length)
        default:
            break
        }
        let padded = padLeft + length + padRight
        if padded < receptiveField {
            throw Conv1dError.inputTooShort(paddedLength: padded, receptiveField: receptiveField, inputLength: length)
        }
    }

    /// The shortest input ``validateInputLength(_:)`` accepts: one sample at least, enough
    /// to fill the receptive field once padded, and more than the pad on each side for reflect
    /// (at least the pad for circular).
    public var minimumInputLength: Int {
        var length = max(1, receptiveField - padLeft - padRight)
        switch paddingMode {
        case .reflect: length = max(length, padLeft + 1, padRight + 1)
        case .circular: length = max(length, padLeft, padRight)
        case .zeros, .replicate: break
        }
        return length
    }

    /// `L_out = floor((L_in + pad_left + pad_right − dilation·(kernel_size−1) − 1) / stride) + 1`.
    /// - Throws: as ``validateInputLength(_:)`` when no output exists for this length.
    public func outputLength(inputLength: Int) throws(Conv1dError) -> Int {
        try validateInputLength(inputLength)
        return (padLeft + inputLength + padRight - receptiveField) / stride + 1
    }

    /// Outputs whose window ends within the input (it may start in the left padding): what a
    /// zero-padded stream emits before ``StreamingConv1d/finish()``, i.e. the output without
    /// the tail that needs right padding. For a full convolution (padding = kernel_size − 1,
    /// stride 1) this is the input's length.
    public func outputsBeforeTail(inputLength: Int) -> Int {
        let last = padLeft + inputLength - receptiveField
        guard last >= 0 else { return 0 }
        return min(last / stride + 1, (padLeft + inputLength + padRight - receptiveField) / stride + 1)
    }

    /// The output rate for an input at `inputRate` Hz: `inputRate / stride`, which must be a
    /// whole number for a file or a device to carry it.
    /// - Throws: ``Conv1dError/strideDoesNotDivideRate(rate:stride:)``.
    public func outputRate(inputRate: Int) throws(Conv1dError) -> Int {
        try Self.rateRule(inputRate: inputRate, stride: stride)
    }

    /// ``outputRate(inputRate:)`` for a stride alone.
    public static func rateRule(inputRate: Int, stride: Int) throws(Conv1dError) -> Int {
        guard stride > 0, inputRate % stride == 0 else { throw .strideDoesNotDivideRate(rate: inputRate, stride: stride) }
        return inputRate / stride
    }

    /// Input frames between a sample arriving and the output aligned with it
    /// (output `t` aligns with input `t·stride`) being emitted, once streaming is under way:
    /// `dilation·(kernel_size−1) − pad_left`, never below zero. Reflect padding adds a wait
    /// at the very start (see ``StreamingConv1d/startupLatency``).
    public var latency: Int { max(0, receptiveField - 1 - padLeft) }

    /// Outputs whose window wraps past the signal's start under circular padding, so they read
    /// its end: `ceil(pad_left / stride)`, else 0. A stream withholds them until it ends, and
    /// a whole-signal call computes them apart, so both run the same two sequences.
    var withheldHeadOutputs: Int { paddingMode == .circular ? (padLeft + stride - 1) / stride : 0 }

    public var description: String {
        var parts = ["\(inChannels)", "\(outChannels)", "kernel_size=\(kernelSize)"]
        if stride != 1 { parts.append("stride=\(stride)") }
        if padding != .samples(0) { parts.append("padding=\(padding)") }
        if dilation != 1 { parts.append("dilation=\(dilation)") }
        if groups != 1 { parts.append("groups=\(groups)") }
        if !bias { parts.append("bias=False") }
        if paddingMode != .zeros { parts.append("padding_mode='\(paddingMode)'") }
        return "Conv1d(\(parts.joined(separator: ", ")))"
    }
}
