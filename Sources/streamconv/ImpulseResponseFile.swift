import StreamConvIO
import StreamConvPresets

/// Reads `impulse_response` files for presets: any format libsndfile reads, in Double (an
/// integer or float file arrives exact), refusing one longer than the presets take.
enum ImpulseResponseFile {
    static let reader: ImpulseResponseReader = { path in
        let source = try SndFileSource(path: SystemPath(path))
        let limit = ImpulseResponse.maximumLength
        if let frames = source.frameCount, frames > limit {
            throw PresetError.weightsFile("\(path): the impulse response has \(frames) samples; at most \(limit) are taken (trim its silent end)")
        }
        let samples = try source.readAll(as: Double.self, limit: Int64(limit))
        return ImpulseResponse(sampleRate: source.sampleRate, channels: (0..<samples.channels).map { samples.channel($0) })
    }

    /// Resamples a response made at another rate than the input's: libsoxr, very high quality.
    static let resampler: ResponseResampler = { channels, from, to in
        try SoxrResampler.resample(channels, from: from, to: to, name: "response")
    }

    /// What the summary and `info` say of a resampled response, or nil.
    static func resamplingNote(_ preset: Preset) -> String? {
        guard let from = preset.resampledFrom, let to = preset.sampleRate else { return nil }
        return "response resampled \(from) → \(to) Hz at load (\(SoxrResampler.quality))"
    }
}
