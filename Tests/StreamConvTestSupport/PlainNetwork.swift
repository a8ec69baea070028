import Foundation
import StreamConv

/// A network evaluated the plainest way, whole signal, node by node, with each op written
/// from its PyTorch definition (transposed convolution as its scatter sum, pads by index,
/// activations with Foundation's libm in Double): the reference the streamed network is
/// compared with, within rounding.
public enum PlainNetwork {
    /// The network's output for `x`.
    public static func forward(_ graph: NetworkGraph<Double>, _ x: Signal<Double>) throws -> Signal<Double> {
        var outputs: [Signal<Double>] = []
        for (i, node) in graph.nodes.enumerated() {
            let ins = graph.inputIndices[i].map { $0 < 0 ? x : outputs[$0] }
            outputs.append(try apply(node.op, ins))
        }
        return outputs[graph.outputNode]
    }

    static func map(_ x: Signal<Double>, _ f: (Int, Double) -> Double) -> Signal<Double> {
        Signal((0..<x.channels).map { c in x.channel(c).map { f(c, $0) } })
    }

    /// Inputs of different lengths, which PyTorch's `+`, `*` and `cat` refuse.
    public struct LengthMismatch: Error {}

    static func apply(_ op: NetworkOp<Double>, _ ins: [Signal<Double>]) throws -> Signal<Double> {
        let x = ins[0]
        if ins.contains(where: { $0.frames != x.frames }) { throw LengthMismatch() }
        switch op {
        case let .conv1d(conv):
            return try PlainConvolution.forward(conv, x)
        case let .convTranspose1d(conv):
            let s = conv.spec
            let length = try s.outputLength(inputLength: x.frames)
            let (inPerGroup, outPerGroup) = (s.inChannels / s.groups, s.outChannels / s.groups)
            var y = [[Double]](repeating: [Double](repeating: 0, count: length), count: s.outChannels)
            for i in 0..<s.inChannels {
                let g = i / inPerGroup
                for o in 0..<outPerGroup {
                    for k in 0..<s.kernelSize {
                        for n in 0..<x.frames {
                            let t = n * s.stride + k * s.dilation - s.padding
                            if t >= 0 && t < length { y[g * outPerGroup + o][t] += x[i, n] * conv.weight(in: i, out: o, tap: k) }
                        }
                    }
                }
            }
            if let b = conv.bias { for o in 0..<s.outChannels { y[o] = y[o].map { $0 + b[o] } } }
            return Signal(y)
        case let .pad(left, right, mode, value):
            let n = x.frames
            if n == 0 || (mode == .reflect && (left >= n || right >= n)) || max(0, -left) + max(0, -right) > n { throw LengthMismatch() }
            let length = n + left + right
            return Signal((0..<x.channels).map { c in
                (0..<length).map { j -> Double in
                    let i = j - left
                    if i >= 0 && i < n { return x[c, i] }
                    switch mode {
                    case .reflect: return x[c, i < 0 ? -i : 2 * (n - 1) - i]
                    case .replicate: return x[c, i < 0 ? 0 : n - 1]
                    default: return value
                    }
                }
            })
        case let .pointwise(p):
            return map(x) { c, v in pointwise(p, c, v) }
        case .add:
            return Signal((0..<x.channels).map { c in (0..<x.frames).map { t in ins.dropFirst().reduce(x[c, t]) { $0 + $1[c, t] } } })
        case .mul:
            return Signal((0..<x.channels).map { c in (0..<x.frames).map { t in x[c, t] * ins[1][c, t] } })
        case .cat:
            return Signal(ins.flatMap { $0.channelArrays })
        case let .slice(start, end):
            return Signal(Array(x.channelArrays[start..<end]))
        case .glu:
            let h = x.channels / 2
            return Signal((0..<h).map { c in (0..<x.frames).map { t in x[c, t] / (1 + Foundation.exp(-x[c + h, t])) } })
        case let .delay(frames):
            return Signal((0..<x.channels).map { c in (0..<x.frames).map { t in t < frames ? 0 : x[c, t - frames] } })
        }
    }

    /// The op's definition in Double, with libm.
    public static func pointwise(_ p: Pointwise<Double>, _ c: Int, _ v: Double) -> Double {
        switch p {
        case .relu: return max(0, v)
        case .sigmoid: return 1 / (1 + Foundation.exp(-v))
        case .tanh: return Foundation.tanh(v)
        case .silu: return v / (1 + Foundation.exp(-v))
        case .selu: return 1.0507009873554804934193349852946 * (v > 0 ? v : 1.6732632423543772848170429916717 * Foundation.expm1(v))
        case let .leakyRelu(slope): return v > 0 ? v : slope * v
        case let .elu(alpha): return v > 0 ? v : alpha * Foundation.expm1(v)
        case .gelu(tanhApproximation: false): return 0.5 * v * (1 + Foundation.erf(v / 2.0.squareRoot()))
        case .gelu(tanhApproximation: true): return 0.5 * v * (1 + Foundation.tanh((2 / Double.pi).squareRoot() * (v + 0.044715 * v * v * v)))
        case let .hardtanh(low, high): return min(max(v, low), high)
        case let .prelu(w): let a = w.count == 1 ? w[0] : w[c]; return v > 0 ? v : a * v
        case let .snake(alpha): let s = Foundation.sin(alpha[c] * v); return v + s * s / (alpha[c] + 1e-9)
        case let .affine(scale, shift): return v * scale[c] + shift[c]
        case let .gain(f): return v * f
        }
    }
}
