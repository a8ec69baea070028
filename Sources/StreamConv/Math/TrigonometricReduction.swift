/// Reduces a positive argument modulo π/2 for ``DeterministicMath/sin(_:)``: a = n·π/2 + r
/// with |r| ≤ π/4 (a little more near the limit), r as hi + lo.
///
/// Below 2^20·π/2 it subtracts n·π/2 in three parts (117 bits of π/2, exact products); above,
/// it multiplies a's 53-bit significand by the 192 bits of 2/π its exponent selects, in
/// integers, so the remainder keeps its precision for every double (Payne and Hanek's method).
enum TrigonometricReduction {
    /// (n mod 4, hi, lo).
    static func reduce(_ a: Double) -> (Int, Double, Double) {
        if a <= 0x1.921fb54442d18p-1 { return (0, a, 0) }
        if a < 0x1p20 * MathConstants.pio2Hi { return threeParts(a) }
        return large(a)
    }

    private static func threeParts(_ a: Double) -> (Int, Double, Double) {
        let n = (a * MathConstants.twoOverPi).rounded(.toNearestOrEven)
        // n < 2^21 and the parts have 32 bits: n·part1 and n·part2 are exact, and so is
        // a − n·part1 (the two are within a factor of two).
        let t1 = a - n * MathConstants.pio2Part1
        let (s, e) = ExactArithmetic.twoSum(t1, -(n * MathConstants.pio2Part2))
        let (hi, lo) = ExactArithmetic.twoSum(s, e - n * MathConstants.pio2Part3)
        return (Int(n) & 3, hi, lo)
    }

    private static func large(_ a: Double) -> (Int, Double, Double) {
        // a = m·2^s with m the 53-bit significand.
        let m = a.significandBitPattern | (1 << 52)
        let s = Int(a.exponent) - 52
        // Fraction bit i of 2/π (weight 2^−i) is bit 63 + i of the table; bits with weight
        // of 4 or more after scaling by 2^s only add multiples of 4 to n: start at i = s − 1.
        let start = 62 + s
        let (w0, w1, w2) = (bits(start), bits(start + 64), bits(start + 128))
        // P = m·(w0 w1 w2). The window's top bit has weight 2^(1−s),
        // so a·2/π = P·2^−190: n mod 4 is P's bits 190–191 (p1's top two), the fraction of
        // a·2/π its bits below (multiples of 4 above them are dropped).
        let (h2, l2) = m.multipliedFullWidth(by: w2)
        let (h1, l1) = m.multipliedFullWidth(by: w1)
        let (h0, l0) = m.multipliedFullWidth(by: w0)
        _ = h0
        let (word2, carry2) = l1.addingReportingOverflow(h2)
        let word1 = l0 &+ h1 &+ (carry2 ? 1 : 0)
        var quadrant = Int(word1 >> 62)
        // The fraction's top 128 bits.
        var p1 = word1 << 2 | word2 >> 62
        var p2 = word2 << 2 | l2 >> 62
        // The fraction f = (p1 p2)/2^128; past one half, take f − 1 and the next quadrant.
        var negative = false
        if p1 >> 63 == 1 {
            quadrant += 1
            negative = true
            // 1 − f as a 128-bit two's complement.
            p2 = ~p2 &+ 1
            p1 = ~p1 &+ (p2 == 0 ? 1 : 0)
        }
        guard p1 != 0 || p2 != 0 else { return (quadrant & 3, 0, 0) }
        // Normalise and take 53 + 53 bits as hi + lo of f.
        let shift = p1 != 0 ? p1.leadingZeroBitCount : 64 + p2.leadingZeroBitCount
        let (n1, n2) = shifted(p1, p2, by: shift)
        let fHigh = Double(n1 >> 11) * Double(sign: .plus, exponent: -53 - shift, significand: 1)
        let rest = (n1 & 0x7FF) << 42 | n2 >> 22
        let fLow = Double(rest) * Double(sign: .plus, exponent: -106 - shift, significand: 1)
        // r = f·π/2 in double-double.
        let (product, error) = ExactArithmetic.twoProduct(fHigh, MathConstants.pio2Hi)
        let tail = error + (fHigh * MathConstants.pio2Lo + fLow * MathConstants.pio2Hi)
        var (hi, lo) = ExactArithmetic.twoSum(product, tail)
        if negative { (hi, lo) = (-hi, -lo) }
        return (quadrant & 3, hi, lo)
    }

    /// 64 bits of the 2/π table from bit `position` on (0 is the top bit of word 0).
    private static func bits(_ position: Int) -> UInt64 {
        let (word, offset) = (position / 64, position % 64)
        return withUnsafeBytes(of: MathConstants.twoOverPiBits) { raw in
            let words = raw.bindMemory(to: UInt64.self)
            let first = words[word]
            guard offset > 0 else { return first }
            let second = word + 1 < MathConstants.twoOverPiWords ? words[word + 1] : 0
            return first << UInt64(offset) | second >> UInt64(64 - offset)
        }
    }

    private static func shifted(_ a: UInt64, _ b: UInt64, by shift: Int) -> (UInt64, UInt64) {
        if shift == 0 { return (a, b) }
        if shift >= 64 { return (shift == 64 ? b : b << UInt64(shift - 64), 0) }
        return (a << UInt64(shift) | b >> UInt64(64 - shift), b << UInt64(shift))
    }
}
