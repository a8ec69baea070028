/// A real-input FFT of a power-of-two size, in pure Swift (no C library, no FFTW): its bits
/// are fixed by this code alone, the same for every instance, alignment and CPU.
///
/// Size `M = 2N`: the M real samples are read as N complex points (even samples real, odd
/// imaginary), transformed by a complex FFT, and split into the M/2 + 1 bins of the real
/// spectrum. The complex FFT is radix 4: the forward decimates in frequency (natural order
/// in, bit-reversed out), passes of two stages each over memory, a radix-2 pass first when
/// the stage count calls for one, and its last four stages inside each 16-point vector; the
/// inverse runs the same passes backwards, decimating in time. Every pass works on vectors
/// of 16 points, so the operations per point, hence the bits, do not depend on the CPU.
///
/// A convolution multiplies spectra bin by bin, which does not care where each bin is
/// kept, so the FFT engine keeps its spectra in the transform's own ``SpectrumOrder/bitReversed``
/// order and no pass is spent permuting; ``SpectrumOrder/natural`` (the default) puts bin k
/// at index k. Spectra are kept split (real parts, imaginary parts) so that a spectrum
/// times another runs over plain arrays. Twiddles are computed in Double and rounded once.
///
/// `forward` gives X[k] = Σ x[n]·e^(−2πikn/M), k = 0…M/2. `inverse` gives M·x from such a
/// spectrum (unnormalised; a caller folds 1/M into its filter spectra, an exact power of two).
public struct RealFFT<T: ConvScalar>: Sendable {
    /// Where bin k of a spectrum is kept.
    public enum SpectrumOrder: Sendable {
        /// Bin k at index k, k = 0…M/2.
        case natural
        /// Bin k at index bitReverse(k) over log2(M/2) bits for k < M/2, the bin M/2 at
        /// index M/2: the order the transform produces, for spectra that are only multiplied
        /// bin by bin.
        case bitReversed
    }

    /// The in-vector stages' lane masks. Unchecked: the stdlib cannot prove a generic
    /// scalar's mask storage Sendable; these are immutable values made at `init`.
    struct LaneMasks: @unchecked Sendable {
        let m8, m4, m2, m1: SIMDMask<SIMD16<T>.MaskStorage>
    }

    /// One radix-4 pass: its quarter q (the group is 4q points) and where its twiddles
    /// W_4q^j, W_4q^2j, W_4q^3j (j < q, each split into real and imaginary runs) start.
    struct Pass: Sendable {
        let quarter: Int
        let offset: Int
    }

    /// Real samples per transform, M.
    public let size: Int
    /// N = M / 2: complex points of the inner FFT.
    let half: Int
    /// Whether the forward starts (and the inverse ends) with a radix-2 pass of span N/2.
    let radix2: Bool
    /// The radix-4 passes in the forward's order (quarters N/4 or N/8, then ÷4 down to 16).
    let passes: [Pass]
    /// The passes' twiddles: the radix-2 pass's W_N^j (j < N/2) at 0, then each radix-4
    /// pass's at its offset, per run of 16 j: the radix-2 pass's real then imaginary parts,
    /// a radix-4 pass's W^j, W^2j, W^3j real and imaginary (96 values a run). Below 16
    /// points, each radix-2 stage s's W_2s^j: real parts at [2s, 3s), imaginary at [3s, 4s).
    let twiddles: [T]
    /// The four in-vector stages' twiddles, 16 lanes each: spans 8, 4 and 2 (real, then
    /// imaginary), each lane on a stage's b side holding W_2s^(lane mod s).
    let lastTwiddles: [T]
    /// The in-vector stages' b lanes, spans 8, 4, 2, 1 (``highLanes(_:)``).
    let laneMasks: LaneMasks
    /// e^(−2πik/M) for the bin k kept at each index (bit-reversed order), split: the
    /// real-spectrum split step.
    let splitRe: [T]
    let splitIm: [T]
    /// Bit-reversal permutation of 0..<N.
    let reversed: [Int32]

    /// The radix-2 pass and radix-4 passes of an N-point complex FFT whose last four stages
    /// run inside vectors (N ≥ 16), with the twiddle count they need.
    static func plan(half n: Int) -> (radix2: Bool, passes: [Pass], twiddles: Int) {
        guard n >= 16 else { return (false, [], 2 * n) }
        var stages = 0
        while 1 << stages < n { stages += 1 }
        let radix2 = (stages - 4) % 2 == 1
        var offset = radix2 ? n : 0
        var span = radix2 ? n / 4 : n / 2
        var passes: [Pass] = []
        while span >= 32 {
            let q = span / 2
            passes.append(Pass(quarter: q, offset: offset))
            offset += 6 * q
            span /= 4
        }
        return (radix2, passes, offset)
    }

    /// Bytes of the tables an FFT of `size` points holds (twiddles, split factors, bit
    /// reversal), as ``init(size:)`` allocates them.
    static func tableBytes(size: Int, scalarSize: Int) -> Int {
        let n = size / 2
        let twiddles = plan(half: n).twiddles
        return Saturating.sum([Saturating.product([twiddles + 2 * (n + 1) + 6 * 16, scalarSize]), Saturating.product([n, 4])])
    }

    /// Bytes of this FFT's tables, counted from the tables themselves.
    var tableBytes: Int {
        (twiddles.count + lastTwiddles.count + splitRe.count + splitIm.count) * MemoryLayout<T>.stride + reversed.count * 4
    }

    /// An FFT of `size` real samples (a power of two, at least 4).
    public init(size: Int) {
        precondition(size >= 4 && size & (size - 1) == 0, "RealFFT size must be a power of two ≥ 4")
        self.size = size
        let n = size / 2
        half = n
        let plan = Self.plan(half: n)
        radix2 = plan.radix2
        passes = plan.passes
        // W_span^k as e^(−2πik/span), each rounded once from Double.
        func w(_ k: Int, _ span: Int) -> (T, T) {
            let angle = -2 * Double.pi * Double(k) / Double(span)
            return (T(Self.cosine(angle)), T(Self.sine(angle)))
        }
        var tw = [T](repeating: 0, count: plan.twiddles)
        if n < 16 {
            // Stage s (span s, W_2s^j for j < s): real parts at [2s, 3s), imaginary at [3s, 4s).
            var s = 1
            while s < n {
                for j in 0..<s { (tw[2 * s + j], tw[3 * s + j]) = w(j, 2 * s) }
                s *= 2
            }
        } else {
            // Interleaved per run of 16 j (one stream of twiddles per pass, not two or six
            // whose strides would alias in the cache with the points' own).
            if radix2 {
                for j in 0..<(n / 2) {
                    let at = 2 * (j & ~15) + (j & 15)
                    (tw[at], tw[at + 16]) = w(j, n)
                }
            }
            for pass in passes {
                let q = pass.quarter, o = pass.offset
                for j in 0..<q {
                    let at = o + 6 * (j & ~15) + (j & 15)
                    (tw[at], tw[at + 16]) = w(j, 4 * q)
                    (tw[at + 32], tw[at + 48]) = w(2 * j, 4 * q)
                    (tw[at + 64], tw[at + 80]) = w(3 * j, 4 * q)
                }
            }
        }
        twiddles = tw
        var last = [T](repeating: 0, count: 6 * 16)
        for (index, span) in [8, 4, 2].enumerated() {
            for lane in 0..<16 where lane & span != 0 {
                (last[32 * index + lane], last[32 * index + 16 + lane]) = w(lane & (span - 1), 2 * span)
            }
        }
        lastTwiddles = last
        laneMasks = LaneMasks(m8: Self.highLanes(8), m4: Self.highLanes(4), m2: Self.highLanes(2), m1: Self.highLanes(1))
        var bits = 0
        while 1 << bits < n { bits += 1 }
        let rev = (0..<n).map { i in
            var r = 0
            for b in 0..<bits where i & (1 << b) != 0 { r |= 1 << (bits - 1 - b) }
            return Int32(r)
        }
        reversed = rev
        var sr = [T](), si = [T]()
        for p in 0...n {
            let (c, s) = w(p < n ? Int(rev[p]) : n, size)
            sr.append(c)
            si.append(s)
        }
        splitRe = sr
        splitIm = si
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

    /// Transforms `input` (M real samples) into `re`, `im` (M/2 + 1 bins each, kept in
    /// `order`). `re` and `im` also serve as the inner FFT's working arrays. Allocates nothing.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func forward(_ input: UnsafePointer<T>, re: UnsafeMutablePointer<T>, im: UnsafeMutablePointer<T>, order: SpectrumOrder = .natural) {
        let n = half
        if n < 16 {
            for j in 0..<n { (re[j], im[j]) = (input[2 * j], input[2 * j + 1]) }
            smallForward(re: re, im: im)
        } else {
            let source = InterleavedSource(x: input), points = SplitPoints(re: re, im: im)
            twiddles.withUnsafeBufferPointer { table in
                let tw = table.baseAddress!
                var fromInput = true
                if radix2 {
                    radix2Forward(source, points, tw: tw)
                    fromInput = false
                }
                for pass in passes {
                    if fromInput {
                        radix4Forward(source, points, q: pass.quarter, tw: tw + pass.offset)
                        fromInput = false
                    } else {
                        radix4Forward(points, points, q: pass.quarter, tw: tw + pass.offset)
                    }
                }
                if fromInput { lastStagesForward(source, points) } else { lastStagesForward(points, points) }
            }
        }
        splitForward(re: re, im: im)
        if order == .natural { permute(re: re, im: im) }
    }

    /// M·x from the M/2 + 1 bins in `re`, `im` (kept in `order`; it overwrites them), into
    /// `output` (M reals). Allocates nothing.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func inverse(re: UnsafeMutablePointer<T>, im: UnsafeMutablePointer<T>, output: UnsafeMutablePointer<T>, order: SpectrumOrder = .natural) {
        let n = half
        if order == .natural { permute(re: re, im: im) }
        splitInverse(re: re, im: im)
        if n < 16 {
            smallInverse(re: re, im: im)
            for j in 0..<n { (output[2 * j], output[2 * j + 1]) = (re[j], im[j]) }
            return
        }
        let points = SplitPoints(re: re, im: im), sink = InterleavedSink(y: output)
        twiddles.withUnsafeBufferPointer { table in
            let tw = table.baseAddress!
            if passes.isEmpty && !radix2 {
                firstStagesInverse(points, sink)
                return
            }
            firstStagesInverse(points, points)
            for (index, pass) in passes.reversed().enumerated() {
                if index == passes.count - 1 && !radix2 {
                    radix4Inverse(points, sink, q: pass.quarter, tw: tw + pass.offset)
                } else {
                    radix4Inverse(points, points, q: pass.quarter, tw: tw + pass.offset)
                }
            }
            if radix2 { radix2Inverse(points, sink, tw: tw) }
        }
    }

    /// Bit-reversed order to natural or back (the permutation is its own inverse), the bin
    /// M/2 staying at M/2.
    func permute(re: UnsafeMutablePointer<T>, im: UnsafeMutablePointer<T>) {
        reversed.withUnsafeBufferPointer { rev in
            for i in 0..<half {
                let r = Int(rev[i])
                if i < r {
                    (re[i], re[r]) = (re[r], re[i])
                    (im[i], im[r]) = (im[r], im[i])
                }
            }
        }
    }

    /// Below 16 points: radix-2 decimation in frequency, one stage at a time, in place.
    func smallForward(re: UnsafeMutablePointer<T>, im: UnsafeMutablePointer<T>) {
        var s = half / 2
        while s >= 1 {
            var start = 0
            while start < half {
                for j in 0..<s {
                    let (a, b) = (start + j, start + j + s)
                    let (wr, wi) = (twiddles[2 * s + j], twiddles[3 * s + j])
                    let (dr, di) = (re[a] - re[b], im[a] - im[b])
                    (re[a], im[a]) = (re[a] + re[b], im[a] + im[b])
                    (re[b], im[b]) = (dr * wr - di * wi, dr * wi + di * wr)
                }
                start += 2 * s
            }
            s /= 2
        }
    }

    /// Below 16 points: radix-2 decimation in time with conjugate twiddles, in place.
    func smallInverse(re: UnsafeMutablePointer<T>, im: UnsafeMutablePointer<T>) {
        var s = 1
        while s < half {
            var start = 0
            while start < half {
                for j in 0..<s {
                    let (a, b) = (start + j, start + j + s)
                    let (wr, wi) = (twiddles[2 * s + j], twiddles[3 * s + j])
                    let xr = re[b] * wr + im[b] * wi, xi = im[b] * wr - re[b] * wi
                    (re[b], im[b]) = (re[a] - xr, im[a] - xi)
                    (re[a], im[a]) = (re[a] + xr, im[a] + xi)
                }
                start += 2 * s
            }
            s *= 2
        }
    }

    /// The real spectrum from the complex one, in bit-reversed order: X[k] = (Z[k] + Z*[N−k])/2
    /// + W^k (Z[k] − Z*[N−k])/(2i), W = e^(−2πi/M). In bit-reversed order the partner N − k
    /// of the bin at index p in [b, 2b) (b a power of two) sits at 3b − 1 − p, so each octave
    /// pairs its lower half with its upper half read backwards.
    @inline(__always)
    func splitForward(re: UnsafeMutablePointer<T>, im: UnsafeMutablePointer<T>) {
        let n = half
        splitRe.withUnsafeBufferPointer { wrb in
            splitIm.withUnsafeBufferPointer { wib in
                let (wr, wi) = (wrb.baseAddress!, wib.baseAddress!)
                let z0r = re[0], z0i = im[0]
                re[0] = z0r + z0i
                im[0] = 0
                re[n] = z0r - z0i
                im[n] = 0
                var base = 1
                while base < n {
                    var k = base
                    if base >= 16 {
                        // Eight bins with their eight partners (a reversed vector) at a time;
                        // each bin gets the scalar loop's operations.
                        while k < base + base / 2 {
                            let m = 3 * base - 8 - k
                            let (ar, ai) = (Self.load8(re + k), Self.load8(im + k))
                            let (br, bi) = (Self.load8(re + m).reversedLanes, Self.load8(im + m).reversedLanes)
                            let er = (ar + br) * 0.5, ei = (ai - bi) * 0.5
                            let or = (ai + bi) * 0.5, oi = (br - ar) * 0.5
                            let (cr, ci) = (Self.load8(wr + k), Self.load8(wi + k))
                            let (dr, di) = (Self.load8(wr + m).reversedLanes, Self.load8(wi + m).reversedLanes)
                            Self.store8(er + (cr * or - ci * oi), re + k)
                            Self.store8(ei + (cr * oi + ci * or), im + k)
                            Self.store8((er + (dr * or + di * oi)).reversedLanes, re + m)
                            Self.store8((-ei + (di * or - dr * oi)).reversedLanes, im + m)
                            k += 8
                        }
                    } else {
                        while k <= 3 * base - 1 - k {
                            let m = 3 * base - 1 - k
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
                    base *= 2
                }
            }
        }
    }

    /// The complex spectrum 2Z back from the real one, in bit-reversed order (the split
    /// step's inverse, octave by octave as there): Z[k] = E[k] + i·O[k] with
    /// 2E = X[k] + X*[N−k], 2O = (X[k] − X*[N−k])·conj(W^k); the inner inverse FFT of 2Z is M·x.
    @inline(__always)
    func splitInverse(re: UnsafeMutablePointer<T>, im: UnsafeMutablePointer<T>) {
        let n = half
        splitRe.withUnsafeBufferPointer { wrb in
            splitIm.withUnsafeBufferPointer { wib in
                let (wr, wi) = (wrb.baseAddress!, wib.baseAddress!)
                let x0 = re[0], xn = re[n]
                re[0] = x0 + xn
                im[0] = x0 - xn
                var base = 1
                while base < n {
                    var k = base
                    if base >= 16 {
                        while k < base + base / 2 {
                            let m = 3 * base - 8 - k
                            let (ar, ai) = (Self.load8(re + k), Self.load8(im + k))
                            let (br, bi) = (Self.load8(re + m).reversedLanes, Self.load8(im + m).reversedLanes)
                            let er = ar + br, ei = ai - bi
                            let dr = ar - br, di = ai + bi
                            let (cr, ci) = (Self.load8(wr + k), Self.load8(wi + k))
                            let or = dr * cr + di * ci, oi = di * cr - dr * ci
                            Self.store8(er - oi, re + k)
                            Self.store8(ei + or, im + k)
                            let (fr, fi) = (Self.load8(wr + m).reversedLanes, Self.load8(wi + m).reversedLanes)
                            let er2 = br + ar, ei2 = bi - ai
                            let dr2 = br - ar, di2 = bi + ai
                            let or2 = dr2 * fr + di2 * fi, oi2 = di2 * fr - dr2 * fi
                            Self.store8((er2 - oi2).reversedLanes, re + m)
                            Self.store8((ei2 + or2).reversedLanes, im + m)
                            k += 8
                        }
                    } else {
                        while k <= 3 * base - 1 - k {
                            let m = 3 * base - 1 - k
                            let (ar, ai, br, bi) = (re[k], im[k], re[m], im[m])
                            let er = ar + br, ei = ai - bi
                            let dr = ar - br, di = ai + bi
                            // O = D·conj(W^k); Z[k] = E + iO.
                            let (cr, ci) = (wr[k], wi[k])
                            let or = dr * cr + di * ci, oi = di * cr - dr * ci
                            re[k] = er - oi
                            im[k] = ei + or
                            // Z[m] the same way from X[m] and X*[k].
                            let (fr, fi) = (wr[m], wi[m])
                            let er2 = br + ar, ei2 = bi - ai
                            let dr2 = br - ar, di2 = bi + ai
                            let or2 = dr2 * fr + di2 * fi, oi2 = di2 * fr - dr2 * fi
                            re[m] = er2 - oi2
                            im[m] = ei2 + or2
                            k += 1
                        }
                    }
                    base *= 2
                }
            }
        }
    }

    @inline(__always)
    static func load8(_ p: UnsafePointer<T>) -> SIMD8<T> { UnsafeRawPointer(p).loadUnaligned(as: SIMD8<T>.self) }
    @inline(__always)
    static func load8(_ p: UnsafeMutablePointer<T>) -> SIMD8<T> { UnsafeRawPointer(p).loadUnaligned(as: SIMD8<T>.self) }
    @inline(__always)
    static func store8(_ v: SIMD8<T>, _ p: UnsafeMutablePointer<T>) { UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD8<T>.self) }
}

extension SIMD8 {
    /// The lanes in reverse order (the split step's partner run, read upwards).
    @inline(__always)
    var reversedLanes: SIMD8 { SIMD8(self[7], self[6], self[5], self[4], self[3], self[2], self[1], self[0]) }
}
