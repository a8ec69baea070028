/// One term of a direct sum, as ``Conv1dArithmetic`` says: the kernels are generic over it
/// and specialised for each, so the choice costs nothing inside the loops.
protocol KernelArithmetic {
    /// `a + w·x` on vectors.
    static func term<V: SIMD>(_ a: V, _ w: V, _ x: V) -> V where V.Scalar: FloatingPoint
    /// `a + w·x` on one sample.
    static func term<S: FloatingPoint>(_ a: S, _ w: S, _ x: S) -> S
}

/// ``Conv1dArithmetic/unfused``: the product rounded, then the sum.
enum UnfusedArithmetic: KernelArithmetic {
    @inline(__always)
    static func term<V: SIMD>(_ a: V, _ w: V, _ x: V) -> V where V.Scalar: FloatingPoint { a + w * x }
    @inline(__always)
    static func term<S: FloatingPoint>(_ a: S, _ w: S, _ x: S) -> S { a + w * x }
}

/// ``Conv1dArithmetic/fused``: one rounding of the exact `a + w·x`.
enum FusedArithmetic: KernelArithmetic {
    @inline(__always)
    static func term<V: SIMD>(_ a: V, _ w: V, _ x: V) -> V where V.Scalar: FloatingPoint { a.addingProduct(w, x) }
    @inline(__always)
    static func term<S: FloatingPoint>(_ a: S, _ w: S, _ x: S) -> S { a.addingProduct(w, x) }
}
