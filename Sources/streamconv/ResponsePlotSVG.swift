import Foundation

/// A self-contained SVG of filter responses in four panels, one under another: magnitude
/// (dB against log frequency), phase and group delay (the filter's latency removed, so a
/// linear-phase filter reads 0), and the impulse response. Curves come from an FFT fine
/// enough for the longest filter (``ResponseSpectrum``); where a pixel column holds many
/// bins it is drawn through their lowest and highest, so a comb or a room shows its full
/// range instead of an aliased sample of it. Each curve has its own colour and dash
/// pattern (identical channels stay visible); the magnitude floor follows the filter's
/// deepest stopband; −3 dB points and a design's cutoffs are marked. Every panel's box and
/// ranges are `data-` attributes (the magnitude panel's also on the root) so readers and the
/// tests can map points back to Hz, dB, degrees, ms.
enum ResponsePlot {
    static let colours = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"]
    static let dashes = ["", "7 4", "2 3", "10 3 2 3", "4 2", "12 4", "1 2", "6 2 1 2"]
    static let (width, left, right) = (900.0, 80.0, 870.0)

    struct Panel {
        let kind: String
        let top: Double
        let bottom: Double
        let low: Double
        let high: Double

        func y(_ v: Double) -> Double { top + (bottom - top) * (high - min(max(v, low), high)) / (high - low) }
    }

    static func svg(title: String, responses: [FilterResponse], rate: Int, latency: Int = 0, cutoffs: [Double] = []) -> String {
        let spectra = responses.map(ResponseSpectrum.init)
        let fLow = min(10, Double(rate) / 1000)
        let fHigh = Double(rate) / 2
        func x(_ f: Double) -> Double { left + (right - left) * log10(max(f, fLow) / fLow) / log10(fHigh / fLow) }
        func f(atColumn c: Double) -> Double { fLow * pow(fHigh / fLow, c / (right - left)) }
        let columns = Int(right - left)

        // Magnitude: per column, the bins in it (their extremes when many), else the exact
        // response at the column's centre.
        var magnitude: [[(Double, Double)]] = []
        for (r, s) in zip(responses, spectra) {
            var points: [(Double, Double)] = []
            for c in 0..<columns {
                let (f0, f1) = (f(atColumn: Double(c)), f(atColumn: Double(c + 1)))
                let k0 = Int((f0 * Double(s.size) / Double(rate)).rounded(.up))
                let k1 = min(s.size / 2, Int((f1 * Double(s.size) / Double(rate)).rounded(.up)) - 1)
                if k1 < k0 {
                    let fc = f(atColumn: Double(c) + 0.5)
                    points.append((fc, r.decibels(at: fc)))
                } else if k1 - k0 < 2 {
                    for k in k0...k1 { points.append((s.frequency(k), s.decibels[k])) }
                } else {
                    var (lo, hi) = (k0, k0)
                    for k in k0...k1 {
                        if s.decibels[k] < s.decibels[lo] { lo = k }
                        if s.decibels[k] > s.decibels[hi] { hi = k }
                    }
                    for k in [min(lo, hi), max(lo, hi)] { points.append((s.frequency(k), s.decibels[k])) }
                }
            }
            magnitude.append(points)
        }
        let values = magnitude.flatMap { $0.map(\.1) }.sorted()
        let peak = ((values.last ?? 0) / 10).rounded(.up) * 10
        // The floor: 10 dB under the deepest 0.2% of the curve (exact zeros aside), at least
        // 60 dB and at most 240 dB under the peak.
        let deep = values.isEmpty ? peak - 120 : values[min(values.count - 1, values.count / 500)]
        let dbBottom = min(peak - 60, max(peak - 240, ((deep - 5) / 10).rounded(.down) * 10))
        let mag = Panel(kind: "magnitude", top: 70, bottom: 430, low: dbBottom, high: peak + 10)
        let phase = Panel(kind: "phase", top: 480, bottom: 610, low: -180, high: 180)

        // Phase and group delay where the response is within 80 dB of its peak, the latency
        // removed; one representative bin per column.
        var phases: [[(Double, Double)]] = [], delays: [[(Double, Double)]] = []
        for s in spectra {
            var (p, g): ([(Double, Double)], [(Double, Double)]) = ([], [])
            for c in 0..<columns {
                let k = s.bin(f(atColumn: Double(c) + 0.5))
                guard s.decibels[k] > peak - 80 else { p.append((.nan, .nan)); g.append((.nan, .nan)); continue }
                var deg = s.phase[k] + 360 * s.frequency(k) * Double(latency) / Double(rate)
                deg -= 360 * (deg / 360).rounded()
                p.append((s.frequency(k), deg))
                g.append((s.frequency(k), (s.groupDelay[k] - Double(latency)) * 1000 / Double(rate)))
            }
            phases.append(p)
            delays.append(g)
        }
        let delayValues = delays.flatMap { $0.map(\.1) }.filter(\.isFinite).sorted()
        let dLow = delayValues.isEmpty ? -1 : delayValues[delayValues.count / 100]
        let dHigh = delayValues.isEmpty ? 1 : delayValues[delayValues.count - 1 - delayValues.count / 100]
        let pad = max(0.1, (dHigh - dLow) * 0.1)
        let delay = Panel(kind: "group-delay", top: 660, bottom: 790, low: dLow - pad, high: dHigh + pad)
        let longest = spectra.map(\.impulse.count).max() ?? 1
        let amplitude = max(1e-30, spectra.flatMap { $0.impulse.map(abs) }.max() ?? 1)
        let impulse = Panel(kind: "impulse", top: 840, bottom: 970, low: -amplitude * 1.05, high: amplitude * 1.05)
        let height = 1030.0

        var svg = """
            <?xml version="1.0" encoding="UTF-8"?>
            <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" viewBox="0 0 \(Int(width)) \(Int(height))" \
            font-family="sans-serif" font-size="12" data-left="\(left)" data-right="\(right)" data-top="\(mag.top)" data-bottom="\(mag.bottom)" \
            data-db-top="\(mag.high)" data-db-bottom="\(mag.low)" data-f-low="\(fLow)" data-f-high="\(fHigh)" data-fft-points="\(spectra.map(\.size).min() ?? 0)">
            <rect width="100%" height="100%" fill="white"/>

            """
        // The title fits the width: a long one in a smaller font (0.6 em a character is a
        // generous average for sans-serif).
        let available = width - 40
        let titleSize = max(8, min(16, (available / (Double(max(title.count, 1)) * 0.6)).rounded(.down)))
        svg += "<text class=\"title\" x=\"\(width / 2)\" y=\"26\" text-anchor=\"middle\" font-size=\"\(titleSize)\">\(escape(title))</text>\n"
        svg += "<text x=\"\(width / 2)\" y=\"46\" text-anchor=\"middle\" fill=\"#555\">\(rate) Hz; FFT of \(spectra.map(\.size).min() ?? 0) points; phase and group delay with the latency of \(latency) frames removed</text>\n"

        func frame(_ p: Panel, label: String, ticks: [Double], format: (Double) -> String, logX: Bool) {
            svg += "<g class=\"panel\" data-kind=\"\(p.kind)\" data-left=\"\(left)\" data-right=\"\(right)\" data-top=\"\(p.top)\" data-bottom=\"\(p.bottom)\" data-low=\"\(p.low)\" data-high=\"\(p.high)\">\n"
            for t in ticks where t >= p.low && t <= p.high {
                svg += "<line x1=\"\(left)\" y1=\"\(p.y(t))\" x2=\"\(right)\" y2=\"\(p.y(t))\" stroke=\"#ddd\"/><text x=\"\(left - 6)\" y=\"\(p.y(t) + 4)\" text-anchor=\"end\">\(format(t))</text>\n"
            }
            if logX {
                var decade = pow(10, log10(fLow).rounded(.down))
                while decade <= fHigh {
                    for m in 1...9 {
                        let f = decade * Double(m)
                        guard f >= fLow && f <= fHigh else { continue }
                        svg += "<line x1=\"\(x(f))\" y1=\"\(p.top)\" x2=\"\(x(f))\" y2=\"\(p.bottom)\" stroke=\"\(m == 1 ? "#bbb" : "#eee")\"/>"
                        if m == 1 { svg += "<text x=\"\(x(f))\" y=\"\(p.bottom + 15)\" text-anchor=\"middle\">\(f >= 1000 ? "\(Int(f / 1000)) k" : "\(Int(f))")</text>" }
                        svg += "\n"
                    }
                    decade *= 10
                }
            }
            svg += "<rect x=\"\(left)\" y=\"\(p.top)\" width=\"\(right - left)\" height=\"\(p.bottom - p.top)\" fill=\"none\" stroke=\"black\"/>\n"
            let middle = (p.top + p.bottom) / 2
            svg += "<text x=\"16\" y=\"\(middle)\" text-anchor=\"middle\" transform=\"rotate(-90 16 \(middle))\">\(label)</text>\n"
        }
        func ticks(_ p: Panel, count: Int) -> [Double] {
            let raw = (p.high - p.low) / Double(count)
            let magnitude = pow(10, log10(raw).rounded(.down))
            let step = [1.0, 2, 5, 10].map { $0 * magnitude }.first { $0 >= raw } ?? raw
            return stride(from: (p.low / step).rounded(.up) * step, through: p.high, by: step).map { $0 }
        }
        func polylines(_ points: [(Double, Double)], panel: Panel, n: Int, response: FilterResponse, kind: String, x: (Double) -> Double) {
            var runs: [[String]] = [[]]
            for (f, v) in points {
                if !f.isFinite || !v.isFinite { if !(runs.last!.isEmpty) { runs.append([]) }; continue }
                runs[runs.count - 1].append(String(format: "%.2f,%.2f", x(f), panel.y(v)))
            }
            let dash = dashes[n % dashes.count]
            for run in runs where !run.isEmpty {
                svg += "<polyline class=\"\(kind)\" data-output=\"\(response.output)\" data-input=\"\(response.input)\" fill=\"none\" stroke=\"\(colours[n % colours.count])\" stroke-width=\"1.5\""
                    + (dash.isEmpty ? "" : " stroke-dasharray=\"\(dash)\"") + " points=\"\(run.joined(separator: " "))\"/>\n"
            }
        }

        // Magnitude.
        let step = mag.high - mag.low > 150 ? 20.0 : 10.0
        frame(mag, label: "magnitude (dB)", ticks: Array(stride(from: (mag.low / step).rounded(.up) * step, through: mag.high, by: step)), format: { "\(Int($0))" }, logX: true)
        for (n, r) in responses.enumerated() { polylines(magnitude[n], panel: mag, n: n, response: r, kind: "response", x: x) }
        // −3 dB points of the first curve, when it has a few (a comb has thousands).
        if let first = responses.first, case let points = first.minus3dBPoints(), points.count <= 4 {
            for f in points {
                svg += "<line class=\"marker\" data-kind=\"minus3db\" data-hz=\"\(f)\" x1=\"\(x(f))\" y1=\"\(mag.top)\" x2=\"\(x(f))\" y2=\"\(mag.bottom)\" stroke=\"#444\" stroke-dasharray=\"5 3\"/>"
                svg += "<text x=\"\(x(f) + 4)\" y=\"\(mag.bottom - 8)\" fill=\"#444\">−3 dB \(hz(f))</text>\n"
            }
        }
        for f in cutoffs where f >= fLow && f < fHigh {
            svg += "<line class=\"marker\" data-kind=\"cutoff\" data-hz=\"\(f)\" x1=\"\(x(f))\" y1=\"\(mag.top)\" x2=\"\(x(f))\" y2=\"\(mag.bottom)\" stroke=\"#a00\" stroke-dasharray=\"1 3\"/>"
            svg += "<text x=\"\(x(f) + 4)\" y=\"\(mag.bottom - 24)\" fill=\"#a00\">cutoff \(hz(f))</text>\n"
        }
        // The legend: a line of each curve's colour and dash, then its name.
        if responses.count <= 8 {
            for (n, r) in responses.enumerated() {
                let y = mag.top + 16 + 16 * Double(n)
                let dash = dashes[n % dashes.count]
                svg += "<line class=\"legend\" x1=\"\(right - 130)\" y1=\"\(y - 4)\" x2=\"\(right - 100)\" y2=\"\(y - 4)\" stroke=\"\(colours[n % colours.count])\" stroke-width=\"2\"" + (dash.isEmpty ? "" : " stroke-dasharray=\"\(dash)\"") + "/>"
                svg += "<text x=\"\(right - 94)\" y=\"\(y)\" fill=\"\(colours[n % colours.count])\">out \(r.output) ← in \(r.input)</text>\n"
            }
        }
        svg += "</g>\n"
        // Phase, group delay.
        frame(phase, label: "phase (°)", ticks: [-180, -90, 0, 90, 180], format: { "\(Int($0))" }, logX: true)
        for (n, r) in responses.enumerated() { polylines(phases[n], panel: phase, n: n, response: r, kind: "phase", x: x) }
        svg += "</g>\n"
        frame(delay, label: "group delay (ms)", ticks: ticks(delay, count: 4), format: { String(format: "%g", $0 == 0 ? 0 : $0) }, logX: true)
        for (n, r) in responses.enumerated() { polylines(delays[n], panel: delay, n: n, response: r, kind: "group-delay", x: x) }
        svg += "<text x=\"\((left + right) / 2)\" y=\"\(delay.bottom + 32)\" text-anchor=\"middle\">frequency (Hz, log scale)</text>\n</g>\n"
        // Impulse response: time in ms, each column through its extremes.
        let seconds = Double(longest) / Double(rate)
        func t(_ s: Double) -> Double { left + (right - left) * s / seconds }
        frame(impulse, label: "impulse", ticks: ticks(impulse, count: 4), format: { String(format: "%.2g", $0) }, logX: false)
        for step in ticks(Panel(kind: "", top: 0, bottom: 1, low: 0, high: seconds * 1000), count: 8) {
            svg += "<text x=\"\(t(step / 1000))\" y=\"\(impulse.bottom + 15)\" text-anchor=\"middle\">\(String(format: "%g", step))</text>"
        }
        svg += "\n"
        for (n, (r, s)) in zip(responses, spectra).enumerated() {
            var points: [(Double, Double)] = []
            let perColumn = max(1, s.impulse.count / columns)
            var i = 0
            while i < s.impulse.count {
                let chunk = s.impulse[i..<min(s.impulse.count, i + perColumn)]
                if perColumn == 1 {
                    points.append((Double(i) / Double(rate), chunk.first!))
                } else {
                    let (lo, hi) = (chunk.indices.min { chunk[$0] < chunk[$1] }!, chunk.indices.max { chunk[$0] < chunk[$1] }!)
                    for j in [min(lo, hi), max(lo, hi)] { points.append((Double(j) / Double(rate), s.impulse[j])) }
                }
                i += perColumn
            }
            polylines(points, panel: impulse, n: n, response: r, kind: "impulse", x: t)
        }
        svg += "<text x=\"\((left + right) / 2)\" y=\"\(impulse.bottom + 32)\" text-anchor=\"middle\">time (ms)</text>\n</g>\n"
        return svg + "</svg>\n"
    }

    static func hz(_ f: Double) -> String {
        f >= 1000 ? String(format: "%.3g kHz", f / 1000) : String(format: "%.3g Hz", f)
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }
}
