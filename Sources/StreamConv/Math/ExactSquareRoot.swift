/// Square roots without the C math library.
///
/// `Double.squareRoot()` lowers to a call of C's `sqrt` in unoptimised builds, and a package
/// that imports only StreamConv does not link libm, so it would fail to link. The one square
/// root the core needs (PyTorch's init bound `1/√(in_channels/groups·kernel_size)`) is of an
/// integer, which integer arithmetic gives correctly rounded: the same bits as the IEEE
/// square root.
enum ExactSquareRoot {
    /// √n rounded to the nearest `Double` (ties cannot occur), for `n ≥ 0`.
    static func of(_ n: Int) -> Double {
        precondition(n >= 0, "square root of a negative number")
        if n == 0 { return 0 }
        let bits = Int.bitWidth - n.leadingZeroBitCount
        // Scale so that the root, as an integer, has exactly 53 bits: then it is a Double.
        var k = 52 - (bits - 1) / 2
        while true {
            let root = roundedRoot(UInt128(n) << UInt128(2 * k))
            if root >= 1 << 53 {
                k -= 1
            } else if root < 1 << 52 {
                k += 1
            } else {
                return Double(UInt64(root)) * Double(sign: .plus, exponent: -k, significand: 1)
            }
        }
    }

    /// The integer nearest √x, by the digit-by-digit method (shifts, compares, subtractions).
    static func roundedRoot(_ x: UInt128) -> UInt128 {
        var rest = x
        var root: UInt128 = 0
        var bit: UInt128 = 1 << 126
        while bit > rest { bit >>= 2 }
        while bit != 0 {
            if rest >= root + bit {
                rest -= root + bit
                root = (root >> 1) + bit
            } else {
                root >>= 1
            }
            bit >>= 2
        }
        // rest = x − root²; round up when x > root² + root, i.e. x > (root + ½)² − ¼.
        return rest > root ? root + 1 : root
    }
}
