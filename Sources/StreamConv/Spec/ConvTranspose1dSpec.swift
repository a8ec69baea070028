/// The hyper-parameters of a `torch.nn.ConvTranspose1d`, validated with PyTorch's rules.
///
/// Output length `(L − 1)·stride − 2·padding + dilation·(kernel_size − 1) + output_padding + 1`;
/// weight shape `[in_channels][out_channels/groups][kernel_size]` (PyTorch's layout).
public struct ConvTranspose1dSpec: Hashable, Sendable, CustomStringConvertible {
    /// `in_channels`.
    public let inChannels: Int
    /// `out_channels`.
    public let outChannels: Int
    /// `kernel_size`.
    public let kernelSize: Int
    /// `stride`: output frames per input frame.
    public let stride: Int
    /// `padding`: output frames dropped at each end.
    public let padding: Int
    /// `output_padding`: frames added at the end of the output.
    public let outputPadding: Int
    /// `groups`.
    public let groups: Int
    /// `bias`.
    public let bias: Bool
    /// `dilation`.
    public let dilation: Int

    /// Checks the parameters as `torch.nn.ConvTranspose1d.__init__` does.
    /// - Throws: ``Conv1dError`` naming the offending parameter and value.
    public init(inChannels: Int, outChannels: Int, kernelSize: Int, stride: Int = 1, padding: Int = 0,
                outputPadding: Int = 0, groups: Int = 1, bias: Bool = true, dilation: Int = 1) throws(Conv1dError) {
        for (name, value) in [("in_channels", inChannels), ("out_channels", outChannels), ("kernel_size", kernelSize),
                              ("stride", stride), ("dilation", dilation), ("groups", groups)] {
            if value < 1 { throw Conv1dError.nonPositive(parameter: name, value: value) }
            if value > Conv1dSpec.maximumSize { throw Conv1dError.tooLarge(parameter: name, value: value, limit: Conv1dSpec.maximumSize) }
        }
        if padding < 0 { throw Conv1dError.negativePadding(padding) }
        if padding > Conv1dSpec.maximumSize { throw Conv1dError.tooLarge(parameter: "padding", value: padding, limit: Conv1dSpec.maximumSize) }
        if outputPadding < 0 { throw Conv1dError.nonPositive(parameter: "output_padding + 1", value: outputPadding + 1) }
        if outputPadding >= stride && outputPadding >= dilation {
            throw Conv1dError.outputPaddingTooLarge(outputPadding: outputPadding, stride: stride, dilation: dilation)
        }
        let field = dilation * (kernelSize - 1) + 1
        if field > Conv1dSpec.maximumSize {
            throw Conv1dError.tooLarge(parameter: "receptive field dilation·(kernel_size−1)+1", value: field, limit: Conv1dSpec.maximumSize)
        }
        let weights = Saturating.product([inChannels, outChannels / groups, kernelSize])
        if weights > Conv1dSpec.maximumSize {
            throw Conv1dError.tooLarge(parameter: "weight count in_channels·out_channels/groups·kernel_size", value: weights, limit: Conv1dSpec.maximumSize)
        }
        if inChannels % groups != 0 { throw Conv1dError.groupsDoNotDivide(channels: "in_channels", count: inChannels, groups: groups) }
        if outChannels % groups != 0 { throw Conv1dError.groupsDoNotDivide(channels: "out_channels", count: outChannels, groups: groups) }
        (self.inChannels, self.outChannels, self.kernelSize, self.stride) = (inChannels, outChannels, kernelSize, stride)
        (self.padding, self.outputPadding, self.groups, self.bias, self.dilation) = (padding, outputPadding, groups, bias, dilation)
    }

    /// `[in_channels][out_channels/groups][kernel_size]`.
    public var weightShape: [Int] { [inChannels, outChannels / groups, kernelSize] }

    /// Output frames for `inputLength` input frames.
    /// - Throws: ``Conv1dError/emptyInput`` or ``Conv1dError/transposedOutputTooShort(inputLength:outputLength:)``.
    public func outputLength(inputLength: Int) throws(Conv1dError) -> Int {
        if inputLength < 1 { throw .emptyInput }
        let length = (inputLength - 1) * stride - 2 * padding + dilation * (kernelSize - 1) + outputPadding + 1
        if length < 1 { throw .transposedOutputTooShort(inputLength: inputLength, outputLength: length) }
        return length
    }

    public var description: String {
        var parts = ["\(inChannels), \(outChannels), kernel_size=\(kernelSize)"]
        if stride != 1 { parts.append("stride=\(stride)") }
        if padding != 0 { parts.append("padding=\(padding)") }
        if outputPadding != 0 { parts.append("output_padding=\(outputPadding)") }
        if groups != 1 { parts.append("groups=\(groups)") }
        if !bias { parts.append("bias=False") }
        if dilation != 1 { parts.append("dilation=\(dilation)") }
        return "ConvTranspose1d(" + parts.joined(separator: ", ") + ")"
    }
}
