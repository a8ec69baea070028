/// The complex FFT's passes over memory. A pass reads its points from a source and writes
/// them, at the same indices, to a sink: the forward's first pass reads the real input
/// straight as complex points (even samples real, odd imaginary) and the inverse's last
/// writes them back interleaved, so neither needs a packing pass of its own.
///
/// Every pass works on vectors of 16 points (``RealFFT/V``), for Float and Double alike, so
/// the operations on each point, and therefore the bits, do not depend on the CPU's vector
/// width.
extension RealFFT {
    typealias V = SIMD16<T>

    /// Decimation-in-frequency radix-2 stage of span N/2 (the forward's first pass when the
    /// stages above the last four are odd in number): a + b, (a − b)·W_N^j.
    @inline(__always)
    func radix2Forward<Source: FFTPointSource, Sink: FFTPointSink>(_ source: Source, _ sink: Sink, tw: UnsafePointer<T>)
    where Source.Scalar == T, Sink.Scalar == T {
        let s = half / 2
        var j = 0
        while j < s {
            let (ar, ai) = source.load(j)
            let (br, bi) = source.load(j + s)
            let (wr, wi) = (Self.load(tw + 2 * j), Self.load(tw + 2 * j + 16))
            let (dr, di) = (ar - br, ai - bi)
            sink.store(j, ar + br, ai + bi)
            sink.store(j + s, dr * wr - di * wi, dr * wi + di * wr)
            j += 16
        }
    }

    /// Decimation-in-time radix-2 stage of span N/2 with conjugate twiddles (the inverse's
    /// last pass when the forward's first was radix 2): b' = b·conj(W_N^j), a + b', a − b'.
    @inline(__always)
    func radix2Inverse<Source: FFTPointSource, Sink: FFTPointSink>(_ source: Source, _ sink: Sink, tw: UnsafePointer<T>)
    where Source.Scalar == T, Sink.Scalar == T {
        let s = half / 2
        var j = 0
        while j < s {
            let (ar, ai) = source.load(j)
            let (br, bi) = source.load(j + s)
            let (wr, wi) = (Self.load(tw + 2 * j), Self.load(tw + 2 * j + 16))
            let xr = br * wr + bi * wi, xi = bi * wr - br * wi
            sink.store(j, ar + xr, ai + xi)
            sink.store(j + s, ar - xr, ai - xi)
            j += 16
        }
    }

    /// Two decimation-in-frequency stages (spans 2q and q) as one radix-4 pass: for each
    /// group of 4q points and j < q, with a, b, c, d the points j, j + q, j + 2q, j + 3q and
    /// W = W_4q: t0 = a + c, t1 = a − c, t2 = b + d, t3 = −i(b − d); a ← t0 + t2,
    /// b ← (t0 − t2)·W^2j, c ← (t1 + t3)·W^j, d ← (t1 − t3)·W^3j. That is the two radix-2
    /// stages' result (in their bit-reversed order) with three twiddle products, not four.
    @inline(__always)
    func radix4Forward<Source: FFTPointSource, Sink: FFTPointSink>(_ source: Source, _ sink: Sink, q: Int, tw: UnsafePointer<T>)
    where Source.Scalar == T, Sink.Scalar == T {
        var start = 0
        while start < half {
            var j = 0
            while j < q {
                let (a, b, c, d) = (start + j, start + j + q, start + j + 2 * q, start + j + 3 * q)
                let (ar, ai) = source.load(a)
                let (cr, ci) = source.load(c)
                let (br, bi) = source.load(b)
                let (dr, di) = source.load(d)
                let (t0r, t0i, t1r, t1i) = (ar + cr, ai + ci, ar - cr, ai - ci)
                let (t2r, t2i, ur, ui) = (br + dr, bi + di, br - dr, bi - di)
                // t3 = −i·u = (ui, −ur).
                let (yr, yi) = (t0r - t2r, t0i - t2i)
                let (pr, pi) = (t1r + ui, t1i - ur)
                let (mr, mi) = (t1r - ui, t1i + ur)
                let w = tw + 6 * j
                let (w1r, w1i) = (Self.load(w), Self.load(w + 16))
                let (w2r, w2i) = (Self.load(w + 32), Self.load(w + 48))
                let (w3r, w3i) = (Self.load(w + 64), Self.load(w + 80))
                sink.store(a, t0r + t2r, t0i + t2i)
                sink.store(b, yr * w2r - yi * w2i, yr * w2i + yi * w2r)
                sink.store(c, pr * w1r - pi * w1i, pr * w1i + pi * w1r)
                sink.store(d, mr * w3r - mi * w3i, mr * w3i + mi * w3r)
                j += 16
            }
            start += 4 * q
        }
    }

    /// The inverse's radix-4 pass, two decimation-in-time stages (spans q and 2q) with
    /// conjugate twiddles V = conj(W_4q): B = b·V^2j, C = c·V^j, D = d·V^3j; t0 = a + B,
    /// t1 = a − B, t2 = C + D, t3 = i(C − D); a ← t0 + t2, c ← t0 − t2, b ← t1 + t3,
    /// d ← t1 − t3.
    @inline(__always)
    func radix4Inverse<Source: FFTPointSource, Sink: FFTPointSink>(_ source: Source, _ sink: Sink, q: Int, tw: UnsafePointer<T>)
    where Source.Scalar == T, Sink.Scalar == T {
        var start = 0
        while start < half {
            var j = 0
            while j < q {
                let (a, b, c, d) = (start + j, start + j + q, start + j + 2 * q, start + j + 3 * q)
                let (ar, ai) = source.load(a)
                let (br0, bi0) = source.load(b)
                let (cr0, ci0) = source.load(c)
                let (dr0, di0) = source.load(d)
                let w = tw + 6 * j
                let (w1r, w1i) = (Self.load(w), Self.load(w + 16))
                let (w2r, w2i) = (Self.load(w + 32), Self.load(w + 48))
                let (w3r, w3i) = (Self.load(w + 64), Self.load(w + 80))
                let (br, bi) = (br0 * w2r + bi0 * w2i, bi0 * w2r - br0 * w2i)
                let (cr, ci) = (cr0 * w1r + ci0 * w1i, ci0 * w1r - cr0 * w1i)
                let (dr, di) = (dr0 * w3r + di0 * w3i, di0 * w3r - dr0 * w3i)
                let (t0r, t0i, t1r, t1i) = (ar + br, ai + bi, ar - br, ai - bi)
                let (t2r, t2i, ur, ui) = (cr + dr, ci + di, cr - dr, ci - di)
                // t3 = i·u = (−ui, ur).
                sink.store(a, t0r + t2r, t0i + t2i)
                sink.store(c, t0r - t2r, t0i - t2i)
                sink.store(b, t1r - ui, t1i + ur)
                sink.store(d, t1r + ui, t1i - ur)
                j += 16
            }
            start += 4 * q
        }
    }

    /// The forward's last four stages (spans 8, 4, 2, 1) inside each vector of 16 points:
    /// per stage, each lane meets its partner (lane ^ span) in a permuted copy; a lanes take
    /// a + b, b lanes (a − b)·W_2s^(lane mod s) (span 1's twiddle is 1, no product).
    @inline(__always)
    func lastStagesForward<Source: FFTPointSource, Sink: FFTPointSink>(_ source: Source, _ sink: Sink)
    where Source.Scalar == T, Sink.Scalar == T {
        let (w8r, w8i, w4r, w4i, w2r, w2i) = lastTwiddles.withUnsafeBufferPointer { tw in
            let p = tw.baseAddress!
            return (Self.load(p), Self.load(p + 16), Self.load(p + 32), Self.load(p + 48), Self.load(p + 64), Self.load(p + 80))
        }
        let (m8, m4, m2, m1) = (laneMasks.m8, laneMasks.m4, laneMasks.m2, laneMasks.m1)
        var g = 0
        while g < half {
            var (vr, vi) = source.load(g)
            (vr, vi) = Self.forwardStage(vr, vi, swap: Self.swap8, mask: m8, wr: w8r, wi: w8i)
            (vr, vi) = Self.forwardStage(vr, vi, swap: Self.swap4, mask: m4, wr: w4r, wi: w4i)
            (vr, vi) = Self.forwardStage(vr, vi, swap: Self.swap2, mask: m2, wr: w2r, wi: w2i)
            let (tr, ti) = (Self.swap1(vr), Self.swap1(vi))
            let (sr, si, dr, di) = (vr + tr, vi + ti, tr - vr, ti - vi)
            sink.store(g, sr.replacing(with: dr, where: m1), si.replacing(with: di, where: m1))
            g += 16
        }
    }

    /// The inverse's first four stages (spans 1, 2, 4, 8) inside each vector of 16 points,
    /// decimation in time with conjugate twiddles: b lanes are first turned by their twiddle,
    /// then a lanes take a + b', b lanes a − b'.
    @inline(__always)
    func firstStagesInverse<Source: FFTPointSource, Sink: FFTPointSink>(_ source: Source, _ sink: Sink)
    where Source.Scalar == T, Sink.Scalar == T {
        let (w8r, w8i, w4r, w4i, w2r, w2i) = lastTwiddles.withUnsafeBufferPointer { tw in
            let p = tw.baseAddress!
            return (Self.load(p), Self.load(p + 16), Self.load(p + 32), Self.load(p + 48), Self.load(p + 64), Self.load(p + 80))
        }
        let (m8, m4, m2, m1) = (laneMasks.m8, laneMasks.m4, laneMasks.m2, laneMasks.m1)
        var g = 0
        while g < half {
            var (vr, vi) = source.load(g)
            let (tr, ti) = (Self.swap1(vr), Self.swap1(vi))
            (vr, vi) = ((vr + tr).replacing(with: tr - vr, where: m1), (vi + ti).replacing(with: ti - vi, where: m1))
            (vr, vi) = Self.inverseStage(vr, vi, swap: Self.swap2, mask: m2, wr: w2r, wi: w2i)
            (vr, vi) = Self.inverseStage(vr, vi, swap: Self.swap4, mask: m4, wr: w4r, wi: w4i)
            (vr, vi) = Self.inverseStage(vr, vi, swap: Self.swap8, mask: m8, wr: w8r, wi: w8i)
            sink.store(g, vr, vi)
            g += 16
        }
    }

    @inline(__always)
    static func forwardStage(_ vr: V, _ vi: V, swap: (V) -> V, mask: SIMDMask<V.MaskStorage>, wr: V, wi: V) -> (V, V) {
        let (tr, ti) = (swap(vr), swap(vi))
        let (sr, si, dr, di) = (vr + tr, vi + ti, tr - vr, ti - vi)
        return (sr.replacing(with: dr * wr - di * wi, where: mask), si.replacing(with: dr * wi + di * wr, where: mask))
    }

    @inline(__always)
    static func inverseStage(_ vr: V, _ vi: V, swap: (V) -> V, mask: SIMDMask<V.MaskStorage>, wr: V, wi: V) -> (V, V) {
        let mr = vr.replacing(with: vr * wr + vi * wi, where: mask)
        let mi = vi.replacing(with: vi * wr - vr * wi, where: mask)
        let (tr, ti) = (swap(mr), swap(mi))
        return ((mr + tr).replacing(with: tr - mr, where: mask), (mi + ti).replacing(with: ti - mi, where: mask))
    }

    /// Lanes whose index has the bit `span`: the b side of that stage's butterflies. Made
    /// once per transform (``laneMasks``): a SIMD comparison is a loop over lanes.
    static func highLanes(_ span: Int) -> SIMDMask<V.MaskStorage> {
        var flags = V.zero
        for lane in 0..<16 where lane & span != 0 { flags[lane] = 1 }
        return flags .!= V.zero
    }

    @inline(__always)
    static func swap8(_ v: V) -> V { V(lowHalf: v.highHalf, highHalf: v.lowHalf) }
    @inline(__always)
    static func swap4(_ v: V) -> V {
        V(v[4], v[5], v[6], v[7], v[0], v[1], v[2], v[3], v[12], v[13], v[14], v[15], v[8], v[9], v[10], v[11])
    }
    @inline(__always)
    static func swap2(_ v: V) -> V {
        V(v[2], v[3], v[0], v[1], v[6], v[7], v[4], v[5], v[10], v[11], v[8], v[9], v[14], v[15], v[12], v[13])
    }
    @inline(__always)
    static func swap1(_ v: V) -> V {
        V(v[1], v[0], v[3], v[2], v[5], v[4], v[7], v[6], v[9], v[8], v[11], v[10], v[13], v[12], v[15], v[14])
    }

    @inline(__always)
    static func load(_ p: UnsafePointer<T>) -> V { UnsafeRawPointer(p).loadUnaligned(as: V.self) }
}

/// Where a pass reads its complex points, 16 at a time.
protocol FFTPointSource {
    associatedtype Scalar: ConvScalar
    func load(_ index: Int) -> (SIMD16<Scalar>, SIMD16<Scalar>)
}

/// Where a pass writes its complex points, 16 at a time.
protocol FFTPointSink {
    associatedtype Scalar: ConvScalar
    func store(_ index: Int, _ re: SIMD16<Scalar>, _ im: SIMD16<Scalar>)
}

/// Points kept split: real parts in one array, imaginary parts in another.
struct SplitPoints<Scalar: ConvScalar>: FFTPointSource, FFTPointSink {
    let re: UnsafeMutablePointer<Scalar>
    let im: UnsafeMutablePointer<Scalar>

    @inline(__always)
    func load(_ index: Int) -> (SIMD16<Scalar>, SIMD16<Scalar>) {
        (UnsafeRawPointer(re + index).loadUnaligned(as: SIMD16<Scalar>.self), UnsafeRawPointer(im + index).loadUnaligned(as: SIMD16<Scalar>.self))
    }

    @inline(__always)
    func store(_ index: Int, _ r: SIMD16<Scalar>, _ i: SIMD16<Scalar>) {
        UnsafeMutableRawPointer(re + index).storeBytes(of: r, as: SIMD16<Scalar>.self)
        UnsafeMutableRawPointer(im + index).storeBytes(of: i, as: SIMD16<Scalar>.self)
    }
}

/// A real signal read as complex points: point j is (x[2j], x[2j + 1]).
struct InterleavedSource<Scalar: ConvScalar>: FFTPointSource {
    let x: UnsafePointer<Scalar>

    @inline(__always)
    func load(_ index: Int) -> (SIMD16<Scalar>, SIMD16<Scalar>) {
        let v = UnsafeRawPointer(x + 2 * index).loadUnaligned(as: SIMD32<Scalar>.self)
        return (v.evenHalf, v.oddHalf)
    }
}

/// Complex points written back as a real signal: point j to (y[2j], y[2j + 1]).
struct InterleavedSink<Scalar: ConvScalar>: FFTPointSink {
    let y: UnsafeMutablePointer<Scalar>

    @inline(__always)
    func store(_ index: Int, _ r: SIMD16<Scalar>, _ i: SIMD16<Scalar>) {
        let low = SIMD16<Scalar>(r[0], i[0], r[1], i[1], r[2], i[2], r[3], i[3], r[4], i[4], r[5], i[5], r[6], i[6], r[7], i[7])
        let high = SIMD16<Scalar>(r[8], i[8], r[9], i[9], r[10], i[10], r[11], i[11], r[12], i[12], r[13], i[13], r[14], i[14], r[15], i[15])
        UnsafeMutableRawPointer(y + 2 * index).storeBytes(of: low, as: SIMD16<Scalar>.self)
        UnsafeMutableRawPointer(y + 2 * index + 16).storeBytes(of: high, as: SIMD16<Scalar>.self)
    }
}
