import Foundation
import StreamConv
@testable import StreamConvPresets
import Testing

/// `"phase": "minimum"` designs (issue 16, finding 6): the taps scipy's homomorphic
/// `minimum_phase(…, half=False)` gives (`Fixtures/minphase`, written once by
/// scripts/make_minphase_fixtures.py), the magnitude kept, the filter causal with no
/// alignment delay.
@Suite struct MinimumPhaseTests {
    struct Case: Decodable {
        let name: String
        let kernel_size: Int
        let rate: Int
        let linear: [Double]
        let minimum: [Double]
    }

    static let cases: [(Case, String)] = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/minphase/minphase.json")
        let data = try! Data(contentsOf: url)
        let root = try! JSONSerialization.jsonObject(with: data) as! [String: Any]
        let list = root["cases"] as! [[String: Any]]
        return list.map { item in
            let design = try! JSONSerialization.data(withJSONObject: item["design"]!, options: [.sortedKeys])
            let c = Case(name: item["name"] as! String, kernel_size: item["kernel_size"] as! Int, rate: item["rate"] as! Int,
                         linear: item["linear"] as! [Double], minimum: item["minimum"] as! [Double])
            return (c, String(decoding: design, as: UTF8.self))
        }
    }()

    func preset(_ design: String, kernel: Int, phase: String?) throws -> Preset {
        var object = design
        if let phase { object = String(object.dropLast()) + #", "phase": "\#(phase)"}"# }
        return try Preset(json: #"{"conv1d": {"in_channels": 1, "out_channels": 1, "kernel_size": \#(kernel), "padding": "same", "bias": false}, "design": \#(object)}"#, defaultName: "d")
    }

    /// |H(f)| of taps in time order, by a plain DFT.
    func magnitude(_ h: [Double], _ f: Double, rate: Int) -> Double {
        var (re, im) = (0.0, 0.0)
        for (n, v) in h.enumerated() {
            re += v * cos(2 * .pi * f * Double(n) / Double(rate))
            im -= v * sin(2 * .pi * f * Double(n) / Double(rate))
        }
        return (re * re + im * im).squareRoot()
    }

    /// The linear design is scipy's firwin; its minimum-phase version is scipy's, to 1e-9 of
    /// the largest tap (two FFT implementations, log and exp over 2^17–2^18 bins).
    @Test(arguments: 0..<4)
    func equalsScipy(index: Int) throws {
        let (c, design) = Self.cases[index]
        let linear = try preset(design, kernel: c.kernel_size, phase: nil).weights(as: Double.self, sampleRate: c.rate).weight
        let scale = c.linear.map(abs).max()!
        #expect(zip(linear.reversed(), c.linear).map { abs($0 - $1) }.max()! <= 1e-12 * scale, "\(c.name): linear design vs firwin")
        let minimum = try preset(design, kernel: c.kernel_size, phase: "minimum").weights(as: Double.self, sampleRate: c.rate).weight
        // Conv1d order is the impulse response reversed.
        let worst = zip(minimum.reversed(), c.minimum).map { abs($0 - $1) }.max()!
        #expect(worst <= 1e-9 * c.minimum.map(abs).max()!, "\(c.name): worst difference \(worst)")
    }

    /// The magnitude is preserved: within 0.01 dB wherever the linear design is above −60
    /// dB, and never more than 1 dB above it, or above −100 dB, where it is lower; the energy
    /// comes first (every partial energy at least the linear design's, less rounding).
    @Test(arguments: 0..<4)
    func keepsTheMagnitudeAndMovesTheEnergyForward(index: Int) throws {
        let (c, design) = Self.cases[index]
        let linear = Array(try preset(design, kernel: c.kernel_size, phase: nil).weights(as: Double.self, sampleRate: c.rate).weight.reversed())
        let minimum = Array(try preset(design, kernel: c.kernel_size, phase: "minimum").weights(as: Double.self, sampleRate: c.rate).weight.reversed())
        let nyquist = Double(c.rate) / 2
        var worstPass = 0.0
        for i in 0...2000 {
            let f = nyquist * Double(i) / 2000
            let (a, b) = (magnitude(linear, f, rate: c.rate), magnitude(minimum, f, rate: c.rate))
            let (dBa, dBb) = (20 * log10(max(a, 1e-15)), 20 * log10(max(b, 1e-15)))
            if dBa > -60 {
                worstPass = max(worstPass, abs(dBa - dBb))
            } else {
                #expect(dBb < max(dBa + 1, -100), "\(c.name) at \(f) Hz: \(dBb) dB vs \(dBa) dB")
            }
        }
        #expect(worstPass < 0.01, "\(c.name): \(worstPass) dB")
        var (ea, eb) = (0.0, 0.0)
        for n in 0..<c.kernel_size {
            ea += linear[n] * linear[n]
            eb += minimum[n] * minimum[n]
            #expect(eb >= ea * (1 - 1e-6), "\(c.name): partial energy to tap \(n)")
        }
        // The energy's centre in time: (N − 1)/2 for the linear design, well before it here.
        let total = minimum.map { $0 * $0 }.reduce(0, +)
        let centre = minimum.enumerated().map { Double($0.offset) * $0.element * $0.element }.reduce(0, +) / total
        #expect(centre < Double(c.kernel_size - 1) / 4, "\(c.name): energy centred at tap \(centre)")
    }

    /// A minimum-phase design runs causally: padding "same" becomes the full convolution cut
    /// at the input's length, latency 0, the output as long as the input, y[n] made from
    /// x[0…n] only; a length rule keeps it causal at every rate; other paddings are refused.
    @Test func runsCausally() throws {
        let design = #"{"type": "highpass", "cutoff_hz": 100, "window": "blackman"}"#
        let p = try preset(design, kernel: 511, phase: "minimum")
        #expect(p.spec.padding == .samples(510) && p.spec.latency == 0 && !p.keepsTail)
        let linear = try preset(design, kernel: 511, phase: nil)
        #expect(linear.spec.latency == 255 && linear.keepsTail)
        let conv = try p.conv1d(as: Double.self, sampleRate: 48000)
        var rng = SeededGenerator(seed: 3)
        let x = Signal<Double>([(0..<3000).map { _ in rng.nextUnit() - 0.5 }])
        let y = try conv.forward(x)
        let kept = p.spec.outputsBeforeTail(inputLength: 3000)
        #expect(kept == 3000)
        // The plain causal sum: y[n] = Σ_k h[k]·x[n − k], h the impulse response.
        let h = Array(try p.weights(as: Double.self, sampleRate: 48000).weight.reversed())
        for n in [0, 1, 17, 510, 511, 2999] {
            var sum = 0.0
            for k in 0..<h.count where n - k >= 0 { sum += h[k] * x[0, n - k] }
            #expect(abs(y[0, n] - sum) <= 1e-12, "y[\(n)]")
        }
        let kaiser = try Preset(json: #"{"conv1d": {"in_channels": 1, "out_channels": 1, "padding": "same", "bias": false}, "design": {"type": "lowpass", "cutoff_hz": 4000, "window": "kaiser", "attenuation_db": 80, "transition_hz": 500, "phase": "minimum"}}"#, defaultName: "k")
        let at96 = try kaiser.at(rate: 96000)
        #expect(at96.spec.kernelSize == 965 && at96.spec.padding == .samples(964) && at96.spec.latency == 0)
        #expect(throws: PresetError.self) {
            try Preset(json: #"{"conv1d": {"in_channels": 1, "out_channels": 1, "kernel_size": 31, "padding": 15, "bias": false}, "design": {"type": "lowpass", "cutoff_hz": 4000, "phase": "minimum"}}"#, defaultName: "p")
        }
        #expect(throws: PresetError.invalid(path: "design.phase", expected: "linear or minimum", got: "\"mixed\"")) {
            try Preset(json: #"{"conv1d": {"in_channels": 1, "out_channels": 1, "kernel_size": 31, "padding": "same", "bias": false}, "design": {"type": "lowpass", "cutoff_hz": 4000, "phase": "mixed"}}"#, defaultName: "p")
        }
    }
}
