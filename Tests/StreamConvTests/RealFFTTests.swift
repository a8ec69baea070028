import Foundation
@testable import StreamConv
import Testing

/// The core's real FFT against a DFT summed term by term in Double (issue 8).
@Suite struct RealFFTTests {
    @Test(arguments: [4, 8, 16, 64, 256, 1024, 4096])
    func forwardAndInverseMatchTheDFT(size: Int) {
        var rng = SeededGenerator(seed: UInt64(size))
        let x = (0..<size).map { _ in Double(Float(rng.nextUnit() - 0.5)) }
        let fft = RealFFT<Float>(size: size)
        var re = [Float](repeating: 0, count: size / 2 + 1), im = re
        let input = x.map { Float($0) }
        input.withUnsafeBufferPointer { p in
            re.withUnsafeMutableBufferPointer { r in im.withUnsafeMutableBufferPointer { i in fft.forward(p.baseAddress!, re: r.baseAddress!, im: i.baseAddress!) } }
        }
        let norm = x.reduce(0) { $0 + $1 * $1 }.squareRoot()
        var worst = 0.0
        for k in 0...(size / 2) {
            var sr = 0.0, si = 0.0
            for (n, v) in x.enumerated() {
                let a = -2 * Double.pi * Double(k * n % size) / Double(size)
                sr += v * cos(a)
                si += v * sin(a)
            }
            worst = max(worst, hypot(Double(re[k]) - sr, Double(im[k]) - si))
        }
        // An FFT's error grows like log2(M)·u·‖x‖₂.
        let bound = 2 * log2(Double(size)) * Double(Float.unitRoundoff) * norm
        #expect(worst <= bound, "size \(size): \(worst) > \(bound)")
        #expect(worst > 0 || size <= 8, "a Float FFT is not exact: the comparison can fail")

        var back = [Float](repeating: 0, count: size)
        re.withUnsafeMutableBufferPointer { r in im.withUnsafeMutableBufferPointer { i in back.withUnsafeMutableBufferPointer { o in fft.inverse(re: r.baseAddress!, im: i.baseAddress!, output: o.baseAddress!) } } }
        let roundTrip = zip(back, x).map { abs(Double($0) / Double(size) - $1) }.max()!
        #expect(roundTrip <= 4 * log2(Double(size)) * Double(Float.unitRoundoff) * norm, "size \(size) round trip \(roundTrip)")
    }

    @Test func sineAndCosineWithoutLibm() {
        for i in -400...400 {
            let x = Double(i) * 0.0371
            #expect(abs(RealFFT<Double>.sine(x) - sin(x)) < 1e-15, "sin \(x)")
            #expect(abs(RealFFT<Double>.cosine(x) - cos(x)) < 1e-15, "cos \(x)")
        }
    }
}
