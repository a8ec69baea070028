import StreamConv

/// A WAV written as a stream, header first, to a descriptor that cannot seek (stdout into a
/// pipe with `--out - --type wav`), as sox and ffmpeg write one: libsndfile cannot (it
/// completes a WAV's header at the end). The sizes are the real ones when the frame count is
/// known in advance, else 0xFFFFFFFF, which readers (libsndfile, sox, ffmpeg) take as "until
/// the stream ends". The header follows the README's WAV rules: WAVE_FORMAT_EXTENSIBLE for
/// more than 2 channels or integers wider than 16 bits (with the default speaker mask for
/// 1, 2, 4, 6 and 8 channels, none otherwise), a `fact` chunk for floats. Samples are encoded
/// as raw output's are (``RawSink``: the same quantiser and dither).
public final class WAVStreamSink: AudioSink {
    private let descriptor: Int32
    private let name: String
    private let header: [UInt8]
    private var headerWritten = false
    private let samples: RawSink
    public var clippedSamples: Int { samples.clippedSamples }
    public var nanWrittenAsZero: Int { samples.nanWrittenAsZero }

    /// A stream of `encoding` samples, `frames` long when known.
    public init(descriptor: Int32 = 1, name: String = "stdout", encoding: SampleEncoding, channels: Int, sampleRate: Int,
                frames: Int64?, dither: Dither = .none, clip: ClipPolicy = .count) {
        self.descriptor = descriptor
        self.name = name
        header = Self.header(encoding: encoding, channels: channels, sampleRate: sampleRate, frames: frames)
        samples = RawSink(descriptor: descriptor, name: name, format: encoding, dither: dither, clip: clip)
    }

    /// The bytes before the samples.
    static func header(encoding: SampleEncoding, channels: Int, sampleRate: Int, frames: Int64?) -> [UInt8] {
        var bytes: [UInt8] = []
        func u16(_ v: Int) { bytes += [UInt8(v & 0xFF), UInt8(v >> 8 & 0xFF)] }
        func u32(_ v: Int64) { let w = UInt32(truncatingIfNeeded: v); bytes += [UInt8(w & 0xFF), UInt8(w >> 8 & 0xFF), UInt8(w >> 16 & 0xFF), UInt8(w >> 24)] }
        let isFloat = encoding.integerBits == nil
        let bits = encoding.bytes * 8
        let extensible = channels > 2 || (encoding.integerBits ?? 0) > 16
        let blockAlign = channels * encoding.bytes
        let dataBytes = frames.map { $0 * Int64(blockAlign) }
        let fits = dataBytes.map { $0 <= Int64(UInt32.max) - 80 } ?? false
        let fmtBytes = extensible ? 40 : 16
        let factBytes = isFloat ? 12 : 0
        bytes += Array("RIFF".utf8)
        u32(fits ? 4 + Int64(8 + fmtBytes + factBytes + 8) + dataBytes! : Int64(UInt32.max))
        bytes += Array("WAVE".utf8) + Array("fmt ".utf8)
        u32(Int64(fmtBytes))
        u16(extensible ? 0xFFFE : isFloat ? 3 : 1)
        u16(channels)
        u32(Int64(sampleRate))
        u32(Int64(sampleRate) * Int64(blockAlign))
        u16(blockAlign)
        u16(bits)
        if extensible {
            u16(22)
            u16(bits)
            let masks: [Int: Int64] = [1: 0x4, 2: 0x3, 4: 0x33, 6: 0x3F, 8: 0xFF]
            u32(masks[channels] ?? 0)
            // KSDATAFORMAT_SUBTYPE_PCM or _IEEE_FLOAT: the format tag, then the fixed GUID tail.
            u16(isFloat ? 3 : 1)
            bytes += [0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71]
        }
        if isFloat {
            bytes += Array("fact".utf8)
            u32(4)
            u32(fits ? frames! : Int64(UInt32.max))
        }
        bytes += Array("data".utf8)
        u32(fits ? dataBytes! : Int64(UInt32.max))
        return bytes
    }

    public func write(_ signal: Signal<Float>) throws(IOError) {
        try writeHeader()
        try samples.write(signal)
    }

    public func write(_ signal: Signal<Double>) throws(IOError) {
        try writeHeader()
        try samples.write(signal)
    }

    /// The header goes out with the first samples (or at the end of an empty output), so a
    /// run that fails before any output sends nothing.
    private func writeHeader() throws(IOError) {
        guard !headerWritten else { return }
        headerWritten = true
        if case let .failure(e) = header.withUnsafeBytes({ Syscall.writeAll(descriptor, $0) }) {
            throw .io(path: name, reason: e.description)
        }
    }

    public func commit() throws(IOError) { try writeHeader() }
    public func abandon() {}
}
