/// A node of several inputs combined frame by frame (`add`, `mul`, `cat`), or of one input's
/// channels rearranged (`slice`, `glu`).
final class JoinKernel<T: ConvScalar>: NodeKernel<T>, @unchecked Sendable {
    enum Kind { case add, mul, cat, slice(Int), glu }
    let kind: Kind

    init(name: String, kind: Kind, inputs: [FrameQueue<T>], output: FrameQueue<T>) {
        self.kind = kind
        super.init(name: name, inputs: inputs, output: output)
    }

    override func copy(inputs: [FrameQueue<T>], output: FrameQueue<T>) -> NodeKernel<T> {
        copyState(to: JoinKernel(name: name, kind: kind, inputs: inputs, output: output))
    }

    @_specialize(where T == Float)
    @_specialize(where T == Double)
    override func run(from frame: Int64, count: Int) {
        let channels = output.channels
        output.append(limit: count) { sink in
            switch kind {
            case .add, .mul:
                let isAdd: Bool
                if case .add = kind { isAdd = true } else { isAdd = false }
                sink.write(count: count, channels: channels) { c, y in
                    y.update(from: inputs[0].view(from: frame).row(c), count: count)
                    // ((a + b) + c) + …: the input order, as PyTorch's chain of additions.
                    for q in inputs.dropFirst() {
                        let x = q.view(from: frame).row(c)
                        if isAdd {
                            for i in 0..<count { y[i] = y[i] + x[i] }
                        } else {
                            for i in 0..<count { y[i] = y[i] * x[i] }
                        }
                    }
                }
            case .cat:
                sink.write(count: count, channels: channels) { c, y in
                    // The input holding output channel c.
                    var (k, base) = (0, 0)
                    while c - base >= inputs[k].channels { base += inputs[k].channels; k += 1 }
                    y.update(from: inputs[k].view(from: frame).row(c - base), count: count)
                }
            case let .slice(start):
                let source = inputs[0].view(from: frame)
                sink.write(count: count, channels: channels) { c, y in y.update(from: source.row(start + c), count: count) }
            case .glu:
                let source = inputs[0].view(from: frame)
                sink.write(count: count, channels: channels) { c, y in
                    let (a, b) = (source.row(c), source.row(c + channels))
                    VectorMath.map(.sigmoid, b, y, count: count)
                    for i in 0..<count { y[i] = a[i] * y[i] }
                }
            }
        }
    }
}
