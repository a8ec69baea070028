import Foundation
import StreamConv
import Testing

/// The core's transcendental functions against glibc's x87 `long double` functions (64-bit
/// significands: 2,048 times finer than a Double's ulp, so their own error does not count)
/// over the whole domain: every binade from the smallest subnormal to the largest finite
/// value, both signs, dense near the places each function is hardest (0, the ends of the
/// polynomial intervals, multiples of π/2), and the special values PyTorch defines.
@Suite struct DeterministicMathTests {
    /// The functions under test with their references.
    static let functions: [(name: String, f: @Sendable (Double) -> Double, reference: @Sendable (Float80) -> Float80)] = [
        ("exp", DeterministicMath.exp, { expl($0) }),
        ("expm1", DeterministicMath.expm1, { expm1l($0) }),
        ("tanh", DeterministicMath.tanh, { tanhl($0) }),
        ("sigmoid", DeterministicMath.sigmoid, { 1 / (1 + expl(-$0)) }),
        ("erf", DeterministicMath.erf, { erfl($0) }),
        ("sin", DeterministicMath.sin, { sinl($0) }),
    ]

    /// Error in units of the last place of the correctly rounded result of type `T`.
    static func ulps<T: BinaryFloatingPoint>(_ got: T, _ exact: Float80, as _: T.Type) -> Double {
        if got.isNaN || exact.isNaN { return got.isNaN && exact.isNaN ? 0 : .infinity }
        if got.isInfinite || exact.isInfinite || T(exact).isInfinite {
            return Float80(got) == exact || got == T(exact) ? 0 : .infinity
        }
        let rounded = T(exact)
        // The ulp of the exact value's binade (at least the smallest subnormal's).
        let unit = max(rounded.magnitude.ulp, T.leastNonzeroMagnitude)
        return Double(abs(Float80(got) - exact) / Float80(unit))
    }

    /// Arguments covering the domain: log-spaced magnitudes in every binade, uniform points
    /// on the hard intervals, multiples of π/2 and their neighbours.
    static func arguments(count: Int, seed: UInt64) -> [Double] {
        var rng = SeededGenerator(seed: seed)
        var xs: [Double] = []
        for _ in 0..<count {
            let exponent = Int.random(in: -1074...1023, using: &rng)
            let magnitude = Double(sign: .plus, exponent: exponent, significand: Double.random(in: 1..<2, using: &rng))
            xs.append(Bool.random(using: &rng) ? magnitude : -magnitude)
            xs.append(Double.random(in: -40...40, using: &rng))
            xs.append(Double.random(in: -1.2...1.2, using: &rng))
        }
        for k in 1...2000 {
            let multiple = Double(k) * Double.pi / 2
            xs += [multiple, multiple.nextUp, multiple.nextDown]
        }
        for edge in [0.55, 1, 2, 3.5, 6, 22, 0.7853981633974483, 709.78, -745.13, 37.5, 0x1p-28, 0x1p-26] {
            var v = edge
            for _ in 0..<8 { xs += [v, -v]; v = v.nextUp }
        }
        return xs
    }

    static let domain = arguments(count: 200_000, seed: 41)

    /// Double: every function within 2 ulp of the reference everywhere sampled (the measured
    /// worst is printed for the README).
    @Test(arguments: 0..<6)
    func doublesAreWithinTwoUlps(index: Int) {
        let (name, f, reference) = Self.functions[index]
        var worst = (0.0, 0.0)
        for x in Self.domain {
            // glibc's sinl loses accuracy only where its own argument reduction would; fine here.
            let error = Self.ulps(f(x), reference(Float80(x)), as: Double.self)
            if error > worst.0 { worst = (error, x) }
        }
        print("\(name) Double: worst \(String(format: "%.3f", worst.0)) ulp at \(worst.1)")
        #expect(worst.0 <= 2, "\(name)(\(worst.1)) is off by \(worst.0) ulp")
    }

    /// Float: the Double result rounded once is within 1 ulp (sampled over random bit
    /// patterns, so every binade and subnormals appear).
    @Test(arguments: 0..<6)
    func floatsAreWithinOneUlp(index: Int) {
        let (name, f, reference) = Self.functions[index]
        var rng = SeededGenerator(seed: 77)
        var worst = (0.0, Float(0))
        for _ in 0..<400_000 {
            let x = Float(bitPattern: UInt32(truncatingIfNeeded: rng.next()))
            guard x.isFinite else { continue }
            let error = Self.ulps(Float(f(Double(x))), reference(Float80(x)), as: Float.self)
            if error > worst.0 { worst = (error, x) }
        }
        print("\(name) Float: worst \(String(format: "%.3f", worst.0)) ulp at \(worst.1)")
        #expect(worst.0 <= 1, "\(name)(\(worst.1)) is off by \(worst.0) ulp in Float")
    }

    /// ±0, ±Inf, NaN and subnormals as IEEE 754 and PyTorch define them.
    @Test func specialValues() {
        typealias M = DeterministicMath
        let tiny = Double.leastNonzeroMagnitude
        #expect(M.exp(-.infinity) == 0 && M.exp(.infinity) == .infinity && M.exp(-0.0) == 1 && M.exp(tiny) == 1)
        #expect(M.exp(-746) == 0 && M.exp(710) == .infinity && M.exp(-745) == tiny * 1)
        #expect(M.expm1(-0.0).sign == .minus && M.expm1(-.infinity) == -1 && M.expm1(tiny) == tiny)
        #expect(M.tanh(-0.0).sign == .minus && M.tanh(.infinity) == 1 && M.tanh(-.infinity) == -1 && M.tanh(-tiny) == -tiny)
        #expect(M.sigmoid(.infinity) == 1 && M.sigmoid(-.infinity) == 0 && M.sigmoid(-0.0) == 0.5 && M.sigmoid(0) == 0.5)
        #expect(M.erf(-0.0).sign == .minus && M.erf(.infinity) == 1 && M.erf(-.infinity) == -1)
        #expect(M.erf(tiny) == tiny && M.erf(0x1p-1060) > 0x1p-1060)
        #expect(M.sin(-0.0).sign == .minus && M.sin(.infinity).isNaN && M.sin(-.infinity).isNaN && M.sin(-tiny) == -tiny)
        for f in Self.functions { #expect(f.f(.nan).isNaN, "\(f.name)(NaN)") }
        // The largest argument sin reduces: sin(DBL_MAX) = 0.00487…, against glibc.
        #expect(Self.ulps(M.sin(.greatestFiniteMagnitude), sinl(Float80(Double.greatestFiniteMagnitude)), as: Double.self) <= 1)
    }
}
