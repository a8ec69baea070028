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

    @Test func sineAndCosineWithoutLibm() {
        for i in -400...400 {
            let x = Double(i) * 0.0371
            #expect(abs(RealFFT<Double>.sine(x) - sin(x)) < 1e-15, "sin \(x)")
            #expect(abs(RealFFT<Double>.cosine(x) - cos(x)) < 1e-15, "cos \(x)")
        }
    }
}
