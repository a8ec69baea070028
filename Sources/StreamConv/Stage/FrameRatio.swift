/// Output frames per input frame, as a fraction in lowest terms: `1/stride` for a strided
/// convolution, `k/1` for a transposed one. Containers multiply their stages' ratios.
public struct FrameRatio: Sendable, Hashable, CustomStringConvertible {
    /// Output frames…
    public let outputs: Int
    /// …per this many input frames.
    public let inputs: Int

    /// `outputs` per `inputs` (both ≥ 1), reduced.
    public init(outputs: Int, inputs: Int) {
        precondition(outputs >= 1 && inputs >= 1, "a frame ratio needs positive terms")
        var (a, b) = (outputs, inputs)
        while b != 0 { (a, b) = (b, a % b) }
        self.outputs = outputs / a
        self.inputs = inputs / a
    }

    /// One output frame per input frame.
    public static let one = FrameRatio(outputs: 1, inputs: 1)

    /// The ratio of two stages in a row.
    public static func * (lhs: FrameRatio, rhs: FrameRatio) -> FrameRatio {
        FrameRatio(outputs: lhs.outputs * rhs.outputs, inputs: lhs.inputs * rhs.inputs)
    }

    /// The output rate for an input at `rate` Hz (fractional where the ratio does not divide it).
    public func outputRate(inputRate rate: Int) -> Double { Double(rate) * Double(outputs) / Double(inputs) }

    /// The output rate when it is a whole number of Hz, else `nil`.
    public func wholeOutputRate(inputRate rate: Int) -> Int? {
        let (product, overflow) = rate.multipliedReportingOverflow(by: outputs)
        guard !overflow, product % inputs == 0 else { return nil }
        return product / inputs
    }

    public var description: String { inputs == 1 ? "\(outputs)/1" : "\(outputs)/\(inputs)" }
}
