/// `--dither`: noise added before rounding to an integer format.
public enum Dither: String, CaseIterable, Sendable {
    /// ``tpdf`` for integer outputs of 16 bits or fewer, where rounding's distortion is
    /// audible in quiet passages (sox's default too), ``none`` for wider ones: the default.
    case auto
    /// Plain rounding.
    case none
    /// Triangular (TPDF) noise spanning ±1 LSB: the sum of two independent uniform values,
    /// which makes the rounding error independent of the signal.
    case tpdf
    /// TPDF noise with the rounding error fed back through Lipshitz, Vanderkooy and
    /// Wannamaker's 5-tap "minimally audible" shaping filter for 44.1 kHz (JAES 39(11), 1991;
    /// sox's `dither -f lipshitz`): the noise moved from 2–5 kHz, where hearing is most
    /// sensitive, to the top octave. Only at 44.1 kHz (±5%, as sox allows).
    case shaped

    /// Refuses ``shaped`` for an output at `rate` Hz its filter is not made for.
    /// - Throws: ``IOError/shapedDitherRate(rate:)``.
    public func check(outputRate rate: Int) throws(IOError) {
        if self == .shaped && !Quantizer.shapes(rate: rate) { throw .shapedDitherRate(rate: rate) }
    }

    /// What this means for `bits`-bit output: ``auto`` made ``tpdf`` or ``none``.
    public func resolved(bits: Int) -> Dither {
        self == .auto ? (bits <= 16 ? .tpdf : .none) : self
    }
}

/// What to do when a sample lies outside the integer format's range.
public enum ClipPolicy: String, CaseIterable, Sendable {
    /// Clip to the range and count it.
    case count
    /// Stop the run; no output file is written.
    case error
}

/// Float → integer conversion done by streamconv itself, the same for every container:
/// scale by 2^(bits−1) (the inverse of how libsndfile normalises integers on reading), add
/// the dither, round half to even, clip to `[−2^(bits−1), 2^(bits−1)−1]`. libsndfile gets
/// the result as a left-aligned 32-bit integer, which every integer subtype takes by
/// dropping low bits it does not store, so no rounding happens there.
///
/// The dither noise for a sample depends only on its absolute frame index and channel
/// (a counter-based generator), so dithered output does not depend on the block size.
public struct Quantizer: Sendable {
    /// Bits per sample (8, 16, 24 or 32).
    public let bits: Int
    /// The noise added before rounding (never ``Dither/auto``: resolved for ``bits``).
    public let dither: Dither
    /// Samples outside the range, clipped.
    public private(set) var clipped = 0
    /// NaN samples, written as 0.
    public private(set) var notANumber = 0
    /// Where the first clipped sample was: (frame, channel).
    public private(set) var firstClip: (frame: Int64, channel: Int)?
    /// The last rounding errors per channel for ``Dither/shaped`` (shared by copies: one
    /// quantiser per output, its samples fed in frame order per channel).
    private let history: ShapingHistory?

    private let scale: Double
    private let low: Double
    private let high: Double

    /// The error-feedback filter of ``Dither/shaped``, most recent error first.
    public static let lipshitz: [Double] = [2.033, -2.165, 1.959, -1.590, 0.6149]

    /// The rates ``Dither/shaped`` is made for: 44.1 kHz within 5%.
    public static func shapes(rate: Int) -> Bool { abs(Double(rate) - 44100) / 44100 <= 0.05 }

    /// A quantiser to `bits`-bit integers; `channels` sizes the shaped dither's history
    /// up front (a real-time caller's: no allocation later; others may leave it out).
    public init(bits: Int, dither: Dither = .none, channels: Int = 0) {
        precondition((1...32).contains(bits), "bits must be 1…32")
        self.bits = bits
        self.dither = dither.resolved(bits: bits)
        history = self.dither == .shaped ? ShapingHistory(channels: channels, taps: Self.lipshitz.count) : nil
        scale = Double(sign: .plus, exponent: bits - 1, significand: 1)
        low = -scale
        high = scale - 1
    }

    /// The integer code for `x` (not left-aligned): what a `bits`-bit file stores.
    public mutating func code(_ x: Float, frame: Int64, channel: Int) -> Int32 {
        code(double: Double(x), frame: frame, channel: channel)
    }

    /// The integer code for a Double sample (`--precision double`).
    public mutating func code(double x: Double, frame: Int64, channel: Int) -> Int32 {
        guard !x.isNaN else {
            notANumber += 1
            return 0
        }
        // Exact for a Float: times a power of two, plus a noise value far above its ulp. A
        // Double is rounded once here, then once to the integer.
        var v = x * scale
        if dither == .tpdf { v += Self.triangularNoise(frame: frame, channel: channel) }
        if let history {
            // sox's error feedback: the input less the filtered past errors, rounded with
            // TPDF noise; the error is the rounded value (before clipping) less that input.
            let errors = history.errors(channel: channel)
            var shaped = v
            for (j, c) in Self.lipshitz.enumerated() { shaped -= c * errors[j] }
            v = (shaped + Self.triangularNoise(frame: frame, channel: channel)).rounded(.toNearestOrEven)
            for j in stride(from: Self.lipshitz.count - 1, to: 0, by: -1) { errors[j] = errors[j - 1] }
            errors[0] = v - shaped
        }
        v = v.rounded(.toNearestOrEven)
        if v < low || v > high {
            clipped += 1
            if firstClip == nil { firstClip = (frame, channel) }
            v = v < low ? low : high
        }
        return Int32(v)
    }

    /// `code(x)` shifted to the top of 32 bits, as `sf_writef_int` takes it.
    @inline(__always)
    public mutating func leftAligned(_ x: Double, frame: Int64, channel: Int) -> Int32 {
        code(double: x, frame: frame, channel: channel) << Int32(32 - bits)
    }

    /// TPDF noise in (−1, 1) LSB for one sample: the difference of two uniform values drawn
    /// from a hash of (frame, channel), so every run and every block size gives the same noise.
    public static func triangularNoise(frame: Int64, channel: Int) -> Double {
        let bits = mix(UInt64(bitPattern: frame) &* 0x9E37_79B9_7F4A_7C15 ^ UInt64(truncatingIfNeeded: channel) &* 0xC2B2_AE3D_27D4_EB4F)
        let a = Double(bits >> 40) * 0x1p-24
        let b = Double(bits & 0xFF_FFFF) * 0x1p-24
        return a - b
    }

    /// SplitMix64's finaliser: every input bit affects every output bit.
    private static func mix(_ value: UInt64) -> UInt64 {
        var z = value &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// The shaped dither's past rounding errors, `taps` per channel, grown when a channel past
/// the sized ones first comes (never for a caller that sized it).
final class ShapingHistory: @unchecked Sendable {
    private var storage: UnsafeMutablePointer<Double>
    private var channels: Int
    private let taps: Int

    init(channels: Int, taps: Int) {
        self.channels = max(1, channels)
        self.taps = taps
        storage = .allocate(capacity: self.channels * taps)
        storage.initialize(repeating: 0, count: self.channels * taps)
    }

    deinit { storage.deallocate() }

    /// Channel `channel`'s errors, most recent first.
    func errors(channel: Int) -> UnsafeMutablePointer<Double> {
        if channel >= channels {
            let wider = UnsafeMutablePointer<Double>.allocate(capacity: (channel + 1) * taps)
            wider.initialize(repeating: 0, count: (channel + 1) * taps)
            wider.update(from: storage, count: channels * taps)
            storage.deallocate()
            (storage, channels) = (wider, channel + 1)
        }
        return storage + channel * taps
    }
}
