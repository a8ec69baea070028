import Foundation
import StreamConv

/// The frequency response of each (output, input) filter of a convolution: what `info`
/// prints, writes as JSON and draws as SVG.
struct FilterResponse {
    /// Output channel, and input channel within its group.
    let output: Int
    let input: Int
    /// The taps in Conv1d order.
    let taps: [Double]
    let dilation: Int
    let rate: Int

    /// |H(f)| in dB (a cross-correlation has the magnitude of the convolution with the taps).
    func decibels(at frequency: Double) -> Double {
        let w = 2 * Double.pi * frequency / Double(rate)
        // The phasor e^(−iwkd) advanced by one complex multiply per tap, taken afresh from
        // cos and sin every 256 taps so its drift stays near 256 roundings: a long filter's
        // response (65,536 taps × 2000 frequencies) then costs a fraction of a second, not
        // seconds of trigonometry.
        let (stepRe, stepIm) = (cos(w * Double(dilation)), -sin(w * Double(dilation)))
        var (re, im) = (0.0, 0.0)
        var (pr, pi) = (1.0, 0.0)
        for (k, t) in taps.enumerated() {
            if k % 256 == 0 {
                (pr, pi) = (cos(w * Double(k * dilation)), -sin(w * Double(k * dilation)))
            }
            re += t * pr
            im += t * pi
            (pr, pi) = (pr * stepRe - pi * stepIm, pr * stepIm + pi * stepRe)
        }
        return 20 * log10(max((re * re + im * im).squareRoot(), 1e-12))
    }

    /// Log-spaced frequencies from 10 Hz (or less at low rates) to Nyquist.
    static func grid(rate: Int, points: Int) -> [Double] {
        let low = min(10, Double(rate) / 1000)
        let high = Double(rate) / 2
        return (0..<points).map { low * pow(high / low, Double($0) / Double(points - 1)) }
    }

    /// Frequencies where the response crosses 3 dB below its peak.
    func minus3dBPoints() -> [Double] {
        let frequencies = Self.grid(rate: rate, points: 2000)
        let levels = frequencies.map(decibels)
        let threshold = (levels.max() ?? 0) - 3
        var points: [Double] = []
        for i in 1..<levels.count where (levels[i - 1] - threshold) * (levels[i] - threshold) < 0 {
            // Linear interpolation in log frequency between the two grid points.
            let t = (threshold - levels[i - 1]) / (levels[i] - levels[i - 1])
            points.append(frequencies[i - 1] * pow(frequencies[i] / frequencies[i - 1], t))
        }
        return points
    }

    /// Every filter of `conv` (the first `limit`), at `rate`.
    static func all<T: ConvScalar>(_ conv: Conv1d<T>, rate: Int, limit: Int) -> [FilterResponse] {
        let spec = conv.spec
        var result: [FilterResponse] = []
        outer: for o in 0..<spec.outChannels {
            for i in 0..<spec.inChannelsPerGroup {
                if result.count == limit { break outer }
                let taps = (0..<spec.kernelSize).map { Double(conv.weights.weight(out: o, in: i, tap: $0, spec: spec)) }
                // A path with no taps (a per-output design's other inputs) has no response.
                if taps.allSatisfy({ $0 == 0 }) && spec.outChannels * spec.inChannelsPerGroup > 1 { continue }
                result.append(FilterResponse(output: o, input: o / spec.outChannelsPerGroup * spec.inChannelsPerGroup + i, taps: taps, dilation: spec.dilation, rate: rate))
            }
        }
        return result
    }
}

