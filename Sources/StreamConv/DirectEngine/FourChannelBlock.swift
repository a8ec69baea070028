/// Four output channels × two vectors of outputs, the dense block of both the stride-1 loop
/// and the strided phase loop: each tap's two input vectors are loaded once for the four
/// channels. Every accumulator gets its own multiply then add, as in the plain loop.
struct FourChannelBlock<T: ConvScalar> {
    var a00, a01, a10, a11, a20, a21, a30, a31: T.Lanes

    /// Accumulators starting at the four channels' biases.
    @inline(__always)
    init(_ b0: T, _ b1: T, _ b2: T, _ b3: T) {
        (a00, a10, a20, a30) = (T.Lanes(repeating: b0), T.Lanes(repeating: b1), T.Lanes(repeating: b2), T.Lanes(repeating: b3))
        (a01, a11, a21, a31) = (a00, a10, a20, a30)
    }

    /// Adds one tap: inputs at `x` (two vectors), the channels' weights at `w`, `w + rowWeights`,
    /// `w + 2·rowWeights`, `w + 3·rowWeights`.
    @inline(__always)
    mutating func add<A: KernelArithmetic>(_ x: UnsafePointer<T>, weights w: UnsafePointer<T>, rowWeights: Int, _: A.Type) {
        let lanes = T.Lanes.scalarCount
        let x0: T.Lanes = DirectKernelLoops.load(x), x1: T.Lanes = DirectKernelLoops.load(x + lanes)
        let w0 = T.Lanes(repeating: w[0])
        let w1 = T.Lanes(repeating: w[rowWeights])
        let w2 = T.Lanes(repeating: w[2 * rowWeights])
        let w3 = T.Lanes(repeating: w[3 * rowWeights])
        a00 = A.term(a00, w0, x0)
        a01 = A.term(a01, w0, x1)
        a10 = A.term(a10, w1, x0)
        a11 = A.term(a11, w1, x1)
        a20 = A.term(a20, w2, x0)
        a21 = A.term(a21, w2, x1)
        a30 = A.term(a30, w3, x0)
        a31 = A.term(a31, w3, x1)
    }

    /// Writes the block: channel c's two vectors at `output + c·outputStride`.
    @inline(__always)
    func store(_ output: UnsafeMutablePointer<T>, outputStride: Int) {
        let lanes = T.Lanes.scalarCount
        DirectKernelLoops.store(a00, output)
        DirectKernelLoops.store(a01, output + lanes)
        DirectKernelLoops.store(a10, output + outputStride)
        DirectKernelLoops.store(a11, output + outputStride + lanes)
        DirectKernelLoops.store(a20, output + 2 * outputStride)
        DirectKernelLoops.store(a21, output + 2 * outputStride + lanes)
        DirectKernelLoops.store(a30, output + 3 * outputStride)
        DirectKernelLoops.store(a31, output + 3 * outputStride + lanes)
    }
}
