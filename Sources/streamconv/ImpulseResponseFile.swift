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
}
