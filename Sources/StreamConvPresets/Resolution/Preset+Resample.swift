import StreamConv

/// Resamples a response's channels (equal lengths, time order) from one rate to another,
/// keeping time 0 at sample 0 and each sine's amplitude. This module computes nothing of
/// the kind itself; the `streamconv` CLI gives libsoxr's (very high quality).
public typealias ResponseResampler = @Sendable (_ channels: [[Double]], _ from: Int, _ to: Int) throws -> [[Double]]

extension Preset {
    /// Whether an input at `rate` Hz gets this preset resampled: an impulse response or a
    /// taps file made at another `sample_rate`, without `"resample": false`.
    public func resamples(to rate: Int) -> Bool {
        guard resample, let fixed = sampleRate, fixed != rate else { return false }
        switch source {
        case .impulseResponse, .taps: return true
        default: return false
        }
    }

    /// This preset's response resampled to `rate` Hz by `resampler` (see ``resamples(to:)``),
    /// scaled by made-at rate ÷ `rate` so its frequency response stays what it was (a sum of
    /// taps is a DC gain: resampled samples of the same response are that many more or
    /// fewer). An impulse response keeps its full convolution (`kernel_size` its new length);
    /// a taps file, centred by `padding: "same"`, gets an odd count centred at its centre's
    /// new time. Any other preset is returned unchanged.
    /// - Throws: ``PresetError/resampling(path:reason:)`` with the resampler's reason.
    public func resampled(to rate: Int, with resampler: ResponseResampler) throws(PresetError) -> Preset {
        guard resamples(to: rate), let from = sampleRate else { return self }
        let gain = Double(from) / Double(rate)
        func run(_ channels: [[Double]], _ path: String) throws(PresetError) -> [[Double]] {
            do {
                return try resampler(channels, from, rate).map { $0.map { $0 * gain } }
            } catch {
                throw .resampling(path: path, reason: ReaderFailure(error))
            }
        }
        var copy = self
        switch source {
        case let .impulseResponse(path, response, tail):
            let channels = try run(response.channels, path)
            let length = channels.first?.count ?? 0
            guard length > 0 else { throw .weightsFile("\(path): nothing left after resampling to \(rate) Hz") }
            copy.source = .impulseResponse(path: path, response: ImpulseResponse(sampleRate: rate, channels: channels, routing: response.routing), tail: tail)
            copy.spec = try Self.respec(spec, kernelSize: length, padding: .samples(length - 1), context: "resampled to \(length) taps: ")
        case let .taps(path, soxAligned):
            let taps: [Double] = try Self.readTaps(path)
            // The centre 'same' padding puts at frame 0: (K − 1)/2 taps in (an even count
            // aligned as sox's fir: ⌊(N − 1)/2⌋). At the new rate it lies at centre · rate/from;
            // the new count is odd around the nearest tap, the response padded with zeros so
            // the resampler delivers that many.
            let centre = Double(soxAligned ? (taps.count - 1) / 2 : (spec.kernelSize - 1) / 2)
            let newCentre = Int((centre * Double(rate) / Double(from)).rounded())
            let count = 2 * newCentre + 1
            let padded = taps + [Double](repeating: 0, count: Int((Double(count) * Double(from) / Double(rate)).rounded(.up)) + 2)
            guard let resampled = try run([padded], path).first, resampled.count >= count else {
                throw .weightsFile("\(path): the resampler delivered too few taps at \(rate) Hz")
            }
            copy.source = .resampledTaps(path: path, taps: Array(resampled.prefix(count)))
            copy.spec = try Self.respec(spec, kernelSize: count, padding: .same, context: "resampled to \(count) taps: ")
        default:
            return self
        }
        copy.sampleRate = rate
        copy.resampledFrom = from
        return copy
    }
}
