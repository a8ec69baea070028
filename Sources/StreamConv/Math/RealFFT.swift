/// A real-input FFT of a power-of-two size, in pure Swift (no C library, no FFTW): its bits
/// are fixed by this code alone, the same for every instance, alignment and CPU.
///
/// Size `M = 2N`: the M real samples are packed as N complex ones (even samples real, odd
/// imaginary), transformed by an iterative radix-2 complex FFT, and split into the M/2 + 1
/// bins of the real spectrum. The forward FFT decimates in time (its input gathered in
/// bit-reversed order), the inverse in frequency (its output read back in bit-reversed
/// order), so neither needs a permutation pass of its own; vector stages run two at a time. Spectra are kept split (real parts, imaginary parts) so that a
/// spectrum times another runs over plain arrays. Twiddles are computed in Double and rounded
/// once.
///
/// `forward` gives X[k] = Σ x[n]·e^(−2πikn/M), k = 0…M/2. `inverse` gives M·x from such a
/// spectrum (unnormalised; a caller folds 1/M into its filter spectra, an exact power of two).
public struct RealFFT<T: ConvScalar>: Sendable {
    /// Real samples per transform, M.
    public let size: Int
    /// N = M / 2: complex points of the inner FFT.
    let half: Int
    /// Per stage of span s (1, 2, 4, … N/2), e^(−2πij/(2s)) for j < s, stored from index s
    /// (stage s at [s, 2s)), so each stage reads its twiddles contiguously. Split.
    let twiddleRe: [T]
    let twiddleIm: [T]
    /// e^(−2πik/M) for k ≤ N, split: the real-spectrum split step.
    let splitRe: [T]
    let splitIm: [T]
    /// Bit-reversal permutation of 0..<N.
    let reversed: [Int32]

    /// Bytes of the tables an FFT of `size` points holds (twiddles, split factors, bit
    /// reversal), as ``init(size:)`` allocates them.
    static func tableBytes(size: Int, scalarSize: Int) -> Int {
        let n = size / 2
        return Saturating.sum([Saturating.product([2 * max(n, 2) + 2 * (n + 1), scalarSize]), Saturating.product([n, 4])])
    }

    /// Bytes of this FFT's tables, counted from the tables themselves.
    var tableBytes: Int {
        (twiddleRe.count + twiddleIm.count + splitRe.count + splitIm.count) * MemoryLayout<T>.stride + reversed.count * 4
    }

    /// An FFT of `size` real samples (a power of two, at least 4).
    public init(size: Int) {
        precondition(size >= 4 && size & (size - 1) == 0, "RealFFT size must be a power of two ≥ 4")
        self.size = size
        let n = size / 2
        half = n
        var tr = [T](repeating: 0, count: max(n, 2)), ti = tr
        var span = 1
        while span < n {
            for j in 0..<span {
                // The same value as e^(−2πi·(j·N/2s)/N): one table entry per (stage, j).
                let angle = -2 * Double.pi * Double(j * (n / (2 * span))) / Double(n)
                tr[span + j] = T(Self.cosine(angle))
                ti[span + j] = T(Self.sine(angle))
            }
            span *= 2
        }
        twiddleRe = tr
        twiddleIm = ti
        var sr = [T](), si = [T]()
        for k in 0...n {
            let angle = -2 * Double.pi * Double(k) / Double(size)
            sr.append(T(Self.cosine(angle)))
            si.append(T(Self.sine(angle)))
        }
        splitRe = sr
        splitIm = si
        var bits = 0
        while 1 << bits < n { bits += 1 }
        reversed = (0..<n).map { i in
            var r = 0
            for b in 0..<bits where i & (1 << b) != 0 { r |= 1 << (bits - 1 - b) }
            return Int32(r)
        }
    }

    // The core has no libm (a package using only StreamConv must link without it): sine and
    // cosine by argument reduction to [−π/4, π/4] and Taylor series, accurate to an ulp or so
    // of Double, far below Float's and well below the FFT's own rounding.
    static func sine(_ x: Double) -> Double { trig(x, sine: true) }
    static func cosine(_ x: Double) -> Double { trig(x, sine: false) }

    static func trig(_ x: Double, sine: Bool) -> Double {
        // x = q·(π/2) + r, |r| ≤ π/4.
        let halfPi = Double.pi / 2
        // Nearest integer without libm's round: truncation after adding ±0.5.
        let q = Double(Int64(x / halfPi + (x < 0 ? -0.5 : 0.5)))
        let r = x - q * halfPi
        let quadrant = ((Int(q) % 4) + 4) % 4
        let r2 = r * r
        var term = r
        var s = r
        for i in 1...12 {
            term *= -r2 / ((2 * Double(i)) * (2 * Double(i) + 1))
            s += term
        }
        term = 1
        var c = 1.0
        for i in 1...12 {
            term *= -r2 / ((2 * Double(i) - 1) * (2 * Double(i)))
            c += term
        }
        let index = (quadrant + (sine ? 0 : 1)) % 4
        switch index {
        case 0: return s
        case 1: return c
        case 2: return -s
        default: return -c
        }
    }

    /// Transforms `input` (M real samples) into `re`, `im` (M/2 + 1 bins each). `re` and `im`
    /// also serve as the inner FFT's working arrays. Allocates nothing.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func forward(_ input: UnsafePointer<T>, re: UnsafeMutablePointer<T>, im: UnsafeMutablePointer<T>) {
        let n = half
        // Bit reversal is its own inverse: each destination in order reads its source pair.
        reversed.withUnsafeBufferPointer { rev in
            for j in 0..<n {
                let i = Int(rev[j])
                re[j] = input[2 * i]
                im[j] = input[2 * i + 1]
            }
        }
        butterflies(re: re, im: im)
        // Split: X[k] = (Z[k] + Z*[N−k])/2 + W^k (Z[k] − Z*[N−k])/(2i), W = e^(−2πi/M).
        splitRe.withUnsafeBufferPointer { wr in
            splitIm.withUnsafeBufferPointer { wi in
                let z0r = re[0], z0i = im[0]
                re[0] = z0r + z0i
                im[0] = 0
                re[n] = z0r - z0i
                im[n] = 0
                var k = 1
                // Eight k at a time with their eight m = n − k (a reversed vector), while the
                // two runs stay apart; each bin gets the scalar loop's operations.
                while 2 * k + 15 <= n {
                    let m = n - k - 7
                    let (ar, ai) = (Self.load8(re + k), Self.load8(im + k))
                    let (br, bi) = (Self.load8(re + m).reversedLanes, Self.load8(im + m).reversedLanes)
                    let er = (ar + br) * 0.5, ei = (ai - bi) * 0.5
                    let or = (ai + bi) * 0.5, oi = (br - ar) * 0.5
                    let (cr, ci) = (Self.load8(wr.baseAddress! + k), Self.load8(wi.baseAddress! + k))
                    let (dr, di) = (Self.load8(wr.baseAddress! + m).reversedLanes, Self.load8(wi.baseAddress! + m).reversedLanes)
                    Self.store8(er + (cr * or - ci * oi), re + k)
                    Self.store8(ei + (cr * oi + ci * or), im + k)
                    Self.store8((er + (dr * or + di * oi)).reversedLanes, re + m)
                    Self.store8((-ei + (di * or - dr * oi)).reversedLanes, im + m)
                    k += 8
                }
                while k <= n - k {
                    let m = n - k
                    let (ar, ai, br, bi) = (re[k], im[k], re[m], im[m])
                    // Even part E = (Z[k] + Z*[m])/2, odd part O = (Z[k] − Z*[m])/(2i).
                    let er = (ar + br) * 0.5, ei = (ai - bi) * 0.5
                    let or = (ai + bi) * 0.5, oi = (br - ar) * 0.5
                    // X[k] = E + W^k O; X[m] = E* + W^m O*  (from Z[m], Z*[k]).
                    let (cr, ci) = (wr[k], wi[k])
                    re[k] = er + (cr * or - ci * oi)
                    im[k] = ei + (cr * oi + ci * or)
                    let (dr, di) = (wr[m], wi[m])
                    re[m] = er + (dr * or + di * oi)
                    im[m] = -ei + (di * or - dr * oi)
                    k += 1
                }
            }
        }
    }

    /// M·x from the M/2 + 1 bins in `re`, `im` (which it overwrites), into `output` (M reals).
    /// Allocates nothing.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func inverse(re: UnsafeMutablePointer<T>, im: UnsafeMutablePointer<T>, output: UnsafeMutablePointer<T>) {
        let n = half
        // Z[k] = E[k] + i·O[k] with 2E = X[k] + X*[N−k], 2O = (X[k] − X*[N−k])·conj(W^k);
        // built as 2Z, and the inner inverse FFT gives N·2Z's transform: M·x.
        splitRe.withUnsafeBufferPointer { wr in
            splitIm.withUnsafeBufferPointer { wi in
                let x0 = re[0], xn = re[n]
                re[0] = x0 + xn
                im[0] = x0 - xn
                var k = 1
                // As in forward: eight k and their eight m at a time while the runs stay apart.
                while 2 * k + 15 <= n {
                    let m = n - k - 7
                    let (ar, ai) = (Self.load8(re + k), Self.load8(im + k))
                    let (br, bi) = (Self.load8(re + m).reversedLanes, Self.load8(im + m).reversedLanes)
                    let er = ar + br, ei = ai - bi
                    let dr = ar - br, di = ai + bi
                    let (cr, ci) = (Self.load8(wr.baseAddress! + k), Self.load8(wi.baseAddress! + k))
                    let or = dr * cr + di * ci, oi = di * cr - dr * ci
                    Self.store8(er - oi, re + k)
                    Self.store8(ei + or, im + k)
                    let (fr, fi) = (Self.load8(wr.baseAddress! + m).reversedLanes, Self.load8(wi.baseAddress! + m).reversedLanes)
                    let er2 = br + ar, ei2 = bi - ai
                    let dr2 = br - ar, di2 = bi + ai
                    let or2 = dr2 * fr + di2 * fi, oi2 = di2 * fr - dr2 * fi
                    Self.store8((er2 - oi2).reversedLanes, re + m)
                    Self.store8((ei2 + or2).reversedLanes, im + m)
                    k += 8
                }
                while k <= n - k {
                    let m = n - k
                    let (ar, ai, br, bi) = (re[k], im[k], re[m], im[m])
                    let er = ar + br, ei = ai - bi
                    let dr = ar - br, di = ai + bi
                    // O = D·conj(W^k); Z[k] = E + iO.
                    let (cr, ci) = (wr[k], wi[k])
                    let or = dr * cr + di * ci, oi = di * cr - dr * ci
                    re[k] = er - oi
                    im[k] = ei + or
                    // Z[m]: E[m] = E*[k], D[m] = −D*[k], W^m = −conj(W^k) → O[m] = −conj(O[k]) rotated…
                    let (fr, fi) = (wr[m], wi[m])
                    let er2 = br + ar, ei2 = bi - ai
                    let dr2 = br - ar, di2 = bi + ai
                    let or2 = dr2 * fr + di2 * fi, oi2 = di2 * fr - dr2 * fi
                    re[m] = er2 - oi2
                    im[m] = ei2 + or2
                    k += 1
                }
            }
        }
        // Decimation in frequency: natural order in, bit-reversed out, so the permutation
        // happens in the final interleave, each output pair reading its source.
        inverseButterflies(re: re, im: im)
        reversed.withUnsafeBufferPointer { rev in
            for j in 0..<n {
                let i = Int(rev[j])
                output[2 * j] = re[i]
                output[2 * j + 1] = im[i]
            }
        }
    }

    /// The inverse transform's butterflies, radix-2 decimation in frequency with conjugate
    /// twiddles (spans n/2 down to 1): vector stages two at a time, then the small spans a
    /// group per vector, then span 1.
    @inline(__always)
    func inverseButterflies(re: UnsafeMutablePointer<T>, im: UnsafeMutablePointer<T>) {
        let n = half
        let lanes = T.Lanes.scalarCount
        twiddleRe.withUnsafeBufferPointer { trb in
            twiddleIm.withUnsafeBufferPointer { tib in
                let tr = trb.baseAddress!, ti = tib.baseAddress!
                var span = n / 2
                while span >= lanes {
                    if span / 2 >= lanes {
                        inverseFused(re: re, im: im, tr: tr, ti: ti, span: span)
                        span /= 4
                    } else {
                        var start = 0
                        while start < n {
                            var j = 0
                            while j < span {
                                let a = start + j, b = a + span
                                let wr: T.Lanes = DirectKernelLoops.load(tr + span + j)
                                let wi: T.Lanes = .zero - DirectKernelLoops.load(ti + span + j)
                                let ar: T.Lanes = DirectKernelLoops.load(re + a), ai: T.Lanes = DirectKernelLoops.load(im + a)
                                let br: T.Lanes = DirectKernelLoops.load(re + b), bi: T.Lanes = DirectKernelLoops.load(im + b)
                                let (dr, di) = (ar - br, ai - bi)
                                DirectKernelLoops.store(ar + br, re + a)
                                DirectKernelLoops.store(ai + bi, im + a)
                                DirectKernelLoops.store(dr * wr - di * wi, re + b)
                                DirectKernelLoops.store(dr * wi + di * wr, im + b)
                                j += lanes
                            }
                            start += 2 * span
                        }
                        span /= 2
                    }
                }
                while span >= 1 {
                    switch span {
                    case 8: inverseSmallSpan(re: re, im: im, tr: tr, ti: ti, SIMD16<T>.self)
                    case 4: inverseSmallSpan(re: re, im: im, tr: tr, ti: ti, SIMD8<T>.self)
                    case 2: inverseSmallSpan(re: re, im: im, tr: tr, ti: ti, SIMD4<T>.self)
                    default: spanOne(re: re, im: im)
                    }
                    span /= 2
                }
            }
        }
    }

    /// Decimation-in-frequency stages `span` and `span/2` in one pass (span/2 ≥ the vector
    /// width), conjugate twiddles: for each group of 2·span points, quarters a with c by
    /// W_span^j and b with d by W_span^(j+s), then a with b and c with d by W_s^j (s = span/2).
    @inline(__always)
    func inverseFused(re: UnsafeMutablePointer<T>, im: UnsafeMutablePointer<T>, tr: UnsafePointer<T>, ti: UnsafePointer<T>, span: Int) {
        let lanes = T.Lanes.scalarCount
        let s = span / 2
        var start = 0
        while start < half {
            var j = 0
            while j < s {
                let (a, b, c, d) = (start + j, start + j + s, start + j + 2 * s, start + j + 3 * s)
                let ar: T.Lanes = DirectKernelLoops.load(re + a), ai: T.Lanes = DirectKernelLoops.load(im + a)
                let br: T.Lanes = DirectKernelLoops.load(re + b), bi: T.Lanes = DirectKernelLoops.load(im + b)
                let cr: T.Lanes = DirectKernelLoops.load(re + c), ci: T.Lanes = DirectKernelLoops.load(im + c)
                let dr: T.Lanes = DirectKernelLoops.load(re + d), di: T.Lanes = DirectKernelLoops.load(im + d)
                let w1r: T.Lanes = DirectKernelLoops.load(tr + span + j)
                let w1i: T.Lanes = .zero - DirectKernelLoops.load(ti + span + j)
                let w2r: T.Lanes = DirectKernelLoops.load(tr + span + s + j)
                let w2i: T.Lanes = .zero - DirectKernelLoops.load(ti + span + s + j)
                let w3r: T.Lanes = DirectKernelLoops.load(tr + s + j)
                let w3i: T.Lanes = .zero - DirectKernelLoops.load(ti + s + j)
                // Stage span: a with c, b with d.
                let (a1r, a1i) = (ar + cr, ai + ci)
                let (xr, xi) = (ar - cr, ai - ci)
                let (c1r, c1i) = (xr * w1r - xi * w1i, xr * w1i + xi * w1r)
                let (b1r, b1i) = (br + dr, bi + di)
                let (yr, yi) = (br - dr, bi - di)
                let (d1r, d1i) = (yr * w2r - yi * w2i, yr * w2i + yi * w2r)
                // Stage s: a with b, c with d.
                let (ur, ui) = (a1r - b1r, a1i - b1i)
                let (vr, vi) = (c1r - d1r, c1i - d1i)
                DirectKernelLoops.store(a1r + b1r, re + a)
                DirectKernelLoops.store(a1i + b1i, im + a)
                DirectKernelLoops.store(ur * w3r - ui * w3i, re + b)
                DirectKernelLoops.store(ur * w3i + ui * w3r, im + b)
                DirectKernelLoops.store(c1r + d1r, re + c)
                DirectKernelLoops.store(c1i + d1i, im + c)
                DirectKernelLoops.store(vr * w3r - vi * w3i, re + d)
                DirectKernelLoops.store(vr * w3i + vi * w3r, im + d)
                j += lanes
            }
            start += 2 * span
        }
    }

    /// One decimation-in-frequency stage whose group (2·span points) fills a vector `V`:
    /// the low half a, the high half b → a + b, (a − b)·conj(W).
    @inline(__always)
    func inverseSmallSpan<V: HalvableVector>(
        re: UnsafeMutablePointer<T>, im: UnsafeMutablePointer<T>, tr: UnsafePointer<T>, ti: UnsafePointer<T>, _: V.Type
    ) where V.Scalar == T {
        let group = V.scalarCount
        let span = group / 2
        guard group <= half else { return }
        let wr = UnsafeRawPointer(tr + span).loadUnaligned(as: V.Half.self)
        let wi = .zero - UnsafeRawPointer(ti + span).loadUnaligned(as: V.Half.self)
        var start = 0
        while start < half {
            let vr = UnsafeRawPointer(re + start).loadUnaligned(as: V.self)
            let vi = UnsafeRawPointer(im + start).loadUnaligned(as: V.self)
            let (ar, br, ai, bi) = (vr.low, vr.high, vi.low, vi.high)
            let (dr, di) = (ar - br, ai - bi)
            UnsafeMutableRawPointer(re + start).storeBytes(of: V(low: ar + br, high: dr * wr - di * wi), as: V.self)
            UnsafeMutableRawPointer(im + start).storeBytes(of: V(low: ai + bi, high: dr * wi + di * wr), as: V.self)
            start += group
        }
    }

    /// The forward transform's butterflies: radix-2 decimation in time over bit-reversed input. Stages whose
    /// span holds a whole SIMD vector run a vector of butterflies at a time; the operations per
    /// butterfly are the same either way.
    @inline(__always)
    func butterflies(re: UnsafeMutablePointer<T>, im: UnsafeMutablePointer<T>) {
        let n = half
        let lanes = T.Lanes.scalarCount
        twiddleRe.withUnsafeBufferPointer { trb in
            twiddleIm.withUnsafeBufferPointer { tib in
                let tr = trb.baseAddress!, ti = tib.baseAddress!
                var span = 1
                if n >= 2 {
                    spanOne(re: re, im: im)
                    span = 2
                }
                // Spans 2, 4 and 8: one vector holds a whole group (a, then b); its halves are
                // the butterflies' two sides.
                if span == 2 && n >= 4 {
                    smallSpan(re: re, im: im, tr: tr, ti: ti, SIMD4<T>.self)
                    span = 4
                }
                if span == 4 && n >= 8 {
                    smallSpan(re: re, im: im, tr: tr, ti: ti, SIMD8<T>.self)
                    span = 8
                }
                if span == 8 && n >= 16 {
                    smallSpan(re: re, im: im, tr: tr, ti: ti, SIMD16<T>.self)
                    span = 16
                }
                while span < n && span < lanes {
                    var start = 0
                    while start < n {
                        for j in 0..<span {
                            let wr = tr[span + j], wi = ti[span + j]
                            let a = start + j, b = a + span
                            let xr = re[b] * wr - im[b] * wi
                            let xi = re[b] * wi + im[b] * wr
                            re[b] = re[a] - xr
                            im[b] = im[a] - xi
                            re[a] = re[a] + xr
                            im[a] = im[a] + xi
                        }
                        start += 2 * span
                    }
                    span *= 2
                }
                // Two stages per pass (spans s and 2s) while both fit: each group of 4s points
                // is loaded once, both stages' butterflies run in registers, and it is stored
                // once. The operations are the two radix-2 stages' own, in their order.
                while 2 * span < n {
                    fusedStages(re: re, im: im, tr: tr, ti: ti, span: span)
                    span *= 4
                }
                while span < n {
                    var start = 0
                    while start < n {
                        var j = 0
                        while j < span {
                            let wr: T.Lanes = DirectKernelLoops.load(tr + span + j)
                            let wi: T.Lanes = DirectKernelLoops.load(ti + span + j)
                            let a = start + j, b = a + span
                            let br: T.Lanes = DirectKernelLoops.load(re + b), bi: T.Lanes = DirectKernelLoops.load(im + b)
                            let ar: T.Lanes = DirectKernelLoops.load(re + a), ai: T.Lanes = DirectKernelLoops.load(im + a)
                            let xr = br * wr - bi * wi
                            let xi = br * wi + bi * wr
                            DirectKernelLoops.store(ar - xr, re + b)
                            DirectKernelLoops.store(ai - xi, im + b)
                            DirectKernelLoops.store(ar + xr, re + a)
                            DirectKernelLoops.store(ai + xi, im + a)
                            j += lanes
                        }
                        start += 2 * span
                    }
                    span *= 2
                }
            }
        }
    }

    /// Stages `span` and `2·span` in one pass (span ≥ the vector width): for each group of
    /// 4·span points and each vector of j, quarter a with b and c with d by W_s^j, then a with
    /// c by W_2s^j and b with d by W_2s^(j+s), exactly as two radix-2 stages would.
    @inline(__always)
    func fusedStages(
        re: UnsafeMutablePointer<T>, im: UnsafeMutablePointer<T>,
        tr: UnsafePointer<T>, ti: UnsafePointer<T>, span: Int
    ) {
        let lanes = T.Lanes.scalarCount
        var start = 0
        while start < half {
            var j = 0
            while j < span {
                let (a, b, c, d) = (start + j, start + j + span, start + j + 2 * span, start + j + 3 * span)
                // Stage s: twiddle W_s^j for both pairs.
                let w1r: T.Lanes = DirectKernelLoops.load(tr + span + j)
                let w1i: T.Lanes = DirectKernelLoops.load(ti + span + j)
                let ar: T.Lanes = DirectKernelLoops.load(re + a), ai: T.Lanes = DirectKernelLoops.load(im + a)
                let br: T.Lanes = DirectKernelLoops.load(re + b), bi: T.Lanes = DirectKernelLoops.load(im + b)
                let cr: T.Lanes = DirectKernelLoops.load(re + c), ci: T.Lanes = DirectKernelLoops.load(im + c)
                let dr: T.Lanes = DirectKernelLoops.load(re + d), di: T.Lanes = DirectKernelLoops.load(im + d)
                let xr = br * w1r - bi * w1i, xi = br * w1i + bi * w1r
                let yr = dr * w1r - di * w1i, yi = dr * w1i + di * w1r
                let (a1r, a1i, b1r, b1i) = (ar + xr, ai + xi, ar - xr, ai - xi)
                let (c1r, c1i, d1r, d1i) = (cr + yr, ci + yi, cr - yr, ci - yi)
                // Stage 2s: a with c by W_2s^j, b with d by W_2s^(j+s).
                let w2r: T.Lanes = DirectKernelLoops.load(tr + 2 * span + j)
                let w2i: T.Lanes = DirectKernelLoops.load(ti + 2 * span + j)
                let w3r: T.Lanes = DirectKernelLoops.load(tr + 3 * span + j)
                let w3i: T.Lanes = DirectKernelLoops.load(ti + 3 * span + j)
                let ur = c1r * w2r - c1i * w2i, ui = c1r * w2i + c1i * w2r
                let vr = d1r * w3r - d1i * w3i, vi = d1r * w3i + d1i * w3r
                DirectKernelLoops.store(a1r + ur, re + a)
                DirectKernelLoops.store(a1i + ui, im + a)
                DirectKernelLoops.store(a1r - ur, re + c)
                DirectKernelLoops.store(a1i - ui, im + c)
                DirectKernelLoops.store(b1r + vr, re + b)
                DirectKernelLoops.store(b1i + vi, im + b)
                DirectKernelLoops.store(b1r - vr, re + d)
                DirectKernelLoops.store(b1i - vi, im + d)
                j += lanes
            }
            start += 4 * span
        }
    }

    @inline(__always)
    static func load8(_ p: UnsafePointer<T>) -> SIMD8<T> { UnsafeRawPointer(p).loadUnaligned(as: SIMD8<T>.self) }
    @inline(__always)
    static func load8(_ p: UnsafeMutablePointer<T>) -> SIMD8<T> { UnsafeRawPointer(p).loadUnaligned(as: SIMD8<T>.self) }
    @inline(__always)
    static func store8(_ v: SIMD8<T>, _ p: UnsafeMutablePointer<T>) { UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD8<T>.self) }

    /// The span-1 stage, first of the forward's and last of the inverse's: its twiddle is 1, so
    /// both directions make the same (a + b, a − b) pairs.
    @inline(__always)
    func spanOne(re: UnsafeMutablePointer<T>, im: UnsafeMutablePointer<T>) {
        var a = 0
        while a < half {
            let (br, bi) = (re[a + 1], im[a + 1])
            re[a + 1] = re[a] - br
            im[a + 1] = im[a] - bi
            re[a] = re[a] + br
            im[a] = im[a] + bi
            a += 2
        }
    }

    /// One stage whose group (2·span points) fills a vector `V`: the low half is a's side, the
    /// high half b's, with the stage's `span` twiddles.
    @inline(__always)
    func smallSpan<V: HalvableVector>(
        re: UnsafeMutablePointer<T>, im: UnsafeMutablePointer<T>,
        tr: UnsafePointer<T>, ti: UnsafePointer<T>, _: V.Type
    ) where V.Scalar == T {
        let group = V.scalarCount
        let span = group / 2
        let wr = UnsafeRawPointer(tr + span).loadUnaligned(as: V.Half.self)
        let wi = UnsafeRawPointer(ti + span).loadUnaligned(as: V.Half.self)
        var start = 0
        while start < half {
            let vr = UnsafeRawPointer(re + start).loadUnaligned(as: V.self)
            let vi = UnsafeRawPointer(im + start).loadUnaligned(as: V.self)
            let (ar, br, ai, bi) = (vr.low, vr.high, vi.low, vi.high)
            let xr = br * wr - bi * wi
            let xi = br * wi + bi * wr
            UnsafeMutableRawPointer(re + start).storeBytes(of: V(low: ar + xr, high: ar - xr), as: V.self)
            UnsafeMutableRawPointer(im + start).storeBytes(of: V(low: ai + xi, high: ai - xi), as: V.self)
            start += group
        }
    }
}

/// A SIMD vector made of two halves (SIMD4, SIMD8, SIMD16), for the FFT's small stages.
protocol HalvableVector: SIMD where Scalar: FloatingPoint {
    associatedtype Half: SIMD where Half.Scalar == Scalar
    var low: Half { get }
    var high: Half { get }
    init(low: Half, high: Half)
}

extension SIMD4: HalvableVector where Scalar: FloatingPoint {
    var low: SIMD2<Scalar> { lowHalf }
    var high: SIMD2<Scalar> { highHalf }
    init(low: SIMD2<Scalar>, high: SIMD2<Scalar>) { self.init(lowHalf: low, highHalf: high) }
}

extension SIMD8: HalvableVector where Scalar: FloatingPoint {
    var low: SIMD4<Scalar> { lowHalf }
    var high: SIMD4<Scalar> { highHalf }
    init(low: SIMD4<Scalar>, high: SIMD4<Scalar>) { self.init(lowHalf: low, highHalf: high) }
}

extension SIMD16: HalvableVector where Scalar: FloatingPoint {
    var low: SIMD8<Scalar> { lowHalf }
    var high: SIMD8<Scalar> { highHalf }
    init(low: SIMD8<Scalar>, high: SIMD8<Scalar>) { self.init(lowHalf: low, highHalf: high) }
}

extension SIMD8 {
    /// The lanes in reverse order (the split step's run of m = n − k, read upwards).
    @inline(__always)
    var reversedLanes: SIMD8 { SIMD8(self[7], self[6], self[5], self[4], self[3], self[2], self[1], self[0]) }
}
