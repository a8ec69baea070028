import Foundation
import StreamConv
@testable import StreamConvPresets
import Testing

/// FIR design measured by the test's own DFT of the designed taps (issue 7).
@Suite struct FIRDesignTests {
    /// H(f) of `h`, computed here.
    func response(_ h: [Double], _ f: Double, rate: Int) -> (dB: Double, phase: Double) {
        var re = 0.0, im = 0.0
        for (n, v) in h.enumerated() {
            re += v * cos(2 * .pi * f * Double(n) / Double(rate))
            im -= v * sin(2 * .pi * f * Double(n) / Double(rate))
        }
        return (20 * log10(max(1e-12, (re * re + im * im).squareRoot())), atan2(im, re))
    }

    func band(_ h: [Double], _ range: ClosedRange<Double>, rate: Int) -> [Double] {
        stride(from: range.lowerBound, through: range.upperBound, by: (range.upperBound - range.lowerBound) / 200).map { response(h, $0, rate: rate).dB }
    }

    func taps(_ json: String, kernel: Int = 255, rate: Int = 48000) throws -> [Double] {
        let preset = try Preset(json: #"{"conv1d": {"in_channels": 1, "out_channels": 1, "kernel_size": \#(kernel), "padding": "same", "bias": false}, "design": \#(json)}"#, defaultName: "d")
        return try preset.weights(as: Double.self, sampleRate: rate).weight
    }

    @Test func blackmanLowpass255() throws {
        let h = try taps(#"{"type": "lowpass", "cutoff_hz": 4000, "window": "blackman"}"#)
        let pass = band(h, 0...3400, rate: 48000)
        #expect(pass.max()! - pass.min()! < 0.1, "passband ripple \(pass.max()! - pass.min()!) dB")
        #expect(abs(response(h, 0, rate: 48000).dB) < 0.001, "unit gain at DC")
        #expect(band(h, 5100...24000, rate: 48000).max()! <= -70)
    }

    @Test func highBandAndStop() throws {
        let high = try taps(#"{"type": "highpass", "cutoff_hz": 4000}"#)
        #expect(band(high, 0...2900, rate: 48000).max()! <= -70)
        let highPass = band(high, 5100...24000, rate: 48000)
        #expect(highPass.max()! - highPass.min()! < 0.1)
        #expect(abs(response(high, 24000, rate: 48000).dB) < 0.001, "unit gain at Nyquist")
        let bandpass = try taps(#"{"type": "bandpass", "cutoff_hz": [4000, 10000]}"#)
        #expect(band(bandpass, 0...2900, rate: 48000).max()! <= -70 && band(bandpass, 11100...24000, rate: 48000).max()! <= -70)
        let bandPass = band(bandpass, 5100...8900, rate: 48000)
        #expect(bandPass.max()! - bandPass.min()! < 0.1 && abs(response(bandpass, 7000, rate: 48000).dB) < 0.01)
        let bandstop = try taps(#"{"type": "bandstop", "cutoff_hz": [4000, 10000]}"#)
        #expect(band(bandstop, 5100...8900, rate: 48000).max()! <= -70)
        let stopPass = band(bandstop, 0...2900, rate: 48000) + band(bandstop, 11100...24000, rate: 48000)
        #expect(stopPass.max()! - stopPass.min()! < 0.1)
    }

    /// A Hilbert transformer shifts by 90° (beyond its linear-phase delay) in band, at unit gain.
    @Test func hilbertIsNinetyDegrees() throws {
        let h = try taps(#"{"type": "hilbert", "window": "kaiser", "beta": 8}"#)
        let delay = Double(h.count - 1) / 2
        for f in stride(from: 2000.0, through: 22000.0, by: 1000) {
            let r = response(h, f, rate: 48000)
            var shift = r.phase + 2 * .pi * f * delay / 48000
            shift = atan2(sin(shift), cos(shift))
            #expect(abs(abs(shift) - .pi / 2) < 1e-6, "\(f) Hz: \(shift)")
            #expect(abs(r.dB) < 0.1, "\(f) Hz: \(r.dB) dB")
        }
    }

    /// Designed at the input's rate: the −6 dB point stays at the cutoff in Hz at 44.1 and 96 kHz.
    @Test(arguments: [44100, 48000, 96000])
    func cutoffStaysInHz(rate: Int) throws {
        let h = try taps(#"{"type": "lowpass", "cutoff_hz": 4000, "window": "hann"}"#, kernel: 511, rate: rate)
        #expect(abs(response(h, 4000, rate: rate).dB + 6.02) < 0.1, "\(rate) Hz: \(response(h, 4000, rate: rate).dB) dB at 4 kHz")
    }

    @Test func simpleKindsAndGain() throws {
        #expect(try taps(#"{"type": "identity"}"#, kernel: 5) == [0, 0, 1, 0, 0])
        #expect(try taps(#"{"type": "moving_average", "gain": -6.020599913279624}"#, kernel: 4).allSatisfy { abs($0 - 0.125) < 1e-12 })
        // Conv1d is a cross-correlation: a delay of 1 sample is the tap second from the end.
        #expect(try taps(#"{"type": "delay", "delay": 1}"#, kernel: 4) == [0, 0, 1, 0])
        let d = try taps(#"{"type": "differentiator", "window": "hamming"}"#, kernel: 31)
        #expect(abs(d.reduce(0, +)) < 1e-12, "no response at DC")
    }

    @Test func impossibleDesignsAreClearErrors() {
        func error(_ json: String, kernel: Int = 255, rate: Int = 48000) -> String {
            do {
                _ = try taps(json, kernel: kernel, rate: rate)
                return "designed"
            } catch {
                return "\(error)"
            }
        }
        #expect(error(#"{"type": "highpass", "cutoff_hz": 1000}"#, kernel: 64) == "design: expected a design that can be made, got a highpass design needs an odd kernel_size (a type I or III linear-phase FIR), got 64; use 65")
        #expect(error(#"{"type": "lowpass", "cutoff_hz": 30000}"#, rate: 44100) == "design: expected a design that can be made, got cutoff 30000.0 Hz must be between 0 and the Nyquist frequency 22050.0 Hz at 44100 Hz")
        #expect(error(#"{"type": "bandpass", "cutoff_hz": 1000}"#).hasSuffix("bandpass takes cutoff_hz [low, high] with low < high"))
        #expect(error(#"{"type": "notch"}"#).hasPrefix("design.type: expected one of lowpass, highpass"))
        #expect(error(#"{"type": "lowpass", "cutoff_hz": 1000, "window": "kaiser"}"#) == "design.beta: required key is missing")
    }

    @Test func kaiserAttenuation() throws {
        #expect(abs(FIRDesign.Window.kaiserBeta(attenuation: 80) - 7.857) < 0.001)
        let h = try taps(#"{"type": "lowpass", "cutoff_hz": 4000, "window": "kaiser", "attenuation_db": 80}"#)
        #expect(band(h, 5500...24000, rate: 48000).max()! <= -78)
    }

    /// With kernel_size left out, Kaiser's formula picks the length at the input's rate. The
    /// expected lengths are scipy.signal.kaiserord(80, 500 / (fs / 2))[0]: 444, 483 and 965.
    @Test(arguments: [(44100, 444), (48000, 483), (96000, 965)])
    func kaiserLengthFollowsTheRate(rate: Int, expected: Int) throws {
        let preset = try Preset(json: #"""
            {"conv1d": {"in_channels": 2, "out_channels": 2, "groups": 2, "padding": "same", "bias": false},
             "design": {"type": "lowpass", "cutoff_hz": 4000, "window": "kaiser", "attenuation_db": 80, "transition_hz": 500}}
            """#, defaultName: "k")
        #expect(preset.spec.kernelSize == 483, "described at 48 kHz when no rate is given")
        let atRate = try preset.at(rate: rate)
        #expect(atRate.spec.kernelSize == expected)
        let conv = try preset.conv1d(as: Double.self, sampleRate: rate)
        #expect(conv.spec.kernelSize == expected, "conv1d(sampleRate:) resolves the length itself")
        let h = Array(conv.weights.weight[0..<expected])
        // The band edges are the cutoff ± half the transition.
        #expect(band(h, 4250...Double(rate / 2), rate: rate).max()! <= -79.5, "\(rate) Hz stopband")
        let pass = band(h, 0...3750, rate: rate)
        #expect(pass.max()! - pass.min()! < 0.01, "\(rate) Hz passband ripple")
        let info = try preset.at(rate: rate)
        #expect(info.fixedRate == nil)
    }

    @Test func kaiserLengthIsOddWhereTheTypeNeedsIt() throws {
        // scipy.signal.kaiserord(60, 200 / 24000)[0] = 872: a high-pass needs 873.
        let preset = try Preset(json: #"""
            {"conv1d": {"in_channels": 1, "out_channels": 1, "padding": "same", "bias": false},
             "design": {"type": "highpass", "cutoff_hz": 1000, "window": "kaiser", "attenuation_db": 60, "transition_hz": 200}}
            """#, defaultName: "k")
        #expect(preset.spec.kernelSize == 873)
    }

    @Test func kaiserLengthMistakes() {
        func error(conv1d: String, design: String) -> String {
            do {
                _ = try Preset(json: #"{"conv1d": {"in_channels": 1, "out_channels": 1, "bias": false\#(conv1d)}, "design": {"type": "lowpass", "cutoff_hz": 4000\#(design)}}"#, defaultName: "k")
                return "decoded"
            } catch {
                return "\(error)"
            }
        }
        #expect(error(conv1d: "", design: "") == "conv1d.kernel_size: expected a kernel_size, or a design with window kaiser, attenuation_db and transition_hz to choose it, got nothing")
        #expect(error(conv1d: "", design: #", "window": "hann", "transition_hz": 500"#) == "design.transition_hz: expected window kaiser with attenuation_db (Kaiser's length formula needs both), got transition_hz alone")
        #expect(error(conv1d: #", "kernel_size": 31"#, design: #", "window": "kaiser", "attenuation_db": 60, "transition_hz": 500"#) == "design.transition_hz: expected no transition_hz when conv1d.kernel_size is given (it chooses the length when kernel_size is left out), got both")
        #expect(error(conv1d: "", design: #", "window": "kaiser", "attenuation_db": 60, "transition_hz": 0.001"#).hasSuffix("Kaiser's formula asks for more than 1048576 taps at 48000 Hz (60.0 dB over 0.001 Hz); widen transition_hz or lower attenuation_db"))
        #expect(error(conv1d: "", design: #", "window": "kaiser", "attenuation_db": 5, "transition_hz": 500"#) == "design.attenuation_db: expected more than 7.95 dB for Kaiser's length formula, got 5.0")
    }
}
