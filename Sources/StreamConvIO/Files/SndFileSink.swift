import CSndFile

#if canImport(Glibc)
import Glibc
#endif
import StreamConv

/// Writes a file through libsndfile into an ``OutputFile``, which decides how the file
/// reaches its target (atomically for regular files; see there).
///
/// Integer encodings are quantised by streamconv (``Quantizer``: round half to even, optional
/// TPDF dither, clipping counted or refused), the same for every container. Output is
/// reproducible byte for byte, and the same whether or not its length was known in advance:
/// no PEAK chunk (it holds the time of writing). A WAV that would pass 4 GiB is written as
/// RF64. A WAV whose length is not known in advance (raw or piped input, live) is completed
/// as RF64 in a scratch file beside the output and copied into the output at ``commit()``,
/// now knowing its length: so it is the plain WAV (or RF64) a known length gives, header and
/// all, byte for byte, never RF64 turned back into WAV (a JUNK chunk and an extensible
/// format header whatever the channels).
public final class SndFileSink: AudioSink {
    /// Everything about the file besides its samples.
    public struct Settings: Sendable {
        /// Container and encoding (see ``Container/outputFormat(path:type:input:sampleFormat:channels:rate:)``).
        public var format: SndFileFormat
        /// Noise before rounding to integers.
        public var dither: Dither = .none
        /// Clipped samples counted, or an error.
        public var clip: ClipPolicy = .count
        /// VBR quality 0…1 for lossy encoders (`--quality`).
        public var quality: Double?
        /// Compression level 0…1 for FLAC (`--compression`).
        public var compression: Double?
        /// Strings and channel map to write.
        public var metadata = AudioMetadata()
        /// Frames that will be written, when known: decides WAV against RF64.
        public var expectedFrames: Int64?

        /// Settings for `format`; the rest defaults.
        public init(format: SndFileFormat) { self.format = format }
    }

    /// Where the file goes.
    public let output: OutputFile
    /// The format written (RF64 where a WAV would be too large; a WAV of unknown length:
    /// as asked, decided between WAV and RF64 at ``commit()``).
    public let format: SndFileFormat
    /// The path as given.
    public var path: SystemPath { output.path }
    private var handle: OpaquePointer?
    /// The scratch file a WAV of unknown length is completed in (as RF64) before ``commit()``.
    private var staging: Int32?
    private let settings: Settings
    private let sampleRate: Int
    private var floats: [Float] = []
    private var doubles: [Double] = []
    private var integers: [Int32] = []
    private var quantizer: Quantizer?
    /// What of the input's metadata the output's format could not hold (the BWF `bext`
    /// chunk, cue points, sampler loops), by name, for the caller to warn about.
    public private(set) var droppedMetadata: [String] = []
    private let clipPolicy: ClipPolicy
    private let channels: Int
    private let byteLimit: Int64?
    private var framesWritten: Int64 = 0
    public var clippedSamples: Int { quantizer?.clipped ?? 0 }
    /// NaN samples written as 0 to an integer encoding.
    public var nanWrittenAsZero: Int { quantizer?.notANumber ?? 0 }

    /// The largest data size a 32-bit RIFF or AIFF size field describes, less room for the header.
    static let classicLimit: Int64 = Int64(UInt32.max) - (1 << 20)

    /// The WAV container for `format` and `dataBytes` of samples: RF64 above ``classicLimit``.
    static func wavContainer(for format: SndFileFormat, dataBytes: Int64) -> SndFileFormat {
        guard format.isWAV, dataBytes > classicLimit else { return format }
        return SndFileFormat(major: Int32(SF_FORMAT_RF64), subtype: format.subtype)
    }

    /// Opens a libsndfile writer on `output` for `channels` channels at `sampleRate`.
    /// - Throws: ``IOError/format(path:reason:)`` when the format cannot be written,
    ///   ``IOError/open(path:reason:)`` when libsndfile refuses it.
    public init(output: OutputFile, settings: Settings, channels: Int, sampleRate: Int) throws(IOError) {
        let name = output.path.description
        let dataBytes = settings.expectedFrames.map { $0 * Int64(channels * settings.format.bytesPerSample) }
        let format = dataBytes.map { Self.wavContainer(for: settings.format, dataBytes: $0) } ?? settings.format
        let sizeLimited = format.major == Int32(SF_FORMAT_AIFF)
        if sizeLimited, let dataBytes, dataBytes > Self.classicLimit {
            throw .format(path: name, reason: "\(SndFile.formatName(format.major)) cannot hold more than 4 GiB (this output is \(dataBytes) bytes); write .caf, .w64 or .rf64")
        }
        guard format.canWrite(channels: channels, rate: sampleRate) else {
            throw .format(path: name, reason: "\(SndFile.formatName(format.major)) cannot hold \(SndFile.formatName(format.subtype)) with \(channels) channels at \(sampleRate) Hz; choose another --out-format (\(SampleEncoding.fileNames.map(\.name).joined(separator: ", "))) or output file type")
        }
        if format.isWAV && dataBytes == nil {
            let scratch = try output.scratch()
            do {
                // The scratch RF64's refusals do not count: the final file's are what is kept.
                handle = try Self.open(scratch, name: name, format: SndFileFormat(major: Int32(SF_FORMAT_RF64), subtype: format.subtype),
                                       settings: settings, channels: channels, sampleRate: sampleRate).handle
            } catch {
                close(scratch)
                throw error
            }
            staging = scratch
        } else {
            let opened = try Self.open(output.descriptor, name: name, format: format, settings: settings, channels: channels, sampleRate: sampleRate)
            handle = opened.handle
            droppedMetadata = opened.refused
        }
        self.output = output
        self.format = format
        self.settings = settings
        self.sampleRate = sampleRate
        self.channels = channels
        clipPolicy = settings.clip
        byteLimit = sizeLimited ? Self.classicLimit : nil
        quantizer = format.integerBits.map { Quantizer(bits: $0, dither: settings.dither) }
    }

    /// A libsndfile writer on `descriptor` with the settings' strings, channel map and
    /// encoder options, and no PEAK chunk.
    /// Also returns what of the metadata the format refused (``droppedMetadata``).
    private static func open(_ descriptor: Int32, name: String, format: SndFileFormat, settings: Settings, channels: Int, sampleRate: Int) throws(IOError) -> (handle: OpaquePointer, refused: [String]) {
        var info = SF_INFO()
        info.format = format.code
        info.channels = Int32(channels)
        info.samplerate = Int32(sampleRate)
        guard let handle = SndFile.open(descriptor: descriptor, mode: Int32(SFM_WRITE), info: &info) else {
            throw .open(path: name, reason: SndFile.lastError(nil))
        }
        SndFile.disablePeakChunk(handle)
        if let map = settings.metadata.channelMap, map.count == channels { _ = SndFile.setChannelMap(handle, map) }
        for key in MetadataKey.allCases {
            if let value = settings.metadata.strings[key] { SndFile.setString(handle, key.rawValue, value) }
        }
        let refused = SndFile.setPositionedMetadata(handle, settings.metadata)
        if let quality = settings.quality, !SndFile.set(SndFile.vbrQuality, quality, on: handle) {
            _ = SndFile.close(handle)
            throw .format(path: name, reason: "--quality applies to lossy encodings (Vorbis, Opus, MP3) and FLAC, not \(format)")
        }
        if let level = settings.compression, !SndFile.set(SndFile.compressionLevel, level, on: handle) {
            _ = SndFile.close(handle)
            throw .format(path: name, reason: "--compression applies to FLAC (and Opus), not \(format)")
        }
        return (handle, refused)
    }

    /// A sink for `path` (see ``OutputFile``), the format chosen as
    /// ``Container/outputFormat(path:type:input:sampleFormat:channels:rate:)`` with no input.
    /// - Parameter frames: the frames that will be written, when known (WAV or RF64).
    public convenience init(path: SystemPath, sampleFormat: SampleEncoding?, channels: Int, sampleRate: Int, frames: Int64? = nil) throws(IOError) {
        let format = try Container.outputFormat(path: path, type: nil, input: nil, sampleFormat: sampleFormat, channels: channels, rate: sampleRate)
        var settings = Settings(format: format)
        settings.expectedFrames = frames
        try self.init(output: OutputFile(path: path), settings: settings, channels: channels, sampleRate: sampleRate)
    }

    deinit { abandon() }

    /// Writes a whole signal to `path` in one go.
    /// - Returns: the committed sink, for its ``clippedSamples``.
    @discardableResult
    public static func writeFile(_ signal: Signal<Float>, to path: String, sampleFormat: SampleEncoding?, sampleRate: Int) throws(IOError) -> SndFileSink {
        let sink = try SndFileSink(path: SystemPath(path), sampleFormat: sampleFormat, channels: signal.channels, sampleRate: sampleRate, frames: Int64(signal.frames))
        try sink.write(signal)
        try sink.commit()
        return sink
    }

    public func write(_ signal: Signal<Float>) throws(IOError) {
        try write(signal, through: &floats) { SndFile.writeFrames($0, from: $1, frames: $2) }
    }

    /// Writes with `sf_writef_double` (libsndfile rounds once to a float format), or quantises
    /// the Doubles for an integer format.
    public func write(_ signal: Signal<Double>) throws(IOError) {
        try write(signal, through: &doubles) { SndFile.writeFrames($0, from: $1, frames: $2) }
    }

    private func write<T: ConvScalar>(
        _ signal: Signal<T>, through buffer: inout [T], _ writeFrames: (OpaquePointer, UnsafePointer<T>, Int) -> Int
    ) throws(IOError) {
        guard let handle else { throw .io(path: path.description, reason: "written after the file was closed") }
        precondition(signal.channels == channels, "signal channel count must match the file")
        let frames = signal.frames
        guard frames > 0 else { return }
        if let byteLimit, (framesWritten + Int64(frames)) * Int64(channels * format.bytesPerSample) > byteLimit {
            throw .format(path: path.description, reason: "\(SndFile.formatName(format.major)) cannot hold more than 4 GiB; write .caf, .w64 or .rf64")
        }
        let written: Int
        if var q = quantizer {
            if integers.count < frames * channels { integers = [Int32](repeating: 0, count: frames * channels) }
            let start = framesWritten
            signal.withUnsafeBufferPointer { src in
                integers.withUnsafeMutableBufferPointer { dst in
                    for c in 0..<channels {
                        let row = c * signal.capacity
                        for i in 0..<frames {
                            dst[i * channels + c] = q.leftAligned(Double(src[row + i]), frame: start + Int64(i), channel: c)
                        }
                    }
                }
            }
            quantizer = q
            if clipPolicy == .error, let at = q.firstClip {
                throw .clipped(path: path.description, frame: at.frame, channel: at.channel)
            }
            written = integers.withUnsafeBufferPointer { SndFile.writeFrames(handle, from: $0.baseAddress!, frames: frames) }
        } else {
            Interleave.interleave(signal, into: &buffer)
            written = buffer.withUnsafeBufferPointer { writeFrames(handle, $0.baseAddress!, frames) }
        }
        if written != frames {
            throw .io(path: path.description, reason: "write failed: \(SndFile.lastError(handle))")
        }
        framesWritten += Int64(frames)
    }

    public func commit() throws(IOError) {
        guard let handle else { throw .io(path: path.description, reason: "already closed") }
        self.handle = nil
        if SndFile.close(handle) != 0 {
            abandon()
            throw .io(path: path.description, reason: "closing failed: \(SndFile.lastError(nil))")
        }
        do {
            var written = format
            if let staging { written = try copyStaged(staging) }
            // libsndfile writes RF64's PEAK chunk whatever it is told.
            if written.major == Int32(SF_FORMAT_RF64) { SndFile.blankPeakChunk(output.descriptor) }
            if written.major == Int32(SF_FORMAT_FLAC), let input = settings.metadata.vorbisComments { try copyComments(input) }
        } catch {
            abandon()
            throw error
        }
        try output.commit()
    }

    /// Every Vorbis comment of a FLAC input into this FLAC output: libsndfile's own (the
    /// strings chosen for the output) first, then the input's other keys, in its order.
    /// An output that cannot be read back (a FIFO) keeps libsndfile's only, and says so.
    private func copyComments(_ input: [String]) throws(IOError) {
        guard let written = FLACComments.read(output.descriptor) else {
            droppedMetadata.append("\(input.count) Vorbis comments")
            return
        }
        func key(_ comment: String) -> String { String(comment.prefix { $0 != "=" }).uppercased() }
        let have = Set(written.map(key))
        let merged = written + input.filter { !have.contains(key($0)) }
        guard merged != written else { return }
        guard FLACComments.replace(output.descriptor, comments: merged) else {
            throw .io(path: path.description, reason: "cannot write the input's Vorbis comments into the FLAC output: \(Errno(errno))")
        }
    }

    /// The staged RF64 written into the output as the WAV (or RF64) its length calls for.
    /// Integer codes are copied as integers and floats as doubles: exact either way.
    private func copyStaged(_ scratch: Int32) throws(IOError) -> SndFileFormat {
        let name = path.description
        defer { close(scratch); staging = nil }
        guard lseek(scratch, 0, SEEK_SET) == 0 else { throw .io(path: name, reason: "cannot rewind the scratch file: \(Errno(errno))") }
        var info = SF_INFO()
        guard let reader = SndFile.open(descriptor: scratch, mode: Int32(SFM_READ), info: &info) else {
            throw .io(path: name, reason: "cannot read the scratch file back: \(SndFile.lastError(nil))")
        }
        defer { _ = SndFile.close(reader) }
        let final = Self.wavContainer(for: settings.format, dataBytes: framesWritten * Int64(channels * settings.format.bytesPerSample))
        let (writer, refused) = try Self.open(output.descriptor, name: name, format: final, settings: settings, channels: channels, sampleRate: sampleRate)
        droppedMetadata = refused
        let block = 1 << 14
        var failed = false
        if final.integerBits != nil {
            var buffer = [Int32](repeating: 0, count: block * channels)
            buffer.withUnsafeMutableBufferPointer { b in
                while case let n = SndFile.readFrames(reader, into: b.baseAddress!, frames: block), n > 0 {
                    if SndFile.writeFrames(writer, from: UnsafePointer(b.baseAddress!), frames: n) != n { failed = true; return }
                }
            }
        } else {
            var buffer = [Double](repeating: 0, count: block * channels)
            buffer.withUnsafeMutableBufferPointer { b in
                while case let n = SndFile.readFrames(reader, into: b.baseAddress!, frames: block), n > 0 {
                    if SndFile.writeFrames(writer, from: UnsafePointer(b.baseAddress!), frames: n) != n { failed = true; return }
                }
            }
        }
        let reason = failed ? SndFile.lastError(writer) : nil
        if SndFile.close(writer) != 0 || failed {
            throw .io(path: name, reason: "write failed: \(reason ?? SndFile.lastError(nil))")
        }
        return final
    }

    public func abandon() {
        if let handle {
            self.handle = nil
            _ = SndFile.close(handle)
        }
        if let staging {
            close(staging)
            self.staging = nil
        }
        output.abandon()
    }
}
