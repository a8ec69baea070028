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

    @Test(arguments: 0..<4)
    func doublesHaveTheScalarBits(index: Int) {
        let f = Self.functions[index]
        let xs = DeterministicMathTests.arguments(count: 30_000, seed: 43) + Self.specials()
        var mapped = [Double](repeating: 0, count: xs.count)
        var inPlace = xs
        xs.withUnsafeBufferPointer { x in
            mapped.withUnsafeMutableBufferPointer { VectorMath.map(f, x.baseAddress!, $0.baseAddress!, count: xs.count) }
        }
        inPlace.withUnsafeMutableBufferPointer { VectorMath.map(f, $0.baseAddress!, $0.baseAddress!, count: xs.count) }
        var mismatches = 0
        for (i, x) in xs.enumerated() {
            let expected = f.scalar(x)
            for got in [mapped[i], inPlace[i]] where !(got.bitPattern == expected.bitPattern || (got.isNaN && expected.isNaN)) {
                if mismatches < 5 { Issue.record("\(f)(\(x)): \(got) against the scalar's \(expected)") }
                mismatches += 1
            }
        }
        #expect(mismatches == 0)
    }

    @Test(arguments: 0..<4)
    func floatsHaveTheScalarBits(index: Int) {
        let f = Self.functions[index]
        var rng = SeededGenerator(seed: 44)
        // Odd length: seven values go through the scalar tail.
        var xs = (0..<200_007).map { _ in Float(bitPattern: UInt32(truncatingIfNeeded: rng.next())) }
        xs += (0..<50_000).map { _ in Float(rng.nextUnit() * 80 - 40) } + Self.specials().map { Float($0) }
        var mapped = [Float](repeating: 0, count: xs.count)
        var inPlace = xs
        xs.withUnsafeBufferPointer { x in
            mapped.withUnsafeMutableBufferPointer { VectorMath.map(f, x.baseAddress!, $0.baseAddress!, count: xs.count) }
        }
        inPlace.withUnsafeMutableBufferPointer { VectorMath.map(f, $0.baseAddress!, $0.baseAddress!, count: xs.count) }
        var mismatches = 0
        for (i, x) in xs.enumerated() {
            let expected = Float(f.scalar(Double(x)))
            for got in [mapped[i], inPlace[i]] where !(got.bitPattern == expected.bitPattern || (got.isNaN && expected.isNaN)) {
                if mismatches < 5 { Issue.record("\(f)(\(x)): \(got) against the scalar's \(expected)") }
                mismatches += 1
            }
        }
        #expect(mismatches == 0)
    }
}
