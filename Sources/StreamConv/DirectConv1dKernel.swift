/// The reference engine: the convolution sum computed directly.
///
/// Summation order, per output sample: bias (or zero), then input channel ascending, then tap
/// ascending, each step rounded to `Scalar`. The loops run across a tile of outputs in the
/// innermost position so each output keeps its own accumulator (the tile row in `output`):
/// the compiler can vectorise across outputs without reassociating any output's sum.
public struct DirectConv1dKernel<Scalar: ConvScalar>: Conv1dKernel {
    /// The configuration the weights were made for.
    public let spec: Conv1dSpec
    /// Weights and bias.
    public let weights: Conv1dWeights<Scalar>

    /// Outputs per tile: a tile row of `Scalar` stays in L1 while every (channel, tap) pair is
    /// added into it.
    @usableFromInline static var tile: Int { 512 }

    /// An engine for `weights` (already checked against `spec`).
    public init(spec: Conv1dSpec, weights: Conv1dWeights<Scalar>) {
        self.spec = spec
        self.weights = weights
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func compute(
        input: UnsafePointer<Scalar>, inputStride: Int,
        output: UnsafeMutablePointer<Scalar>, outputStride: Int, count: Int
    ) {
        guard count > 0 else { return }
        weights.weight.withUnsafeBufferPointer { w in
            DirectKernelLoops.run(
                weight: w.baseAddress!, bias: weights.bias,
                inPerGroup: spec.inChannelsPerGroup, outPerGroup: spec.outChannelsPerGroup,
                groups: spec.groups, kernelSize: spec.kernelSize,
                stride: spec.stride, dilation: spec.dilation,
                input: input, inputStride: inputStride,
                output: output, outputStride: outputStride, count: count, tile: Self.tile)
        }
    }
}

/// The pointer loops of ``DirectConv1dKernel``, kept apart so all unsafe arithmetic is in one place.
enum DirectKernelLoops {
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    static func run<T: ConvScalar>(
        weight: UnsafePointer<T>, bias: [T]?,
        inPerGroup: Int, outPerGroup: Int, groups: Int, kernelSize: Int,
        stride: Int, dilation: Int,
        input: UnsafePointer<T>, inputStride: Int,
        output: UnsafeMutablePointer<T>, outputStride: Int, count: Int, tile: Int
    ) {
        for g in 0..<groups {
            for ol in 0..<outPerGroup {
                let o = g * outPerGroup + ol
                let start: T = bias?[o] ?? 0
                let row = output + o * outputStride
                let wRow = weight + o * inPerGroup * kernelSize
                var t0 = 0
                while t0 < count {
                    let m = min(tile, count - t0)
                    let acc = row + t0
                    for j in 0..<m { acc[j] = start }
                    for il in 0..<inPerGroup {
                        let x = input + (g * inPerGroup + il) * inputStride + t0 * stride
                        let wk = wRow + il * kernelSize
                        for k in 0..<kernelSize {
                            let w = wk[k]
                            let xk = x + k * dilation
                            if stride == 1 {
                                for j in 0..<m { acc[j] += w * xk[j] }
                            } else {
                                for j in 0..<m { acc[j] += w * xk[j * stride] }
                            }
                        }
                    }
                    t0 += m
                }
            }
        }
    }
}
