import CSndFile
import StreamConv

/// Reads any file libsndfile reads (WAV incl. WAVE_FORMAT_EXTENSIBLE, FLAC, Ogg/Vorbis, AIFF,
/// CAF, …) as `Float` frames. Integer PCM is normalised as libsndfile does: divided by 2^(bits−1).
public final class SndFileSource: AudioSource {
    public let name: String
    public let channels: Int
    public let sampleRate: Int
    public let frameCount: Int64?
    /// libsndfile's format code (major format | subtype), kept for writing the output alike.
    public let format: Int32
    private let handle: OpaquePointer
    private var interleaved: [Float] = []

    /// Opens `path` for reading.
    /// - Throws: ``IOError/open(path:reason:)`` with libsndfile's reason.
    public init(path: String) throws(IOError) {
        var info = SF_INFO()
        guard let handle = SndFile.open(path, mode: Int32(SFM_READ), info: &info) else {
            throw .open(path: path, reason: SndFile.lastError(nil))
        }
        self.handle = handle
        name = path
        channels = Int(info.channels)
        sampleRate = Int(info.samplerate)
        frameCount = info.frames >= 0 && info.frames < Int64.max / 2 ? Int64(info.frames) : nil
        format = info.format
    }

    deinit { _ = SndFile.close(handle) }

    /// The major format, e.g. WAV, FLAC.
    public var majorFormat: Int32 { format & Int32(SndFileCodes.typeMask) }
    /// The subtype, e.g. PCM_16, FLOAT.
    public var subtype: Int32 { format & Int32(SndFileCodes.subMask) }
    /// "WAV (Microsoft), Signed 16 bit PCM".
    public var formatDescription: String {
        "\(SndFile.formatName(majorFormat)), \(SndFile.formatName(subtype))"
    }

    public func read(into signal: inout Signal<Float>) throws(IOError) -> Int {
        precondition(signal.channels == channels, "signal channel count must match the file")
        let want = signal.capacity
        if interleaved.count < want * channels { interleaved = [Float](repeating: 0, count: want * channels) }
        let got = interleaved.withUnsafeMutableBufferPointer { SndFile.readFrames(handle, into: $0.baseAddress!, frames: want) }
        if got < 0 || (got == 0 && sf_error(handle) != 0) {
            throw .io(path: name, reason: SndFile.lastError(handle))
        }
        interleaved.withUnsafeBufferPointer { Interleave.deinterleave($0, frames: got, into: &signal) }
        return got
    }
}
