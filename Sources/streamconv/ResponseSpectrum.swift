import Foundation
import StreamConv

/// One filter's response on a fine grid, for plots: the FFT of its impulse response (the
/// taps in convolution order, dilation spread out) over M ≥ 32 × its length points (at
/// least 16,384, at most 2^21), so bins lie 1/(32·receptive field) of the rate apart or
/// closer (the minimum is 1/(4·receptive field) of the rate: a comb's teeth and a
/// room's modes all on the grid, and their extremes within 0.05 dB of a bin): magnitude, phase and group delay
/// (from the FFT of n·h[n]: τ = Re(Σ n h[n] e^{−iωn} / H)).
struct ResponseSpectrum {
    /// The impulse response in time order.
    let impulse: [Double]
    /// Points of the transform (bins 0…M/2).
    let size: Int
    let rate: Int
    /// Per bin: |H| in dB, phase in degrees (wrapped), group delay in samples.
    let decibels: [Double]
    let phase: [Double]
    let groupDelay: [Double]

    static let largest = 1 << 21

    init(_ response: FilterResponse) {
        let d = response.dilation
        let length = (response.taps.count - 1) * d + 1
        var h = [Double](repeating: 0, count: length)
        for (k, t) in response.taps.reversed().enumerated() { h[k * d] = t }
        impulse = h
        rate = response.rate
        var m = 16384
        while m < 32 * length && m < Self.largest { m *= 2 }
        size = m
        let fft = RealFFT<Double>(size: m)
        let bins = m / 2 + 1
        var signal = [Double](repeating: 0, count: m)
        for i in 0..<min(length, m) { signal[i] = h[i] }
        var (re, im) = ([Double](repeating: 0, count: bins), [Double](repeating: 0, count: bins))
        fft.forward(signal, re: &re, im: &im)
        for i in 0..<min(length, m) { signal[i] = Double(i) * h[i] }
        var (re2, im2) = ([Double](repeating: 0, count: bins), [Double](repeating: 0, count: bins))
        fft.forward(signal, re: &re2, im: &im2)
        var (db, ph, gd) = ([Double](repeating: 0, count: bins), [Double](repeating: 0, count: bins), [Double](repeating: 0, count: bins))
        for k in 0..<bins {
            let power = re[k] * re[k] + im[k] * im[k]
            db[k] = 10 * log10(max(power, 1e-30))
            ph[k] = atan2(im[k], re[k]) * 180 / .pi
            gd[k] = power > 0 ? (re2[k] * re[k] + im2[k] * im[k]) / power : .nan
        }
        (decibels, phase, groupDelay) = (db, ph, gd)
    }

    /// The frequency of bin `k`.
    func frequency(_ k: Int) -> Double { Double(k) * Double(rate) / Double(size) }

    /// The bin nearest `f` Hz.
    func bin(_ f: Double) -> Int { min(size / 2, max(0, Int((f * Double(size) / Double(rate)).rounded()))) }
}
