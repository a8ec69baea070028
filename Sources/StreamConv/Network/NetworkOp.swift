/// What a network node does: the closed set of ops of the network schema
/// (`NETWORK-SCHEMA.md`), each with PyTorch's semantics and its weights resolved.
public enum NetworkOp<T: ConvScalar>: Sendable {
    /// `nn.Conv1d` (any padding mode but circular), on the engines.
    case conv1d(Conv1d<T>)
    /// `nn.ConvTranspose1d`.
    case convTranspose1d(ConvTranspose1d<T>)
    /// `F.pad(x, (left, right), mode, value)`: negative amounts crop (zeros mode only).
    case pad(left: Int, right: Int, mode: PaddingMode, value: T)
    /// An elementwise op on one input: an activation, or a per-channel affine map.
    case pointwise(Pointwise<T>)
    /// `a + b + …`, summed in input order.
    case add
    /// `a * b`.
    case mul
    /// `torch.cat(…, dim=1)`.
    case cat
    /// `x[:, start:end]`.
    case slice(start: Int, end: Int)
    /// `nn.GLU(dim=1)`: the first half of the channels times the sigmoid of the second.
    case glu
    /// `F.pad(x, (frames, 0))[..., :L]`: the signal later by whole frames, same length.
    case delay(frames: Int)

    /// Output frames per input frame.
    public var rateRatio: FrameRatio {
        switch self {
        case let .conv1d(conv): return FrameRatio(outputs: 1, inputs: conv.spec.stride)
        case let .convTranspose1d(conv): return FrameRatio(outputs: conv.spec.stride, inputs: 1)
        default: return .one
        }
    }

    /// The schema's name of the op.
    public var name: String {
        switch self {
        case .conv1d: return "conv1d"
        case .convTranspose1d: return "conv_transpose1d"
        case .pad: return "pad"
        case let .pointwise(p): return p.name
        case .add: return "add"
        case .mul: return "mul"
        case .cat: return "cat"
        case .slice: return "slice"
        case .glu: return "glu"
        case .delay: return "delay"
        }
    }
}

/// Elementwise ops: `y[c][t] = f_c(x[c][t])`, computed with ``DeterministicMath`` in the order
/// PyTorch's CPU kernels use, so the bits are the same on every CPU and build.
public enum Pointwise<T: ConvScalar>: Sendable, Equatable {
    /// `nn.ReLU`.
    case relu
    /// `nn.Sigmoid`.
    case sigmoid
    /// `nn.Tanh`.
    case tanh
    /// `nn.SiLU`: `x / (1 + e^−x)`.
    case silu
    /// `nn.SELU`.
    case selu
    /// `nn.LeakyReLU(negative_slope)`.
    case leakyRelu(negativeSlope: T)
    /// `nn.ELU(alpha)`.
    case elu(alpha: T)
    /// `nn.GELU(approximate)`: `tanh` true for `"tanh"`, false for `"none"`.
    case gelu(tanhApproximation: Bool)
    /// `nn.Hardtanh(min_val, max_val)`.
    case hardtanh(min: T, max: T)
    /// `nn.PReLU`: one slope, or one per channel.
    case prelu(weight: [T])
    /// Snake (BigVGAN, DAC): `x + sin²(αx)/(α + 1e-9)`, one α per channel.
    case snake(alpha: [T])
    /// `nn.BatchNorm1d` in eval mode, as PyTorch's CPU kernel computes it:
    /// `x·a + b` with `a = weight/√(var + eps)`, `b = bias − mean·a`, per channel.
    case affine(scale: [T], shift: [T])
    /// `x * factor`.
    case gain(T)

    /// `nn.BatchNorm1d` in eval mode: the per-channel `a` and `b` PyTorch's CPU kernel forms.
    public static func batchNorm(weight: [T], bias: [T], runningMean: [T], runningVar: [T], eps: T) -> Pointwise {
        var scale = [T](), shift = [T]()
        for c in weight.indices {
            let invstd = 1 / (runningVar[c] + eps).squareRoot()
            let a = invstd * weight[c]
            scale.append(a)
            shift.append(bias[c] - runningMean[c] * a)
        }
        return .affine(scale: scale, shift: shift)
    }

    /// The schema's name of the op.
    public var name: String {
        switch self {
        case .relu: return "relu"
        case .sigmoid: return "sigmoid"
        case .tanh: return "tanh"
        case .silu: return "silu"
        case .selu: return "selu"
        case .leakyRelu: return "leaky_relu"
        case .elu: return "elu"
        case .gelu: return "gelu"
        case .hardtanh: return "hardtanh"
        case .prelu: return "prelu"
        case .snake: return "snake"
        case .affine: return "batch_norm1d"
        case .gain: return "gain"
        }
    }

    /// Channels the op is defined for when it has per-channel parameters (PReLU with more
    /// than one slope, snake, batch norm), else `nil`.
    public var channels: Int? {
        switch self {
        case let .prelu(w): return w.count > 1 ? w.count : nil
        case let .snake(alpha): return alpha.count
        case let .affine(scale, _): return scale.count
        default: return nil
        }
    }

    /// Trainable values the op holds.
    public var parameterCount: Int {
        switch self {
        case let .prelu(w): return w.count
        case let .snake(alpha): return alpha.count
        case let .affine(scale, _): return 2 * scale.count
        default: return 0
        }
    }
}
