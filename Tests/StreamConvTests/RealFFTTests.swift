import Foundation
@testable import StreamConv
import Testing

/// The core's real FFT against a DFT summed term by term in Double (issue 8).
@Suite struct RealFFTTests {
    /// Every size from 4 to 4096, so each path runs: the small spans a vector holds, single
    /// and paired vector stages, Float's 16 lanes and Double's 8.
    @Test(arguments: [4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096])
    func forwardAndInverseMatchTheDFT(size: Int) {
        check(Float.self, size: size)
        check(Double.self, size: size)
    }

    func check<T: ConvScalar>(_: T.Type, size: Int) {
        var rng = SeededGenerator(seed: UInt64(size))
        let x = (0..<size).map { _ in Double(T(rng.nextUnit() - 0.5)) }
        let fft = RealFFT<T>(size: size)
        var re = [T](repeating: 0, count: size / 2 + 1), im = re
        let input = x.map { T($0) }
        input.withUnsafeBufferPointer { p in
            re.withUnsafeMutableBufferPointer { r in im.withUnsafeMutableBufferPointer { i in fft.forward(p.baseAddress!, re: r.baseAddress!, im: i.baseAddress!) } }
        }
        let norm = x.reduce(0) { $0 + $1 * $1 }.squareRoot()
        var worst = 0.0
        // The reference summed term by term in Double for Float, in Float80 (64-bit
        // significand) for Double, so it resolves the errors it measures.
        for k in 0...(size / 2) {
            if T.self == Float.self {
                var sr = 0.0, si = 0.0
                for (n, v) in x.enumerated() {
                    let a = -2 * Double.pi * Double(k * n % size) / Double(size)
                    sr += v * cos(a)
                    si += v * sin(a)
                }
                worst = max(worst, hypot(Double(re[k]) - sr, Double(im[k]) - si))
            } else {
                var sr: Float80 = 0, si: Float80 = 0
                for (n, v) in x.enumerated() {
                    let a = -2 * Float80.pi * Float80(k * n % size) / Float80(size)
                    sr += Float80(v) * cos(a)
                    si += Float80(v) * sin(a)
                }
                worst = max(worst, hypot(Double(Float80(re[k]) - sr), Double(Float80(im[k]) - si)))
            }
        }
        // An FFT's error grows like log2(M)·u·‖x‖₂.
        let u = Double(T.unitRoundoff)
        let bound = 2 * log2(Double(size)) * u * norm
        #expect(worst <= bound, "\(T.self) size \(size): \(worst) > \(bound)")
        #expect(worst > 0 || size <= 8, "an FFT is not exact: the comparison can fail")

        var back = [T](repeating: 0, count: size)
        re.withUnsafeMutableBufferPointer { r in im.withUnsafeMutableBufferPointer { i in back.withUnsafeMutableBufferPointer { o in fft.inverse(re: r.baseAddress!, im: i.baseAddress!, output: o.baseAddress!) } } }
        let roundTrip = zip(back, x).map { abs(Double($0) / Double(size) - $1) }.max()!
        #expect(roundTrip <= 4 * log2(Double(size)) * u * norm, "\(T.self) size \(size) round trip \(roundTrip)")
        #expect(roundTrip > 0 || size <= 8, "a round trip is not exact: the comparison can fail")
    }

    /// The sizes above 4096 (passes whose strides are whole pages, the radix-2 first pass at
    /// 8192 and 32768): 48 bins of each against the DFT summed in Double, the round trip whole.
    @Test(arguments: [8192, 16384, 32768])
    func largeSizesMatchTheDFTOnSampledBins(size: Int) {
        var rng = SeededGenerator(seed: UInt64(size) + 7)
        let x = (0..<size).map { _ in Double(Float(rng.nextUnit() - 0.5)) }
        let fft = RealFFT<Float>(size: size)
        var re = [Float](repeating: 0, count: size / 2 + 1), im = re
        let input = x.map { Float($0) }
        fft.forward(input, re: &re, im: &im)
        let norm = x.reduce(0) { $0 + $1 * $1 }.squareRoot()
        let bound = 2 * log2(Double(size)) * Double(Float.unitRoundoff) * norm
        let bins = [0, 1, 2, 3, size / 4, size / 2 - 1, size / 2] + (0..<41).map { _ in Int(rng.nextUnit() * Double(size / 2)) }
        for k in bins {
            var sr = 0.0, si = 0.0
            for (n, v) in x.enumerated() {
                let a = -2 * Double.pi * Double(k * n % size) / Double(size)
                sr += v * cos(a)
                si += v * sin(a)
            }
            let error = hypot(Double(re[k]) - sr, Double(im[k]) - si)
            #expect(error <= bound, "size \(size) bin \(k): \(error) > \(bound)")
        }
        var back = [Float](repeating: 0, count: size)
        fft.inverse(re: &re, im: &im, output: &back)
        let roundTrip = zip(back, x).map { abs(Double($0) / Double(size) - $1) }.max()!
        #expect(roundTrip <= 4 * log2(Double(size)) * Double(Float.unitRoundoff) * norm, "size \(size) round trip \(roundTrip)")
    }

    /// The engine's bit-reversed spectra are the natural ones, bin k at bitReverse(k), bit
    /// for bit, and the inverse from either order gives the same samples.
    @Test(arguments: [4, 8, 16, 32, 64, 128, 256, 512, 2048, 8192, 32768])
    func bitReversedOrderIsTheNaturalSpectrumPermuted(size: Int) {
        checkOrders(Float.self, size: size)
        checkOrders(Double.self, size: size)
    }

    func checkOrders<T: ConvScalar>(_: T.Type, size: Int) {
        var rng = SeededGenerator(seed: UInt64(size) + 11)
        let input = (0..<size).map { _ in T(rng.nextUnit() - 0.5) }
        let fft = RealFFT<T>(size: size)
        let n = size / 2
        var (nr, ni) = ([T](repeating: 0, count: n + 1), [T](repeating: 0, count: n + 1))
        var (br, bi) = (nr, ni)
        fft.forward(input, re: &nr, im: &ni, order: .natural)
        fft.forward(input, re: &br, im: &bi, order: .bitReversed)
        var bits = 0
        while 1 << bits < n { bits += 1 }
        var mismatches = 0
        for k in 0...n {
            var r = k
            if k < n {
                r = 0
                for b in 0..<bits where k & (1 << b) != 0 { r |= 1 << (bits - 1 - b) }
            }
            if !same(nr[k], br[r]) || !same(ni[k], bi[r]) { mismatches += 1 }
        }
        #expect(mismatches == 0, "\(T.self) size \(size): \(mismatches) bins differ")
        var (a, b) = ([T](repeating: 0, count: size), [T](repeating: 0, count: size))
        fft.inverse(re: &nr, im: &ni, output: &a, order: .natural)
        fft.inverse(re: &br, im: &bi, output: &b, order: .bitReversed)
        #expect(zip(a, b).allSatisfy { same($0, $1) }, "\(T.self) size \(size): the inverses differ")
    }

    func same<T: BinaryFloatingPoint>(_ x: T, _ y: T) -> Bool {
        x.sign == y.sign && x.exponentBitPattern == y.exponentBitPattern && x.significandBitPattern == y.significandBitPattern
    }

    @Test func sineAndCosineWithoutLibm() {
        for i in -400...400 {
            let x = Double(i) * 0.0371
            #expect(abs(RealFFT<Double>.sine(x) - sin(x)) < 1e-15, "sin \(x)")
            #expect(abs(RealFFT<Double>.cosine(x) - cos(x)) < 1e-15, "cos \(x)")
        }
    }
}
