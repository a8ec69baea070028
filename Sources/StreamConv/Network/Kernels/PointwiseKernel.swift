/// An elementwise node (activations, PReLU, snake, batch norm, gain): `y = f_c(x)` channel by
/// channel, with ``DeterministicMath`` for the transcendental parts.
final class PointwiseKernel<T: ConvScalar>: NodeKernel<T>, @unchecked Sendable {
    let op: Pointwise<T>
    /// Per-channel constants prepared once: snake's 1/(α + 1e-9), PReLU's slopes widened.
    private let first: [T]
    private let second: [T]

    init(name: String, op: Pointwise<T>, channels: Int, inputs: [FrameQueue<T>], output: FrameQueue<T>) {
        self.op = op
        switch op {
        case let .prelu(w):
            first = w.count == 1 ? [T](repeating: w[0], count: channels) : w
            second = []
        case let .snake(alpha):
            first = alpha
            second = alpha.map { 1 / ($0 + T(1e-9)) }
        case let .affine(scale, shift):
            (first, second) = (scale, shift)
        default:
            (first, second) = ([], [])
        }
        super.init(name: name, inputs: inputs, output: output)
    }

    override func copy(inputs: [FrameQueue<T>], output: FrameQueue<T>) -> NodeKernel<T> {
        copyState(to: PointwiseKernel(name: name, op: op, channels: output.channels, inputs: inputs, output: output))
    }

    @_specialize(where T == Float)
    @_specialize(where T == Double)
    override func run(from frame: Int64, count: Int) {
        let source = inputs[0].view(from: frame)
        output.append(limit: count) { sink in
            sink.write(count: count, channels: output.channels) { c, y in
                Self.apply(op, first: first, second: second, channel: c, x: source.row(c), y: y, count: count)
            }
        }
    }

    /// `y[0..<count] = f_c(x[0..<count])`, in the order PyTorch's CPU kernels evaluate.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    static func apply(_ op: Pointwise<T>, first: [T], second: [T], channel c: Int,
                      x: UnsafePointer<T>, y: UnsafeMutablePointer<T>, count: Int) {
        typealias M = DeterministicMath
        @inline(__always) func d(_ v: T) -> Double { Double(v) }
        switch op {
        case .relu:
            for i in 0..<count { let v = x[i]; y[i] = v < 0 ? 0 : v }
        // The transcendental part eight lanes at a time (VectorMath: the scalar's bits), then
        // the rest of the formula in T.
        case .sigmoid:
            VectorMath.map(.sigmoid, x, y, count: count)
        case .tanh:
            VectorMath.map(.tanh, x, y, count: count)
        case .silu:
            for i in 0..<count { y[i] = -x[i] }
            VectorMath.map(.exp, y, y, count: count)
            for i in 0..<count { y[i] = x[i] / (1 + y[i]) }
        case .selu:
            let scale = T(1.0507009873554804934193349852946)
            let negative = T(1.6732632423543772848170429916717) * scale
            VectorMath.map(.expm1, x, y, count: count)
            for i in 0..<count { let v = x[i]; y[i] = v <= 0 ? y[i] * negative : v * scale }
        case let .leakyRelu(slope):
            for i in 0..<count { let v = x[i]; y[i] = v > 0 ? v : v * slope }
        case let .elu(alpha):
            VectorMath.map(.expm1, x, y, count: count)
            for i in 0..<count { let v = x[i]; y[i] = v <= 0 ? y[i] * alpha : v }
        case .gelu(tanhApproximation: false):
            let half = T(0.5), sqrtHalf = T(0.70710678118654752440)
            for i in 0..<count { let v = x[i]; y[i] = v * half * (1 + T(M.erf(d(v * sqrtHalf)))) }
        case .gelu(tanhApproximation: true):
            let beta = T(0.79788456080286535588), kappa = T(0.044715), half = T(0.5)
            for i in 0..<count { let v = x[i]; y[i] = beta * (v + kappa * v * v * v) }
            VectorMath.map(.tanh, y, y, count: count)
            for i in 0..<count { y[i] = half * x[i] * (1 + y[i]) }
        case let .hardtanh(low, high):
            for i in 0..<count { let v = x[i]; y[i] = v < low ? low : (v > high ? high : v) }
        case .prelu:
            let w = first[c]
            for i in 0..<count { let v = x[i]; y[i] = v > 0 ? v : w * v }
        case .snake:
            let (alpha, inverse) = (first[c], second[c])
            for i in 0..<count {
                let v = x[i]
                let s = T(M.sin(d(v * alpha)))
                y[i] = v + inverse * (s * s)
            }
        case .affine:
            let (a, b) = (first[c], second[c])
            for i in 0..<count { y[i] = x[i] * a + b }
        case let .gain(factor):
            for i in 0..<count { y[i] = x[i] * factor }
        }
    }
}
