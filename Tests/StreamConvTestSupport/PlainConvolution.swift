import StreamConv

/// The Conv1d definition as the plainest loop: padded input per `padding_mode`, then per
/// output bias, input channel ascending, tap ascending, a rounded multiply then a rounded
/// add. The direct engine must give its bits (the bits test); the bench times it as "naive".
public enum PlainConvolution {
    /// `conv`'s output for `x`, each term a rounded product then a rounded sum, or with
    /// `fused` one fused multiply-add (`--arithmetic fused`).
    public static func forward<T: ConvScalar>(_ conv: Conv1d<T>, _ x: Signal<T>, fused: Bool = false) throws -> Signal<T> {
        let s = conv.spec
        let length = x.frames
        let padded = s.padLeft + length + s.padRight
        let count = try s.outputLength(inputLength: length)
        var xp = [[T]](repeating: [T](repeating: 0, count: padded), count: s.inChannels)
        for c in 0..<s.inChannels {
            for j in 0..<padded {
                if let i = s.paddingMode.sourceIndex(padded: j, length: length, padLeft: s.padLeft) { xp[c][j] = x[c, i] }
            }
        }
        var y = Signal<T>(channels: s.outChannels, frames: count)
        for o in 0..<s.outChannels {
            let g = o / s.outChannelsPerGroup
            for t in 0..<count {
                var acc: T = conv.weights.bias?[o] ?? 0
                for i in 0..<s.inChannelsPerGroup {
                    for k in 0..<s.kernelSize {
                        let w = conv.weights.weight(out: o, in: i, tap: k, spec: s)
                        let v = xp[g * s.inChannelsPerGroup + i][t * s.stride + k * s.dilation]
                        acc = fused ? acc.addingProduct(w, v) : acc + w * v
                    }
                }
                y[o, t] = acc
            }
        }
        return y
    }
}
