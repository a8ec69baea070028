import Foundation
@testable import StreamConv
import Testing

/// The activations' eight-lane functions give the scalar functions' bits for every argument:
/// the arguments of DeterministicMathTests (every binade, the branch edges, multiples of π/2),
/// random Float bit patterns, and the special values, through the Float and Double loops,
/// in place and not, at lengths that leave a scalar tail.
@Suite struct VectorMathTests {
    static let functions: [VectorMath.Function] = [.exp, .expm1, .tanh, .sigmoid]

    static func specials() -> [Double] {
        var xs: [Double] = [0, -0.0, .infinity, -.infinity, .nan, -.nan, .leastNonzeroMagnitude, -.leastNonzeroMagnitude,
                            .leastNormalMagnitude, .greatestFiniteMagnitude, -.greatestFiniteMagnitude]
        // Every edge where a vector lane hands over to the scalar, and every branch point.
        for edge in [0x1p-54, 0x1p-28, 0.55, 1, 22, 37.5, 40, 700, 709.78, 745.13, 36.04365338911715 /* k = 52 */] {
            for v in [edge, edge.nextUp, edge.nextDown] { xs += [v, -v] }
        }
        return xs
    }

    /// Mismatches of `VectorMath.map` (into another buffer, and in place) against the scalar
    /// function rounded to T, the first few recorded.
    static func mismatches<T: ConvScalar>(_ f: VectorMath.Function, _ xs: [T]) -> Int {
        var mapped = [T](repeating: 0, count: xs.count)
        var inPlace = xs
        xs.withUnsafeBufferPointer { x in
            mapped.withUnsafeMutableBufferPointer { VectorMath.map(f, x.baseAddress!, $0.baseAddress!, count: xs.count) }
        }
        inPlace.withUnsafeMutableBufferPointer { VectorMath.map(f, $0.baseAddress!, $0.baseAddress!, count: xs.count) }
        var mismatches = 0
        for (i, x) in xs.enumerated() {
            let expected = T(f.scalar(Double(x)))
            // Equal with the same sign is equal bits (±0 told apart); any NaN matches NaN.
            for got in [mapped[i], inPlace[i]] where !((got == expected && got.sign == expected.sign) || (got.isNaN && expected.isNaN)) {
                if mismatches < 5 { Issue.record("\(f)(\(x)): \(got) against the scalar's \(expected)") }
                mismatches += 1
            }
        }
        return mismatches
    }

    @Test(arguments: 0..<4)
    func doublesHaveTheScalarBits(index: Int) {
        let xs = DeterministicMathTests.arguments(count: 30_000, seed: 43) + Self.specials()
        #expect(Self.mismatches(Self.functions[index], xs) == 0)
    }

    @Test(arguments: 0..<4)
    func floatsHaveTheScalarBits(index: Int) {
        var rng = SeededGenerator(seed: 44)
        // Odd length: seven values go through the scalar tail.
        var xs = (0..<200_007).map { _ in Float(bitPattern: UInt32(truncatingIfNeeded: rng.next())) }
        xs += (0..<50_000).map { _ in Float(rng.nextUnit() * 80 - 40) } + Self.specials().map { Float($0) }
        #expect(Self.mismatches(Self.functions[index], xs) == 0)
    }
}
