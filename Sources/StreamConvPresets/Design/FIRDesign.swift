import Foundation
import StreamConv

/// A FIR filter designed when the preset is loaded (`design` in a preset), at the rate of
/// the signal it will filter, so one preset keeps its cutoff in Hz at any rate.
///
/// Band filters are windowed sincs; the response is normalised to unit gain where the type
/// passes (DC for low-pass, band-stop and moving average, Nyquist for high-pass, the band
/// centre for band-pass), then `gain` dB is applied. Taps are returned in the order
/// `torch.nn.Conv1d` applies them (a cross-correlation: the impulse response reversed),
/// which only matters for the antisymmetric types (differentiator, Hilbert).
public struct FIRDesign: Sendable, Equatable {
    /// What the filter does.
    public enum Kind: String, Sendable, CaseIterable {
        case lowpass, highpass, bandpass, bandstop
        case movingAverage = "moving_average"
        case identity, delay, differentiator, hilbert
        /// Linkwitz-Riley magnitudes, linear phase: 1/(1 + (f/fc)^order) and its complement
        /// (f/fc)^order/(1 + (f/fc)^order), which sum to 1 (a crossover pair meets at −6 dB
        /// and the pair sums to the input exactly); `order` 4 is LR4, 24 dB/octave.
        case linkwitzRileyLowpass = "linkwitz_riley_lowpass"
        case linkwitzRileyHighpass = "linkwitz_riley_highpass"
    }

    /// The phase response: linear (symmetric taps, a delay of (N − 1)/2 frames), or minimum
    /// (the same magnitude with the energy at the start: causal, no alignment delay).
    public enum Phase: String, Sendable, CaseIterable {
        case linear, minimum
    }

    /// The window applied to the ideal response.
    public enum Window: Sendable, Equatable {
        case rectangular, hann, hamming, blackman
        case kaiser(beta: Double)

        /// The window's value at tap `n` of `count` (symmetric).
        func value(_ n: Int, count: Int) -> Double {
            guard count > 1 else { return 1 }
            let x = Double(n) / Double(count - 1)
            switch self {
            case .rectangular: return 1
            case .hann: return 0.5 - 0.5 * cos(2 * .pi * x)
            case .hamming: return 0.54 - 0.46 * cos(2 * .pi * x)
            case .blackman: return 0.42 - 0.5 * cos(2 * .pi * x) + 0.08 * cos(4 * .pi * x)
            case let .kaiser(beta):
                let r = 2 * x - 1
                return Bessel.i0(beta * (1 - r * r).squareRoot()) / Bessel.i0(beta)
            }
        }

        /// Kaiser's β for a stopband attenuation in dB.
        public static func kaiserBeta(attenuation a: Double) -> Double {
            if a > 50 { return 0.1102 * (a - 8.7) }
            if a >= 21 { return 0.5842 * pow(a - 21, 0.4) + 0.07886 * (a - 21) }
            return 0
        }
    }

    public var kind: Kind
    /// Cutoff in Hz: one for low/high-pass, two (low, high) for band-pass/stop.
    public var cutoff: [Double]
    public var window: Window
    /// Overall gain in dB after normalisation.
    public var gainDB: Double
    /// The delay of a `delay` filter, in samples.
    public var delaySamples: Int
    /// The length rule when `kernel_size` is left out: Kaiser's formula for this stopband
    /// attenuation (dB) and transition width (Hz), evaluated at the input's rate.
    public var kaiserLength: (attenuationDB: Double, transitionHz: Double)?
    /// Linear phase (the windowed design itself), or its minimum-phase version (``MinimumPhase``).
    public var phase: Phase
    /// A Linkwitz-Riley design's order (even; 4 is LR4).
    public var order = 4

    public init(kind: Kind, cutoff: [Double] = [], window: Window = .blackman, gainDB: Double = 0, delaySamples: Int = 0,
                kaiserLength: (attenuationDB: Double, transitionHz: Double)? = nil, phase: Phase = .linear) {
        self.phase = phase
        self.kind = kind
        self.cutoff = cutoff
        self.window = window
        self.gainDB = gainDB
        self.delaySamples = delaySamples
        self.kaiserLength = kaiserLength
    }

    public static func == (a: FIRDesign, b: FIRDesign) -> Bool {
        a.kind == b.kind && a.cutoff == b.cutoff && a.window == b.window && a.gainDB == b.gainDB
            && a.delaySamples == b.delaySamples && a.kaiserLength?.attenuationDB == b.kaiserLength?.attenuationDB
            && a.kaiserLength?.transitionHz == b.kaiserLength?.transitionHz && a.phase == b.phase && a.order == b.order
    }

    /// Types whose linear-phase FIR must have an odd length (type I or III).
    static let needsOddLength: [Kind] = [.highpass, .bandstop, .hilbert, .differentiator, .identity, .linkwitzRileyLowpass, .linkwitzRileyHighpass]

    /// The most taps a length rule may ask for.
    public static let maximumLength = 1 << 20

    /// The number of taps Kaiser's formula gives at `rate` Hz, as scipy's `kaiserord` computes
    /// it: ⌈(A − 7.95) / (2.285 · π · Δf/(fs/2))⌉ + 1, made odd where the type needs it.
    /// - Throws: when the design has no length rule, or the length would be absurd.
    public func length(rate: Int) throws(Failure) -> Int {
        guard let (a, width) = kaiserLength else {
            throw Failure(description: "no kernel_size and no length rule (kaiser window with attenuation_db and transition_hz)")
        }
        let normalised = width / (Double(rate) / 2)
        let exact = (a - 7.95) / 2.285 / (Double.pi * normalised) + 1
        guard exact.isFinite, exact < Double(Self.maximumLength) else {
            throw Failure(description: "Kaiser's formula asks for more than \(Self.maximumLength) taps at \(rate) Hz (\(a) dB over \(width) Hz); widen transition_hz or lower attenuation_db")
        }
        var count = max(1, Int(exact.rounded(.up)))
        if Self.needsOddLength.contains(kind) && count % 2 == 0 { count += 1 }
        return count
    }

    /// Why a design cannot be made.
    public struct Failure: Error, CustomStringConvertible, Equatable {
        public let description: String
    }

    /// The taps for `count` taps at `rate` Hz, in Conv1d order: the windowed design, or for
    /// `phase` minimum its minimum-phase version (the same magnitude).
    public func taps(count: Int, rate: Int) throws(Failure) -> [Double] {
        let linear = try linearTaps(count: count, rate: rate)
        guard phase == .minimum else { return linear }
        return MinimumPhase.convert(linear.reversed()).reversed()
    }

    /// The linear-phase taps (the design before any phase conversion), in Conv1d order;
    /// enough to check that a design can be made.
    public func linearTaps(count: Int, rate: Int) throws(Failure) -> [Double] {
        let nyquist = Double(rate) / 2
        if Self.needsOddLength.contains(kind) && count % 2 == 0 {
            throw Failure(description: "a \(kind.rawValue) design needs an odd kernel_size (a type I or III linear-phase FIR), got \(count); use \(count + 1)")
        }
        switch kind {
        case .lowpass, .highpass, .linkwitzRileyLowpass, .linkwitzRileyHighpass:
            guard cutoff.count == 1 else { throw Failure(description: "\(kind.rawValue) takes one cutoff_hz, got \(cutoff.count)") }
        case .bandpass, .bandstop:
            guard cutoff.count == 2, cutoff[0] < cutoff[1] else { throw Failure(description: "\(kind.rawValue) takes cutoff_hz [low, high] with low < high") }
        default: break
        }
        for f in cutoff where !(f > 0 && f < nyquist) {
            throw Failure(description: "cutoff \(f) Hz must be between 0 and the Nyquist frequency \(nyquist) Hz at \(rate) Hz")
        }
        let m = Double(count - 1) / 2
        func sinc(_ x: Double) -> Double { x == 0 ? 1 : sin(.pi * x) / (.pi * x) }
        // Ideal low-pass with cutoff f (Hz): 2f/fs · sinc(2f/fs · (n − m)).
        func ideal(_ f: Double, _ n: Int) -> Double { 2 * f / Double(rate) * sinc(2 * f / Double(rate) * (Double(n) - m)) }
        var h = [Double](repeating: 0, count: count)
        // Linkwitz-Riley: the magnitude sampled on a fine grid with the delay m, transformed
        // back (frequency sampling), then windowed as the others.
        let sampled = kind == .linkwitzRileyLowpass || kind == .linkwitzRileyHighpass
            ? Self.frequencySampled(count: count, rate: rate) { f in
                let r = pow(f / cutoff[0], Double(order))
                return kind == .linkwitzRileyLowpass ? 1 / (1 + r) : r / (1 + r)
            } : []
        for n in 0..<count {
            let centre = Double(n) == m ? 1.0 : 0.0
            switch kind {
            case .lowpass: h[n] = ideal(cutoff[0], n)
            case .highpass: h[n] = centre - ideal(cutoff[0], n)
            case .bandpass: h[n] = ideal(cutoff[1], n) - ideal(cutoff[0], n)
            case .bandstop: h[n] = centre - (ideal(cutoff[1], n) - ideal(cutoff[0], n))
            case .movingAverage: h[n] = 1
            case .identity: h[n] = centre
            case .delay: h[n] = n == delaySamples ? 1 : 0
            case .differentiator:
                let k = Double(n) - m
                h[n] = k == 0 ? 0 : cos(.pi * k) / k
            case .hilbert:
                let k = Int((Double(n) - m).rounded())
                h[n] = k % 2 == 0 ? 0 : 2 / (.pi * Double(k))
            case .linkwitzRileyLowpass, .linkwitzRileyHighpass:
                h[n] = sampled[n]
            }
            if kind != .movingAverage && kind != .identity && kind != .delay { h[n] *= window.value(n, count: count) }
        }
        if kind == .delay && !(0..<count).contains(delaySamples) {
            throw Failure(description: "delay of \(delaySamples) samples needs kernel_size > \(delaySamples), got \(count)")
        }
        // Unit gain where the filter passes.
        let reference: Double? = switch kind {
        case .lowpass, .bandstop, .movingAverage: 0
        case .highpass: nyquist
        case .bandpass: (cutoff[0] + cutoff[1]) / 2
        case .hilbert: Double(rate) / 4
        case .identity, .delay, .differentiator, .linkwitzRileyLowpass, .linkwitzRileyHighpass: nil
        }
        if let reference {
            let g = Self.magnitude(h, at: reference, rate: rate)
            if g > 0 { h = h.map { $0 / g } }
        }
        let linear = pow(10, gainDB / 20)
        return h.reversed().map { $0 * linear }
    }

    /// The linear-phase FIR of `count` taps (odd) whose amplitude is `amplitude(f)`: the
    /// inverse DFT of amplitude · e^(−iω(count − 1)/2) over 16 × count points or more (a
    /// power of two), its first `count` samples. Two amplitudes that sum to 1 give taps that
    /// sum to the delta at the centre.
    static func frequencySampled(count: Int, rate: Int, amplitude: (Double) -> Double) -> [Double] {
        var size = 64
        while size < 16 * count { size *= 2 }
        let fft = RealFFT<Double>(size: size)
        let m = Double(count - 1) / 2
        var re = [Double](repeating: 0, count: size / 2 + 1), im = re
        for k in 0...(size / 2) {
            let a = amplitude(Double(k) * Double(rate) / Double(size))
            let phase = -2 * Double.pi * Double(k) * m / Double(size)
            (re[k], im[k]) = (a * cos(phase), a * sin(phase))
        }
        var out = [Double](repeating: 0, count: size)
        fft.inverse(re: &re, im: &im, output: &out)
        return (0..<count).map { out[$0] / Double(size) }
    }

    /// |H(f)| of taps `h` (either order).
    public static func magnitude(_ h: [Double], at frequency: Double, rate: Int) -> Double {
        let w = 2 * Double.pi * frequency / Double(rate)
        var (re, im) = (0.0, 0.0)
        for (n, v) in h.enumerated() {
            re += v * cos(w * Double(n))
            im -= v * sin(w * Double(n))
        }
        return (re * re + im * im).squareRoot()
    }
}

/// The modified Bessel function I₀ (Kaiser's window), by its power series.
enum Bessel {
    static func i0(_ x: Double) -> Double {
        var sum = 1.0
        var term = 1.0
        let q = x * x / 4
        for k in 1..<200 {
            term *= q / Double(k * k)
            sum += term
            if term < sum * 1e-17 { break }
        }
        return sum
    }
}
