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
    static func grid(rate: Int, points: Int = 400) -> [Double] {
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
                result.append(FilterResponse(output: o, input: o / spec.outChannelsPerGroup * spec.inChannelsPerGroup + i, taps: taps, dilation: spec.dilation, rate: rate))
            }
        }
        return result
    }
}

/// A self-contained SVG of magnitude responses: dB against log frequency, one curve per
/// filter, labelled axes, grid and title. The plot box and axis ranges are written as
/// `data-` attributes so a reader (and the tests) can map points back to dB and Hz.
enum ResponsePlot {
    static func svg(title: String, responses: [FilterResponse], rate: Int) -> String {
        let (width, height) = (900.0, 520.0)
        let (left, right, top, bottom) = (70.0, 880.0, 50.0, 460.0)
        let frequencies = FilterResponse.grid(rate: rate)
        let (fLow, fHigh) = (frequencies.first!, frequencies.last!)
        let curves = responses.map { r in frequencies.map { r.decibels(at: $0) } }
        let peak = ((curves.flatMap { $0 }.max() ?? 0) / 10).rounded(.up) * 10
        let (dbTop, dbBottom) = (peak + 10, peak - 120)
        func x(_ f: Double) -> Double { left + (right - left) * log10(f / fLow) / log10(fHigh / fLow) }
        func y(_ db: Double) -> Double { top + (bottom - top) * (dbTop - min(max(db, dbBottom), dbTop)) / (dbTop - dbBottom) }
        var svg = """
            <?xml version="1.0" encoding="UTF-8"?>
            <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" viewBox="0 0 \(Int(width)) \(Int(height))" \
            font-family="sans-serif" font-size="12" data-left="\(left)" data-right="\(right)" data-top="\(top)" data-bottom="\(bottom)" \
            data-db-top="\(dbTop)" data-db-bottom="\(dbBottom)" data-f-low="\(fLow)" data-f-high="\(fHigh)">
            <rect width="100%" height="100%" fill="white"/>
            <text x="\(width / 2)" y="28" text-anchor="middle" font-size="16">\(escape(title))</text>

            """
        for db in stride(from: dbBottom, through: dbTop, by: 10) {
            svg += "<line x1=\"\(left)\" y1=\"\(y(db))\" x2=\"\(right)\" y2=\"\(y(db))\" stroke=\"#ddd\"/>"
            svg += "<text x=\"\(left - 6)\" y=\"\(y(db) + 4)\" text-anchor=\"end\">\(Int(db))</text>\n"
        }
        var decade = pow(10, log10(fLow).rounded(.down))
        while decade <= fHigh {
            for m in 1...9 {
                let f = decade * Double(m)
                guard f >= fLow && f <= fHigh else { continue }
                svg += "<line x1=\"\(x(f))\" y1=\"\(top)\" x2=\"\(x(f))\" y2=\"\(bottom)\" stroke=\"\(m == 1 ? "#bbb" : "#eee")\"/>"
                if m == 1 { svg += "<text x=\"\(x(f))\" y=\"\(bottom + 16)\" text-anchor=\"middle\">\(f >= 1000 ? "\(Int(f / 1000)) k" : "\(Int(f))")</text>" }
                svg += "\n"
            }
            decade *= 10
        }
        svg += "<rect x=\"\(left)\" y=\"\(top)\" width=\"\(right - left)\" height=\"\(bottom - top)\" fill=\"none\" stroke=\"black\"/>\n"
        svg += "<text x=\"\((left + right) / 2)\" y=\"\(height - 14)\" text-anchor=\"middle\">frequency (Hz, log scale), \(rate) Hz sample rate</text>\n"
        svg += "<text x=\"18\" y=\"\((top + bottom) / 2)\" text-anchor=\"middle\" transform=\"rotate(-90 18 \((top + bottom) / 2))\">magnitude (dB)</text>\n"
        let colours = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"]
        for (n, (response, curve)) in zip(responses, curves).enumerated() {
            let points = zip(frequencies, curve).map { String(format: "%.2f,%.2f", x($0), y($1)) }.joined(separator: " ")
            svg += "<polyline class=\"response\" data-output=\"\(response.output)\" data-input=\"\(response.input)\" fill=\"none\" stroke=\"\(colours[n % colours.count])\" stroke-width=\"1.5\" points=\"\(points)\"/>\n"
        }
        if responses.count <= 8 {
            for (n, response) in responses.enumerated() {
                svg += "<text x=\"\(right - 10)\" y=\"\(top + 16 + 16 * Double(n))\" text-anchor=\"end\" fill=\"\(colours[n % colours.count])\">out \(response.output) ← in \(response.input)</text>\n"
            }
        }
        return svg + "</svg>\n"
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }
}
