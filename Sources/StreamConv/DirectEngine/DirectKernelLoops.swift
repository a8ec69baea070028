/// The pointer loops of ``DirectConv1dEngine``, kept apart so all unsafe arithmetic is in one place.
///
/// Register-blocked: a block of outputs lives in SIMD accumulators (``ConvScalar/Lanes``)
/// while every (input channel, tap) term is added into it, instead of a row in memory that is
/// reloaded and stored for every tap. Every path, vector or scalar, main or remainder, adds the
/// same terms in the same order, each as the ``KernelArithmetic`` `A` says (separate multiply
/// and add, which Swift never contracts, or one fused multiply-add), so an output has the same
/// bits wherever it falls in a call, on any CPU and any build target.
enum DirectKernelLoops {
    /// Outputs per time tile: a dense layer's input for one tile (channels × (tile + receptive
    /// field)) stays in L2 while every block of output channels reads it.
    /// A multiple of the eight-channel block's 48 (Float) and 24 (Double) outputs and of the
    /// four-channel block's 64 and 32, so only a call's last tile ends in an overlapped block.
    static let timeTile = 960

    @_specialize(where T == Float, A == UnfusedArithmetic)
    @_specialize(where T == Double, A == UnfusedArithmetic)
    @_specialize(where T == Float, A == FusedArithmetic)
    @_specialize(where T == Double, A == FusedArithmetic)
    /// Stride-1 convolutions: time tiles, groups, then blocks of eight output channels, four, or one.
    static func run<T: ConvScalar, A: KernelArithmetic>(
        _: A.Type,
        weight: UnsafePointer<T>, bias: [T]?,
        inPerGroup: Int, outPerGroup: Int, groups: Int, kernelSize: Int, dilation: Int,
        input: UnsafePointer<T>, inputStride: Int,
        output: UnsafeMutablePointer<T>, outputStride: Int, count: Int
    ) {
        let geometry = Geometry(inPerGroup: inPerGroup, kernelSize: kernelSize, dilation: dilation, inputStride: inputStride)
        var t0 = 0
        while t0 < count {
            let end = min(count, t0 + timeTile)
            for g in 0..<groups {
                let x = input + g * inPerGroup * inputStride
                var ol = 0
                // Eight output channels at once: each input vector loaded feeds eight sums (the
                // widest block that fits AVX-512's registers; measured faster on AVX2 and SSE too).
                while ol + 8 <= outPerGroup {
                    let o = g * outPerGroup + ol
                    let done = eightChannels(A.self, geometry, weight: weight + o * inPerGroup * kernelSize, bias: bias, o: o,
                                             x: x, output: output + o * outputStride, outputStride: outputStride, from: t0, to: end)
                    for half in [0, 4] {
                        let o = o + half
                        let rest = fourChannels(A.self, geometry, weight: weight + o * inPerGroup * kernelSize, bias: bias, o: o,
                                                x: x, output: output + o * outputStride, outputStride: outputStride, from: done, to: end)
                        for c in 0..<4 {
                            oneChannel(A.self, geometry, weight: weight + (o + c) * inPerGroup * kernelSize, start: bias?[o + c] ?? 0,
                                       x: x, output: output + (o + c) * outputStride, from: rest, to: end)
                        }
                    }
                    ol += 8
                }
                // Four output channels at once: each input vector loaded feeds four sums.
                while ol + 4 <= outPerGroup {
                    let o = g * outPerGroup + ol
                    let done = fourChannels(A.self, geometry, weight: weight + o * inPerGroup * kernelSize, bias: bias, o: o,
                                            x: x, output: output + o * outputStride, outputStride: outputStride, from: t0, to: end)
                    for c in 0..<4 {
                        oneChannel(A.self, geometry, weight: weight + (o + c) * inPerGroup * kernelSize, start: bias?[o + c] ?? 0,
                                   x: x, output: output + (o + c) * outputStride, from: done, to: end)
                    }
                    ol += 4
                }
                while ol < outPerGroup {
                    let o = g * outPerGroup + ol
                    oneChannel(A.self, geometry, weight: weight + o * inPerGroup * kernelSize, start: bias?[o] ?? 0,
                               x: x, output: output + o * outputStride, from: t0, to: end)
                    ol += 1
                }
            }
            t0 = end
        }
    }

    /// What every stride-1 loop needs to walk a group's input.
    struct Geometry {
        let inPerGroup: Int
        let kernelSize: Int
        let dilation: Int
        let inputStride: Int
    }

    @inline(__always)
    static func load<T: ConvScalar>(_ p: UnsafePointer<T>) -> T.Lanes {
        UnsafeRawPointer(p).loadUnaligned(as: T.Lanes.self)
    }

    @inline(__always)
    static func store<T: ConvScalar>(_ v: T.Lanes, _ p: UnsafeMutablePointer<T>) {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: T.Lanes.self)
    }

    /// Outputs `from..<to` of one channel (stride 1): blocks of eight vectors, then four, then one,
    /// then single outputs, each summed as bias, then input channel and tap ascending.
    @inline(__always)
    static func oneChannel<T: ConvScalar, A: KernelArithmetic>(
        _: A.Type,
        _ g: Geometry, weight: UnsafePointer<T>, start: T,
        x: UnsafePointer<T>, output: UnsafeMutablePointer<T>, from: Int, to: Int
    ) {
        let lanes = T.Lanes.scalarCount
        var t = from
        // Eight vectors per tap broadcast while they fit, then four: fewer broadcasts and loop
        // steps per multiply-add.
        while t + 8 * lanes <= to {
            var a0 = T.Lanes(repeating: start), a1 = a0, a2 = a0, a3 = a0
            var a4 = a0, a5 = a0, a6 = a0, a7 = a0
            for il in 0..<g.inPerGroup {
                let row = x + il * g.inputStride + t
                let w = weight + il * g.kernelSize
                for k in 0..<g.kernelSize {
                    let wk = T.Lanes(repeating: w[k])
                    let p = row + k * g.dilation
                    a0 = A.term(a0, wk, load(p))
                    a1 = A.term(a1, wk, load(p + lanes))
                    a2 = A.term(a2, wk, load(p + 2 * lanes))
                    a3 = A.term(a3, wk, load(p + 3 * lanes))
                    a4 = A.term(a4, wk, load(p + 4 * lanes))
                    a5 = A.term(a5, wk, load(p + 5 * lanes))
                    a6 = A.term(a6, wk, load(p + 6 * lanes))
                    a7 = A.term(a7, wk, load(p + 7 * lanes))
                }
            }
            store(a0, output + t)
            store(a1, output + t + lanes)
            store(a2, output + t + 2 * lanes)
            store(a3, output + t + 3 * lanes)
            store(a4, output + t + 4 * lanes)
            store(a5, output + t + 5 * lanes)
            store(a6, output + t + 6 * lanes)
            store(a7, output + t + 7 * lanes)
            t += 8 * lanes
        }
        while t + 4 * lanes <= to {
            var a0 = T.Lanes(repeating: start), a1 = a0, a2 = a0, a3 = a0
            for il in 0..<g.inPerGroup {
                let row = x + il * g.inputStride + t
                let w = weight + il * g.kernelSize
                for k in 0..<g.kernelSize {
                    let wk = T.Lanes(repeating: w[k])
                    let p = row + k * g.dilation
                    a0 = A.term(a0, wk, load(p))
                    a1 = A.term(a1, wk, load(p + lanes))
                    a2 = A.term(a2, wk, load(p + 2 * lanes))
                    a3 = A.term(a3, wk, load(p + 3 * lanes))
                }
            }
            store(a0, output + t)
            store(a1, output + t + lanes)
            store(a2, output + t + 2 * lanes)
            store(a3, output + t + 3 * lanes)
            t += 4 * lanes
        }
        // Single vectors, the last one ending at `to` when fewer than a vector are left and the
        // call has that many outputs: it recomputes some outputs already written, with the same
        // bits (same terms, same order), instead of a scalar loop over each.
        while t < to && to >= lanes {
            let at = min(t, to - lanes)
            var a = T.Lanes(repeating: start)
            for il in 0..<g.inPerGroup {
                let row = x + il * g.inputStride + at
                let w = weight + il * g.kernelSize
                for k in 0..<g.kernelSize { a = A.term(a, T.Lanes(repeating: w[k]), load(row + k * g.dilation)) }
            }
            store(a, output + at)
            t = at + lanes
        }
        while t < to {
            var a = start
            for il in 0..<g.inPerGroup {
                let row = x + il * g.inputStride + t
                let w = weight + il * g.kernelSize
                for k in 0..<g.kernelSize { a = A.term(a, w[k], row[k * g.dilation]) }
            }
            output[t] = a
            t += 1
        }
    }

    /// Outputs of eight consecutive channels `o…o+7` (stride 1) in blocks of three vectors
    /// each, the last ending at `to` (see oneChannel); returns where the blocks stopped.
    @inline(__always)
    static func eightChannels<T: ConvScalar, A: KernelArithmetic>(
        _: A.Type,
        _ g: Geometry, weight: UnsafePointer<T>, bias: [T]?, o: Int,
        x: UnsafePointer<T>, output: UnsafeMutablePointer<T>, outputStride: Int, from: Int, to: Int
    ) -> Int {
        let width = EightChannelBlock<T>.width
        let rowWeights = g.inPerGroup * g.kernelSize
        var t = from
        while t < to && to - from >= width {
            let at = min(t, to - width)
            var block = EightChannelBlock<T>(bias: bias, o: o)
            for il in 0..<g.inPerGroup {
                let row = x + il * g.inputStride + at
                let w = weight + il * g.kernelSize
                for k in 0..<g.kernelSize { block.add(row + k * g.dilation, weights: w + k, rowWeights: rowWeights, A.self) }
            }
            block.store(output + at, outputStride: outputStride)
            t = at + width
        }
        return t
    }

    /// Outputs of four consecutive channels `o…o+3` (stride 1) in blocks of two vectors each;
    /// returns where the blocks stopped (the rest goes through ``oneChannel``).
    @inline(__always)
    static func fourChannels<T: ConvScalar, A: KernelArithmetic>(
        _: A.Type,
        _ g: Geometry, weight: UnsafePointer<T>, bias: [T]?, o: Int,
        x: UnsafePointer<T>, output: UnsafeMutablePointer<T>, outputStride: Int, from: Int, to: Int
    ) -> Int {
        let lanes = T.Lanes.scalarCount
        let rowWeights = g.inPerGroup * g.kernelSize
        let (b0, b1, b2, b3) = (bias?[o] ?? 0, bias?[o + 1] ?? 0, bias?[o + 2] ?? 0, bias?[o + 3] ?? 0)
        var t = from
        // Four vectors per channel while they fit (16 accumulators: four loads and four
        // broadcasts serve 16 multiply-adds), then two.
        while t + 4 * lanes <= to {
            var a00 = T.Lanes(repeating: b0), a01 = a00, a02 = a00, a03 = a00
            var a10 = T.Lanes(repeating: b1), a11 = a10, a12 = a10, a13 = a10
            var a20 = T.Lanes(repeating: b2), a21 = a20, a22 = a20, a23 = a20
            var a30 = T.Lanes(repeating: b3), a31 = a30, a32 = a30, a33 = a30
            for il in 0..<g.inPerGroup {
                let row = x + il * g.inputStride + t
                let w = weight + il * g.kernelSize
                for k in 0..<g.kernelSize {
                    let p = row + k * g.dilation
                    let x0: T.Lanes = load(p), x1: T.Lanes = load(p + lanes)
                    let x2: T.Lanes = load(p + 2 * lanes), x3: T.Lanes = load(p + 3 * lanes)
                    let w0 = T.Lanes(repeating: w[k])
                    a00 = A.term(a00, w0, x0)
                    a01 = A.term(a01, w0, x1)
                    a02 = A.term(a02, w0, x2)
                    a03 = A.term(a03, w0, x3)
                    let w1 = T.Lanes(repeating: w[rowWeights + k])
                    a10 = A.term(a10, w1, x0)
                    a11 = A.term(a11, w1, x1)
                    a12 = A.term(a12, w1, x2)
                    a13 = A.term(a13, w1, x3)
                    let w2 = T.Lanes(repeating: w[2 * rowWeights + k])
                    a20 = A.term(a20, w2, x0)
                    a21 = A.term(a21, w2, x1)
                    a22 = A.term(a22, w2, x2)
                    a23 = A.term(a23, w2, x3)
                    let w3 = T.Lanes(repeating: w[3 * rowWeights + k])
                    a30 = A.term(a30, w3, x0)
                    a31 = A.term(a31, w3, x1)
                    a32 = A.term(a32, w3, x2)
                    a33 = A.term(a33, w3, x3)
                }
            }
            @inline(__always) func put(_ c: Int, _ v0: T.Lanes, _ v1: T.Lanes, _ v2: T.Lanes, _ v3: T.Lanes) {
                let out = output + c * outputStride + t
                store(v0, out)
                store(v1, out + lanes)
                store(v2, out + 2 * lanes)
                store(v3, out + 3 * lanes)
            }
            put(0, a00, a01, a02, a03)
            put(1, a10, a11, a12, a13)
            put(2, a20, a21, a22, a23)
            put(3, a30, a31, a32, a33)
            t += 4 * lanes
        }
        // Two-vector blocks, the last one ending at `to` (see oneChannel): outputs 0..<to are all
        // this call's.
        while t < to && to >= 2 * lanes {
            let at = min(t, to - 2 * lanes)
            var block = FourChannelBlock<T>(b0, b1, b2, b3)
            for il in 0..<g.inPerGroup {
                let row = x + il * g.inputStride + at
                let w = weight + il * g.kernelSize
                for k in 0..<g.kernelSize { block.add(row + k * g.dilation, weights: w + k, rowWeights: rowWeights, A.self) }
            }
            block.store(output + at, outputStride: outputStride)
            t = at + 2 * lanes
        }
        return t
    }

    /// Strided convolutions through phases: each input channel is split into `stride`
    /// contiguous phase rows; output t's term for tap k is then sample t + ⌊k·d/s⌋ of phase
    /// (k·d) mod s, so blocks of outputs load whole vectors, as at stride 1. The same terms in
    /// the same order (bias, input channel, tap ascending) as the plain loop the bits test writes.
    /// Its blocks repeat ``oneChannel``'s on purpose: one shared loop taking a tap closure
    /// measured slower on the stride-1 hot path (median 204 against 185 ms task-clock).
    @_specialize(where T == Float, A == UnfusedArithmetic)
    @_specialize(where T == Double, A == UnfusedArithmetic)
    @_specialize(where T == Float, A == FusedArithmetic)
    @_specialize(where T == Double, A == FusedArithmetic)
    static func phased<T: ConvScalar, A: KernelArithmetic>(
        _: A.Type,
        weight: UnsafePointer<T>, bias: [T]?, spec: Conv1dSpec,
        input: UnsafePointer<T>, inputStride: Int, phases: UnsafeMutablePointer<T>, phaseLength: Int,
        taps: UnsafePointer<Int>, output: UnsafeMutablePointer<T>, outputStride: Int, count: Int
    ) {
        let (s, k) = (spec.stride, spec.kernelSize)
        let (inPer, outPer) = (spec.inChannelsPerGroup, spec.outChannelsPerGroup)
        let available = (count - 1) * s + spec.receptiveField
        for c in 0..<spec.inChannels {
            let x = input + c * inputStride
            for p in 0..<s {
                let row = phases + (c * s + p) * phaseLength
                var j = 0
                while j * s + p < available {
                    row[j] = x[j * s + p]
                    j += 1
                }
            }
        }
        let lanes = T.Lanes.scalarCount
        // Tap (il, kk) of a group starts taps[il·k + kk] scalars into the group's phase rows
        // (PhaseRows.tapOffsets): no division in the loops.
        let groupRows = inPer * s * phaseLength
        @inline(__always) func phaseTap(_ g: Int, _ il: Int, _ kk: Int) -> UnsafePointer<T> {
            UnsafePointer(phases + g * groupRows + taps[il * k + kk])
        }
        var o = 0
        while o < spec.outChannels {
            // Eight or four channels of one group at a time: one load of the inputs serves
            // them all (a dense layer's channels would otherwise each reload them).
            var from = 0
            var channels = 1
            let width = EightChannelBlock<T>.width
            if o % outPer + 8 <= outPer && count >= width {
                // Eight channels, three vectors each, the last block ending at `count`.
                channels = 8
                let g = o / outPer
                let rowWeights = inPer * k
                let w = weight + o * rowWeights
                let out = output + o * outputStride
                while from < count {
                    let at = min(from, count - width)
                    var block = EightChannelBlock<T>(bias: bias, o: o)
                    for il in 0..<inPer {
                        for kk in 0..<k {
                            block.add(phaseTap(g, il, kk) + at, weights: w + il * k + kk, rowWeights: rowWeights, A.self)
                        }
                    }
                    block.store(out + at, outputStride: outputStride)
                    from = at + width
                }
            } else if o % outPer + 4 <= outPer {
                channels = 4
                let g = o / outPer
                let rowWeights = inPer * k
                let w = weight + o * rowWeights
                let (b0, b1, b2, b3) = (bias?[o] ?? 0, bias?[o + 1] ?? 0, bias?[o + 2] ?? 0, bias?[o + 3] ?? 0)
                let out = output + o * outputStride
                // The last block ends at `count` (see oneChannel).
                while from < count && count >= 2 * lanes {
                    let at = min(from, count - 2 * lanes)
                    var block = FourChannelBlock<T>(b0, b1, b2, b3)
                    for il in 0..<inPer {
                        for kk in 0..<k {
                            block.add(phaseTap(g, il, kk) + at, weights: w + il * k + kk, rowWeights: rowWeights, A.self)
                        }
                    }
                    block.store(out + at, outputStride: outputStride)
                    from = at + 2 * lanes
                }
            }
            for o in o..<(o + channels) {
                let g = o / outPer
                let start: T = bias?[o] ?? 0
                let w = weight + o * inPer * k
                let out = output + o * outputStride
                @inline(__always) func tap(_ il: Int, _ kk: Int) -> UnsafePointer<T> { phaseTap(g, il, kk) }
                var t = from
                while t + 4 * lanes <= count {
                    var a0 = T.Lanes(repeating: start), a1 = a0, a2 = a0, a3 = a0
                    for il in 0..<inPer {
                        for kk in 0..<k {
                            let wk = T.Lanes(repeating: w[il * k + kk])
                            let q = tap(il, kk) + t
                            a0 = A.term(a0, wk, load(q))
                            a1 = A.term(a1, wk, load(q + lanes))
                            a2 = A.term(a2, wk, load(q + 2 * lanes))
                            a3 = A.term(a3, wk, load(q + 3 * lanes))
                        }
                    }
                    store(a0, out + t)
                    store(a1, out + t + lanes)
                    store(a2, out + t + 2 * lanes)
                    store(a3, out + t + 3 * lanes)
                    t += 4 * lanes
                }
                // The last vector ends at `count` (see oneChannel).
                while t < count && count >= lanes {
                    let at = min(t, count - lanes)
                    var a = T.Lanes(repeating: start)
                    for il in 0..<inPer {
                        for kk in 0..<k { a = A.term(a, T.Lanes(repeating: w[il * k + kk]), load(tap(il, kk) + at)) }
                    }
                    store(a, out + at)
                    t = at + lanes
                }
                while t < count {
                    var a = start
                    for il in 0..<inPer {
                        for kk in 0..<k { a = A.term(a, w[il * k + kk], tap(il, kk)[t]) }
                    }
                    out[t] = a
                    t += 1
                }
            }
            o += channels
        }
    }
}
