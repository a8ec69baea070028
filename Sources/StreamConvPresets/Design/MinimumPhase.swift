import Foundation
import StreamConv

/// The minimum-phase FIR with a given FIR's magnitude response, by the homomorphic
/// (cepstral) method, computed as `scipy.signal.minimum_phase(h, method="homomorphic",
/// half=False)` computes it, on the core's own FFT: |H| on an n_fft-point grid (n_fft =
/// 2^⌈log2(2(N − 1)/0.01)⌉, scipy's default), floored by 10⁻⁷ of its smallest non-zero bin
/// so the logarithm stays finite at the stopband's zeros, its real cepstrum folded onto
/// the causal side (×2 for 0 < n < n_fft/2), exponentiated back, the first N samples kept.
///
/// The magnitude is preserved to the accuracy the grid and the floor allow: within 0.01 dB
/// wherever the response is above −60 dB, and below the design's own level + 1 dB (or −100
/// dB) in its stopband (tested on four reference designs; the shipped minimum-phase presets
/// measure 0.000001 and 0.00004 dB). The energy moves to the start: a filter whose linear
/// version delays by (N − 1)/2 frames peaks within a few frames of its input.
enum MinimumPhase {
    /// scipy's default transform size for `count` taps.
    static func transformSize(count: Int) -> Int {
        let wanted = 2 * Double(count - 1) / 0.01
        return max(4, 1 << Int(log2(wanted).rounded(.up)))
    }

    /// The minimum-phase version of the impulse response `h` (time order), `h.count` taps.
    static func convert(_ h: [Double]) -> [Double] {
        guard h.count > 1 else { return h }
        let m = transformSize(count: h.count)
        let fft = RealFFT<Double>(size: m)
        let bins = m / 2 + 1
        var signal = [Double](repeating: 0, count: m)
        var re = [Double](repeating: 0, count: bins)
        var im = [Double](repeating: 0, count: bins)
        for (i, x) in h.enumerated() { signal[i] = x }
        fft.forward(signal, re: &re, im: &im)
        // log|H|, floored: |H| + 1e-7 · (smallest non-zero |H|), over the bins k = 0…M/2
        // (the rest mirror them, so the cepstrum is real and even).
        var magnitude = (0..<bins).map { (re[$0] * re[$0] + im[$0] * im[$0]).squareRoot() }
        let smallest = magnitude.filter { $0 > 0 }.min() ?? 1
        for k in 0..<bins { magnitude[k] = log(magnitude[k] + 1e-7 * smallest) }
        re = magnitude
        for k in 0..<bins { im[k] = 0 }
        var cepstrum = [Double](repeating: 0, count: m)
        fft.inverse(re: &re, im: &im, output: &cepstrum)
        // The inverse is unnormalised (M·x); scipy's window: 1 at 0, 2 for 0 < n < M/2,
        // 0 from M/2 on (M even).
        let scale = 1 / Double(m)
        cepstrum[0] *= scale
        for n in 1..<(m / 2) { cepstrum[n] *= 2 * scale }
        for n in (m / 2)..<m { cepstrum[n] = 0 }
        fft.forward(cepstrum, re: &re, im: &im)
        for k in 0..<bins {
            let e = exp(re[k])
            (re[k], im[k]) = (e * cos(im[k]), e * sin(im[k]))
        }
        fft.inverse(re: &re, im: &im, output: &signal)
        return (0..<h.count).map { signal[$0] * scale }
    }
}
