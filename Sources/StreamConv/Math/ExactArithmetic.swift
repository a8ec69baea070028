/// Error-free transformations of Doubles: sums and products as the rounded result plus its
/// exact error, built from plain additions and multiplications (no fused multiply-add, whose
/// presence would change the bits from one CPU to another).
enum ExactArithmetic {
    /// a + b exactly as s + e (Knuth's two-sum).
    @inline(__always)
    static func twoSum(_ a: Double, _ b: Double) -> (Double, Double) {
        let s = a + b
        let bb = s - a
        return (s, (a - (s - bb)) + (b - bb))
    }

    /// a·b exactly as p + e (Dekker, with Veltkamp's split).
    @inline(__always)
    static func twoProduct(_ a: Double, _ b: Double) -> (Double, Double) {
        func split(_ x: Double) -> (Double, Double) {
            let t = x * 134_217_729
            let high = t - (t - x)
            return (high, x - high)
        }
        let p = a * b
        let (ah, al) = split(a)
        let (bh, bl) = split(b)
        return (p, ((ah * bh - p) + ah * bl + al * bh) + al * bl)
    }
}
