import CSndFile

#if canImport(Glibc)
import Glibc
#endif

/// `--out - --type T`: a self-describing file on standard output. Into a file the shell
/// opened, any container (libsndfile completes the header in place); into a pipe, the ones
/// that can be written front to back: WAV (``WAVStreamSink``), and AU, FLAC and Ogg, which
/// libsndfile streams itself.
public enum StreamOutput {
    /// Containers libsndfile writes to a pipe.
    static let pipeable: Set<Int32> = [Int32(SF_FORMAT_AU), Int32(SF_FORMAT_FLAC), Int32(SF_FORMAT_OGG)]

    /// The sink for `format` on stdout.
    /// - Throws: ``IOError/format(path:reason:)`` for a container that cannot be streamed to a pipe.
    public static func sink(format: SndFileFormat, settings: SndFileSink.Settings, channels: Int, rate: Int, descriptor: Int32 = 1) throws(IOError) -> any AudioSink {
        guard case let .success(st) = Syscall.descriptorStatus(descriptor) else {
            throw .open(path: "stdout", reason: Errno(errno).description)
        }
        if FileKind(st) != .regular {
            if format.isWAV {
                guard let encoding = SampleEncoding.allCases.first(where: { $0.sndfileSubtype == format.subtype }) else {
                    throw .format(path: "stdout", reason: "a WAV stream holds \(SampleEncoding.fileNames.map(\.name).joined(separator: ", ")), not \(SndFile.formatName(format.subtype)); give --out-format")
                }
                return WAVStreamSink(descriptor: descriptor, encoding: encoding, channels: channels, sampleRate: rate,
                                     frames: settings.expectedFrames, dither: settings.dither, clip: settings.clip)
            }
            guard pipeable.contains(format.major) else {
                throw .format(path: "stdout", reason: "\(SndFile.formatName(format.major)) cannot be written to a pipe (its header is completed at the end); stream --type wav, au, flac or ogg, or redirect stdout to a file")
            }
        }
        let output = try OutputFile(standardOutput: descriptor)
        return try SndFileSink(output: output, settings: settings, channels: channels, sampleRate: rate)
    }
}
