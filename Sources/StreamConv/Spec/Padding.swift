extension PaddingMode {
    /// The input index that padded position `j` copies, for an input of `length` samples with
    /// `padLeft` samples of left padding; `nil` where the padded sample is zero.
    /// This is `torch.nn.functional.pad`'s definition for each mode, valid for the lengths
    /// ``Conv1dSpec/validateInputLength(_:)`` accepts.
    @inlinable
    public func sourceIndex(padded j: Int, length: Int, padLeft: Int) -> Int? {
        let i = j - padLeft
        if i >= 0 && i < length { return i }
        switch self {
        case .zeros: return nil
        case .replicate: return i < 0 ? 0 : length - 1
        case .reflect: return i < 0 ? -i : 2 * (length - 1) - i
        case .circular: return i < 0 ? i + length : i - length
        }
    }
}
