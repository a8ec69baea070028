/// ``DeterministicMath`` eight arguments at a time, for the activations' inner loops.
///
/// Every lane takes exactly the steps the scalar function takes for its argument (the same
/// operations on the same values, in the same order, each rounded once), so each result has
/// the scalar's bits; only the branches are replaced by computing each side and selecting.
/// Arguments outside each function's common range (NaN, infinities, the tiny and the huge)
/// are flagged and recomputed by the scalar function, so the special cases live in one place.
/// Rounding to an integer uses (v + 1.5·2^52) − 1.5·2^52, which is `rounded(.toNearestOrEven)`
/// for |v| < 2^51 in IEEE arithmetic, and 2^k is built from its bits: no libm, no rounding
/// instruction a baseline x86-64 build would lack.
enum VectorMath {
    typealias V = SIMD8<Double>
    typealias Bits = SIMD8<UInt64>
    typealias Mask = SIMDMask<SIMD8<Int64>>

    /// The functions with a vector form.
    enum Function {
        case exp, expm1, tanh, sigmoid

        @inline(__always)
        func scalar(_ x: Double) -> Double {
            switch self {
            case .exp: return DeterministicMath.exp(x)
            case .expm1: return DeterministicMath.expm1(x)
            case .tanh: return DeterministicMath.tanh(x)
            case .sigmoid: return DeterministicMath.sigmoid(x)
            }
        }

        /// The lanes' results, and the lanes the scalar function must redo.
        @inline(__always)
        func vector(_ x: V) -> (V, Mask) {
            switch self {
            case .exp: return VectorMath.exp(x)
            case .expm1: return VectorMath.expm1(x)
            case .tanh: return VectorMath.tanh(x)
            case .sigmoid: return VectorMath.sigmoid(x)
            }
        }
    }

    /// `y[i] = T(f(Double(x[i])))` for `i < count`, as the scalar function would give.
    /// `x` and `y` may be the same buffer.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    static func map<T: ConvScalar>(_ f: Function, _ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>, count: Int) {
        var i = 0
        if T.self == Float.self {
            let xs = UnsafeRawPointer(x), ys = UnsafeMutableRawPointer(y)
            // Four vectors per step: their long polynomial chains are independent, so one's
            // latency hides the others'.
            while i + 32 <= count {
                let v0 = V(xs.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self))
                let v1 = V(xs.loadUnaligned(fromByteOffset: i * 4 + 32, as: SIMD8<Float>.self))
                let v2 = V(xs.loadUnaligned(fromByteOffset: i * 4 + 64, as: SIMD8<Float>.self))
                let v3 = V(xs.loadUnaligned(fromByteOffset: i * 4 + 96, as: SIMD8<Float>.self))
                let (r0, r1, r2, r3) = (f.vector(v0), f.vector(v1), f.vector(v2), f.vector(v3))
                ys.storeBytes(of: SIMD8<Float>(finish(f, v0, r0)), toByteOffset: i * 4, as: SIMD8<Float>.self)
                ys.storeBytes(of: SIMD8<Float>(finish(f, v1, r1)), toByteOffset: i * 4 + 32, as: SIMD8<Float>.self)
                ys.storeBytes(of: SIMD8<Float>(finish(f, v2, r2)), toByteOffset: i * 4 + 64, as: SIMD8<Float>.self)
                ys.storeBytes(of: SIMD8<Float>(finish(f, v3, r3)), toByteOffset: i * 4 + 96, as: SIMD8<Float>.self)
                i += 32
            }
            while i + 8 <= count {
                let v = V(xs.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self))
                let r = finish(f, v, f.vector(v))
                ys.storeBytes(of: SIMD8<Float>(r), toByteOffset: i * 4, as: SIMD8<Float>.self)
                i += 8
            }
        } else if T.self == Double.self {
            let xs = UnsafeRawPointer(x), ys = UnsafeMutableRawPointer(y)
            while i + 16 <= count {
                let v0 = xs.loadUnaligned(fromByteOffset: i * 8, as: V.self)
                let v1 = xs.loadUnaligned(fromByteOffset: i * 8 + 64, as: V.self)
                let (r0, r1) = (f.vector(v0), f.vector(v1))
                ys.storeBytes(of: finish(f, v0, r0), toByteOffset: i * 8, as: V.self)
                ys.storeBytes(of: finish(f, v1, r1), toByteOffset: i * 8 + 64, as: V.self)
                i += 16
            }
            while i + 8 <= count {
                let v = xs.loadUnaligned(fromByteOffset: i * 8, as: V.self)
                ys.storeBytes(of: finish(f, v, f.vector(v)), toByteOffset: i * 8, as: V.self)
                i += 8
            }
        }
        while i < count {
            y[i] = T(f.scalar(Double(x[i])))
            i += 1
        }
    }

    /// The vector result with the flagged lanes replaced by the scalar function's.
    @inline(__always)
    static func finish(_ f: Function, _ x: V, _ result: (V, Mask)) -> V {
        var (r, redo) = result
        if any(redo) {
            for lane in 0..<8 where redo[lane] { r[lane] = f.scalar(x[lane]) }
        }
        return r
    }

    // MARK: - The functions (see DeterministicMath for each one's derivation)

    /// e^x for 2^−54 ≤ |x| ≤ 700 (there 2^k is normal, so `scaled` is one multiplication).
    @inline(__always)
    static func exp(_ x: V) -> (V, Mask) {
        let a = magnitude(x)
        let redo = .!(a .>= 0x1p-54) .| (a .> 700)
        let (k, r) = reduceLn2(x)
        return (power(k) * (1 + (r + r * r * MathConstants.expTaylor(r))), redo)
    }

    /// e^x − 1 for 2^−54 ≤ |x|, −37.5 ≤ x ≤ 700.
    @inline(__always)
    static func expm1(_ x: V) -> (V, Mask) {
        let a = magnitude(x)
        let redo = .!(a .>= 0x1p-54) .| (x .> 700) .| (x .< -37.5)
        // Only the sides some lane takes are computed (activations often keep to one).
        let inner = a .<= 1
        if all(inner) { return (x + x * x * MathConstants.expm1Taylor(x), redo) }
        if !any(inner) { return (expm1Reduced(x), redo) }
        let small = x + x * x * MathConstants.expm1Taylor(x)
        return (select(inner, small, expm1Reduced(x)), redo)
    }

    /// The hyperbolic tangent for 2^−28 ≤ |x| < 22.
    @inline(__always)
    static func tanh(_ x: V) -> (V, Mask) {
        let a = magnitude(x)
        let redo = .!(a .>= 0x1p-28) .| (a .>= 22)
        let inner = a .< 0.55
        @inline(__always) func small() -> V {
            let u = x * x
            return x + x * u * MathConstants.tanhTaylor(u)
        }
        // 2a ≥ 1.1 there, so expm1 takes its reduced path; y > 0, so −y is y with the sign bit.
        @inline(__always) func large() -> V {
            let y = 1 - 2 / (expm1Reduced(2 * a) + 2)
            return V(bitPattern: y.bitPattern | (x.bitPattern & signBit))
        }
        // Only the sides some lane takes are computed.
        if all(inner) { return (small(), redo) }
        if !any(inner) { return (large(), redo) }
        return (select(inner, small(), large()), redo)
    }

    /// The logistic sigmoid for −40 ≤ x ≤ 700, x ∉ (−2^−54, 2^−54).
    @inline(__always)
    static func sigmoid(_ x: V) -> (V, Mask) {
        let redo = .!(x .>= -40) .| (x .> 700) .| (magnitude(x) .< 0x1p-54)
        // x ≥ 0: 1/(1 + e^−x).
        let (kp, rp) = reduceLn2(-x)
        let positive = 1 / (1 + power(kp) * (1 + (rp + rp * rp * MathConstants.expTaylor(rp))))
        // x < 0: e^x/(1 + e^x) in twice the precision, the division corrected by its remainder.
        let (k, r) = reduceLn2(x)
        let em1 = r + r * r * MathConstants.expTaylor(r)
        let y = 1 + em1
        let yTail = (1 - y) + em1
        let scale = power(k)
        let (eh, el) = (y * scale, yTail * scale)
        let s = 1 + eh
        let bb = s - 1
        let se = ((1 - (s - bb)) + (eh - bb)) + el
        let q = eh / s
        let (p, pe) = twoProduct(q, s)
        let negative = q + ((((eh - p) - pe) + el) - q * se) / s
        return (select(x .>= 0, positive, negative), redo)
    }

    // MARK: - Steps

    static let signBit = Bits(repeating: 1 << 63)
    /// 1.5·2^52: adding and subtracting it rounds to an integer, which its low bits then hold.
    static let roundingShift: Double = 0x1.8p52

    @inline(__always)
    static func magnitude(_ x: V) -> V { V(bitPattern: x.bitPattern & ~signBit) }

    /// `DeterministicMath.reduceLn2` on each lane: k as the shifted sum (its low bits are k),
    /// r = (x − k·ln2Hi) − k·ln2Lo.
    @inline(__always)
    static func reduceLn2(_ x: V) -> (k: V, r: V) {
        let shifted = x * MathConstants.log2e + roundingShift
        let k = shifted - roundingShift
        return (shifted, (x - k * MathConstants.ln2Hi) - k * MathConstants.ln2Lo)
    }

    /// 2^k from ``reduceLn2(_:)``'s shifted k (−1022 ≤ k ≤ 1023).
    @inline(__always)
    static func power(_ shifted: V) -> V {
        let k = shifted.bitPattern &- roundingShift.bitPattern
        return V(bitPattern: (k &+ 1023) &<< 52)
    }

    /// `DeterministicMath.expm1`'s path for |x| > 1: 2^k·(e^r − 1) + (2^k − 1).
    @inline(__always)
    static func expm1Reduced(_ x: V) -> V {
        let (shifted, r) = reduceLn2(x)
        let e = r + r * r * MathConstants.expTaylor(r)
        let t = power(shifted)
        return select(shifted - roundingShift .<= 52, (t - 1) + t * e, t + (t * e - 1))
    }

    /// `ExactArithmetic.twoProduct` on each lane.
    @inline(__always)
    static func twoProduct(_ a: V, _ b: V) -> (V, V) {
        @inline(__always) func split(_ x: V) -> (V, V) {
            let t = x * 134_217_729
            let high = t - (t - x)
            return (high, x - high)
        }
        let p = a * b
        let (ah, al) = split(a)
        let (bh, bl) = split(b)
        return (p, ((ah * bh - p) + ah * bl + al * bh) + al * bl)
    }

    /// `mask ? a : b` lane by lane, on the bits.
    @inline(__always)
    static func select(_ mask: Mask, _ a: V, _ b: V) -> V {
        let m = unsafeBitCast(mask, to: Bits.self)
        return V(bitPattern: (a.bitPattern & m) | (b.bitPattern & ~m))
    }
}

extension SIMD8<Double> {
    /// The lanes' bits.
    @inline(__always)
    var bitPattern: SIMD8<UInt64> { unsafeBitCast(self, to: SIMD8<UInt64>.self) }

    /// Lanes with the given bits.
    @inline(__always)
    init(bitPattern bits: SIMD8<UInt64>) { self = unsafeBitCast(bits, to: SIMD8<Double>.self) }
}
