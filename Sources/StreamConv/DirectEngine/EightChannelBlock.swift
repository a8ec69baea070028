/// Eight output channels × three vectors of outputs, the widest dense block: each tap's three
/// input vectors are loaded once for eight channels (24 accumulators, which with the inputs
/// fill 27 of AVX-512's 32 vector registers; embedded broadcasts need none for the weights).
/// Every accumulator gets its own multiply then add, as in the plain loop.
struct EightChannelBlock<T: ConvScalar> {
    var a00, a01, a02, a10, a11, a12, a20, a21, a22, a30, a31, a32: T.Lanes
    var a40, a41, a42, a50, a51, a52, a60, a61, a62, a70, a71, a72: T.Lanes

    /// Outputs per channel the block computes.
    @inline(__always)
    static var width: Int { 3 * T.Lanes.scalarCount }

    /// Accumulators starting at the eight channels' biases (`bias` at `o…o+7`, or zero).
    @inline(__always)
    init(bias: [T]?, o: Int) {
        @inline(__always) func start(_ c: Int) -> T.Lanes { T.Lanes(repeating: bias?[o + c] ?? 0) }
        (a00, a10, a20, a30) = (start(0), start(1), start(2), start(3))
        (a40, a50, a60, a70) = (start(4), start(5), start(6), start(7))
        (a01, a11, a21, a31, a41, a51, a61, a71) = (a00, a10, a20, a30, a40, a50, a60, a70)
        (a02, a12, a22, a32, a42, a52, a62, a72) = (a00, a10, a20, a30, a40, a50, a60, a70)
    }

    /// Adds one tap: inputs at `x` (three vectors), channel c's weight at `w + c·rowWeights`.
    @inline(__always)
    mutating func add<A: KernelArithmetic>(_ x: UnsafePointer<T>, weights w: UnsafePointer<T>, rowWeights: Int, _: A.Type) {
        let lanes = T.Lanes.scalarCount
        let x0: T.Lanes = DirectKernelLoops.load(x)
        let x1: T.Lanes = DirectKernelLoops.load(x + lanes)
        let x2: T.Lanes = DirectKernelLoops.load(x + 2 * lanes)
        var v = T.Lanes(repeating: w[0])
        a00 = A.term(a00, v, x0)
        a01 = A.term(a01, v, x1)
        a02 = A.term(a02, v, x2)
        v = T.Lanes(repeating: w[rowWeights])
        a10 = A.term(a10, v, x0)
        a11 = A.term(a11, v, x1)
        a12 = A.term(a12, v, x2)
        v = T.Lanes(repeating: w[2 * rowWeights])
        a20 = A.term(a20, v, x0)
        a21 = A.term(a21, v, x1)
        a22 = A.term(a22, v, x2)
        v = T.Lanes(repeating: w[3 * rowWeights])
        a30 = A.term(a30, v, x0)
        a31 = A.term(a31, v, x1)
        a32 = A.term(a32, v, x2)
        v = T.Lanes(repeating: w[4 * rowWeights])
        a40 = A.term(a40, v, x0)
        a41 = A.term(a41, v, x1)
        a42 = A.term(a42, v, x2)
        v = T.Lanes(repeating: w[5 * rowWeights])
        a50 = A.term(a50, v, x0)
        a51 = A.term(a51, v, x1)
        a52 = A.term(a52, v, x2)
        v = T.Lanes(repeating: w[6 * rowWeights])
        a60 = A.term(a60, v, x0)
        a61 = A.term(a61, v, x1)
        a62 = A.term(a62, v, x2)
        v = T.Lanes(repeating: w[7 * rowWeights])
        a70 = A.term(a70, v, x0)
        a71 = A.term(a71, v, x1)
        a72 = A.term(a72, v, x2)
    }

    /// Writes the block: channel c's three vectors at `output + c·outputStride`.
    @inline(__always)
    func store(_ output: UnsafeMutablePointer<T>, outputStride: Int) {
        let lanes = T.Lanes.scalarCount
        @inline(__always) func put(_ c: Int, _ v0: T.Lanes, _ v1: T.Lanes, _ v2: T.Lanes) {
            let out = output + c * outputStride
            DirectKernelLoops.store(v0, out)
            DirectKernelLoops.store(v1, out + lanes)
            DirectKernelLoops.store(v2, out + 2 * lanes)
        }
        put(0, a00, a01, a02)
        put(1, a10, a11, a12)
        put(2, a20, a21, a22)
        put(3, a30, a31, a32)
        put(4, a40, a41, a42)
        put(5, a50, a51, a52)
        put(6, a60, a61, a62)
        put(7, a70, a71, a72)
    }
}
