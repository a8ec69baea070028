/// The transcendental functions the activations need, in pure Swift with a fixed order of
/// operations: the same bits on every CPU and build, where libm's may differ between
/// versions and vector paths.
///
/// Each is computed in `Double` (with ≤ 2 ulp error; the tests measure it against 60-digit
/// references over the whole domain); the `Float` versions round the `Double` result once,
/// which keeps them within 1 ulp. Special values follow IEEE 754 and PyTorch: NaN in gives
/// NaN out, ±0 keeps its sign where the function is odd, subnormals are handled exactly.
/// Only additions, multiplications, divisions and integer bit operations are used (no
/// fused multiply-add, whose availability would change the bits).
public enum DeterministicMath {
    /// e^x.
    public static func exp(_ x: Double) -> Double {
        if x.isNaN { return x }
        if x > 709.782712893384 { return .infinity }
        if x < -745.1332191019412 { return 0 }
        if x.magnitude < 0x1p-54 { return 1 + x }
        let (k, r) = reduceLn2(x)
        return scaled(1 + (r + r * r * MathConstants.expTaylor(r)), by: k)
    }

    /// e^x − 1, accurate near 0.
    public static func expm1(_ x: Double) -> Double {
        if x.isNaN { return x }
        if x > 709.782712893384 { return .infinity }
        if x < -37.5 { return -1 }
        // Keeps −0 and subnormals: e^x − 1 = x to within x²/2, far below an ulp of x.
        if x.magnitude < 0x1p-54 { return x }
        if x.magnitude <= 1 { return x + x * x * MathConstants.expm1Taylor(x) }
        let (k, r) = reduceLn2(x)
        // e^x − 1 = 2^k·(e^r − 1) + (2^k − 1), with e^r − 1 on |r| ≤ ln 2/2.
        let e = r + r * r * MathConstants.expTaylor(r)
        if k >= 1023 { return scaled(1 + e, by: k) }
        let t = Double(sign: .plus, exponent: k, significand: 1)
        return k <= 52 ? (t - 1) + t * e : t + (t * e - 1)
    }

    /// The hyperbolic tangent.
    public static func tanh(_ x: Double) -> Double {
        if x.isNaN { return x }
        let a = x.magnitude
        // tanh x = x − x³/3 + …: x²/3 is below half an ulp.
        if a < 0x1p-28 { return x }
        // 1 − tanh x < 2·e^−2x is below half an ulp of 1.
        if a >= 22 { return x > 0 ? 1 : -1 }
        if a < 0.55 { return x + x * (x * x) * MathConstants.tanhTaylor(x * x) }
        let y = 1 - 2 / (expm1(2 * a) + 2)
        return x > 0 ? y : -y
    }

    /// The logistic sigmoid 1/(1 + e^−x).
    public static func sigmoid(_ x: Double) -> Double {
        if x.isNaN { return x }
        if x >= 0 { return 1 / (1 + exp(-x)) }
        // e^x/(1 + e^x) for x < 0, with e^x carried to twice the precision and the division
        // corrected by its remainder: a plain e/(1 + e) is off by up to 2.2 ulp.
        if x < -40 { return exp(x) }
        let (k, r) = reduceLn2(x)
        let em1 = r + r * r * MathConstants.expTaylor(r)
        let y = 1 + em1
        // The rounding error of y, exactly (|em1| < 1).
        let yTail = (1 - y) + em1
        let scale = Double(sign: .plus, exponent: k, significand: 1)
        let (eh, el) = (y * scale, yTail * scale)
        var (s, se) = ExactArithmetic.twoSum(1, eh)
        se += el
        let q = eh / s
        let (p, pe) = ExactArithmetic.twoProduct(q, s)
        return q + ((((eh - p) - pe) + el) - q * se) / s
    }

    /// The error function.
    public static func erf(_ x: Double) -> Double {
        if x.isNaN { return x }
        let a = x.magnitude
        // erf x = (2/√π)·x·(1 − x²/3 + …): keeps ±0 and rounds subnormals once.
        if a < 0x1p-28 { return x + x * MathConstants.erfTiny }
        if a < 1 { return x + x * MathConstants.erfTaylor(x * x) }
        if a >= 6 { return x > 0 ? 1 : -1 }
        let y = 1 - erfcAbove1(a)
        return x > 0 ? y : -y
    }

    /// The sine (of any finite argument: large ones are reduced with 1,216 bits of 2/π).
    public static func sin(_ x: Double) -> Double {
        if !x.isFinite { return x.isNaN ? x : .nan }
        let a = x.magnitude
        // sin x = x − x³/6 + …: x²/6 is below half an ulp.
        if a < 0x1p-26 { return x }
        let (quadrant, hi, lo) = TrigonometricReduction.reduce(a)
        let y: Double
        switch quadrant & 3 {
        case 0: y = sinKernel(hi, lo)
        case 1: y = cosKernel(hi, lo)
        case 2: y = -sinKernel(hi, lo)
        default: y = -cosKernel(hi, lo)
        }
        return x < 0 ? -y : y
    }

    // MARK: - Kernels

    /// x = k·ln 2 + r with |r| ≤ ln 2/2 (k·ln2Hi exact, so r is x's own bits less k·ln 2).
    @inline(__always)
    static func reduceLn2(_ x: Double) -> (k: Int, r: Double) {
        let k = (x * MathConstants.log2e).rounded(.toNearestOrEven)
        return (Int(k), (x - k * MathConstants.ln2Hi) - k * MathConstants.ln2Lo)
    }

    /// y·2^k with one rounding, also where the result is subnormal.
    @inline(__always)
    static func scaled(_ y: Double, by k: Int) -> Double {
        if k > 1023 { return y * 0x1p1023 * Double(sign: .plus, exponent: k - 1023, significand: 1) }
        if k < -1021 {
            // y·2^(k+54) is normal and exact; the one rounding is the last multiplication.
            return (y * Double(sign: .plus, exponent: k + 54, significand: 1)) * 0x1p-54
        }
        return y * Double(sign: .plus, exponent: k, significand: 1)
    }

    /// erfc a for 1 ≤ a < 6, as e^(−a²)·R(a) with R fitted on three intervals and a² carried
    /// to twice the precision, so e^(−a²) loses nothing to the rounding of a².
    static func erfcAbove1(_ a: Double) -> Double {
        let r: Double
        if a < 2 {
            r = MathConstants.erfcFit1((a - 1.5) / 0.5)
        } else if a < 3.5 {
            r = MathConstants.erfcFit2((a - 2.75) / 0.75)
        } else {
            r = MathConstants.erfcFit3((a - 4.75) / 1.25)
        }
        let (square, error) = ExactArithmetic.twoProduct(a, a)
        // e^(−a² − δ) = e^(−a²)·(1 − δ) for the tiny δ.
        return exp(-square) * (1 - error) * r
    }

    /// sin(hi + lo) for |hi + lo| ≤ π/4, lo below an ulp of hi.
    @inline(__always)
    static func sinKernel(_ hi: Double, _ lo: Double) -> Double {
        let u = hi * hi
        // sin(hi + lo) = sin hi + lo·cos hi, with cos hi = 1 − u/2 to the precision lo needs.
        return hi + (hi * u * MathConstants.sinTaylor(u) + lo * (1 - 0.5 * u))
    }

    /// cos(hi + lo) for |hi + lo| ≤ π/4.
    @inline(__always)
    static func cosKernel(_ hi: Double, _ lo: Double) -> Double {
        let u = hi * hi
        let half = 0.5 * u
        let w = 1 - half
        // (1 − w) − half is the rounding error of w, put back with the rest.
        return w + (((1 - w) - half) + (u * u * MathConstants.cosTaylor(u) - hi * lo))
    }
}
