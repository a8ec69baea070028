import StreamConv

/// One output channel of a per-output preset (`outputs`): the input channel it takes, the
/// FIR designed for it, and earlier outputs whose taps are subtracted from it. Subtracting
/// makes crossovers whose bands sum to the input exactly (delayed by the common latency): a
/// high band `{"design": {"type": "identity"}, "subtract": [0]}` is the delta less the low
/// band; a mid band a low-pass less the band below it.
public struct OutputDesign: Sendable, Equatable {
    /// The input channel this output filters.
    public var input: Int
    /// The filter designed at the input's rate.
    public var design: FIRDesign
    /// Earlier outputs whose taps (after their own subtractions) are subtracted from this one's.
    public var subtract: [Int]

    public init(input: Int, design: FIRDesign, subtract: [Int] = []) {
        self.input = input
        self.design = design
        self.subtract = subtract
    }

    /// Every output's taps at `rate` (Conv1d order), subtractions applied in order.
    static func taps(_ outputs: [OutputDesign], count: Int, rate: Int) throws(PresetError) -> [[Double]] {
        var all: [[Double]] = []
        for (o, output) in outputs.enumerated() {
            var taps: [Double]
            do {
                taps = try output.design.taps(count: count, rate: rate)
            } catch {
                throw .design(path: "outputs[\(o)].design", expected: "a design that can be made", error)
            }
            for j in output.subtract {
                for k in 0..<count { taps[k] -= all[j][k] }
            }
            all.append(taps)
        }
        return all
    }

    /// The outputs as `spec`'s weights (groups 1): each output's taps on its input, zeros on
    /// every other input.
    static func weights<T: ConvScalar>(_ outputs: [OutputDesign], spec: Conv1dSpec, rate: Int, as _: T.Type) throws(PresetError) -> Conv1dWeights<T> {
        let all = try taps(outputs, count: spec.kernelSize, rate: rate)
        var weight = [T](repeating: 0, count: spec.outChannels * spec.inChannels * spec.kernelSize)
        for (o, output) in outputs.enumerated() {
            let row = (o * spec.inChannels + output.input) * spec.kernelSize
            for k in 0..<spec.kernelSize { weight[row + k] = T(all[o][k]) }
        }
        do {
            return try Conv1dWeights(spec: spec, weight: weight, bias: nil)
        } catch {
            throw .conv1d(path: "outputs", error)
        }
    }
}
