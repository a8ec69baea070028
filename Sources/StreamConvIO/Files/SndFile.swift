import CSndFile

#if canImport(Glibc)
import Glibc
#endif

/// libsndfile's C calls, in one place: opening, reading, writing, commands and metadata,
/// and turning its error codes into messages. Everything else in the module goes through
/// this file.
enum SndFile {
    /// The library's message for the last error on `handle` (or the last open error when nil).
    static func lastError(_ handle: OpaquePointer?) -> String {
        String(cString: sf_strerror(handle))
    }

    /// Opens an already open file descriptor; libsndfile never sees a path, so names that
    /// are not UTF-8 work. The caller keeps ownership of `descriptor`, open, whatever happens.
    ///
    /// libsndfile gets a duplicate and owns it (`close_desc` true): 1.0.31–1.2.x close the
    /// descriptor of a failed `sf_open_fd` even when told not to (libsndfile #948, #949), so
    /// a caller closing its own after a failure would close a number another thread may
    /// have opened meanwhile. The duplicate shares the file offset; libsndfile closes it in
    /// `sf_close` or on failure (an older library that leaks it on a failure leaks one
    /// descriptor, which is harmless next to closing someone else's).
    static func open(descriptor: Int32, mode: Int32, info: inout SF_INFO) -> OpaquePointer? {
        guard case let .success(duplicate) = Syscall.duplicate(descriptor) else { return nil }
        return sf_open_fd(duplicate, mode, &info, Int32(SF_TRUE))
    }

    /// The most channels libsndfile reads or writes (`SF_MAX_CHANNELS`).
    static let maximumChannels = 1024

    static func formatIsValid(format: Int32, channels: Int, rate: Int) -> Bool {
        guard channels > 0, channels <= maximumChannels, rate > 0, rate <= Int(Int32.max) else { return false }
        var info = SF_INFO()
        info.format = format
        info.channels = Int32(channels)
        info.samplerate = Int32(rate)
        return sf_format_check(&info) == Int32(SF_TRUE)
    }

    /// Settings made before the first sample is written.
    static func disablePeakChunk(_ handle: OpaquePointer) {
        // The PEAK chunk holds the time of writing, which would make two identical runs differ.
        sf_command(handle, Int32(SFC_SET_ADD_PEAK_CHUNK), nil, Int32(SF_FALSE))
    }

    /// Turns a closed RF64's PEAK chunk (whose timestamp would make two identical runs differ,
    /// and which libsndfile writes for RF64 whatever it is told) into a JUNK chunk of zeros
    /// of the same size: the samples stay where they are and readers skip it.
    static func blankPeakChunk(_ descriptor: Int32) {
        var head = [UInt8](repeating: 0, count: 1 << 16)
        let n = pread(descriptor, &head, head.count, 0)
        guard n > 0 else { return }
        for chunk in riffChunks(Array(head[0..<n])) {
            if chunk.id == "data" { return }
            if chunk.id == "PEAK" {
                let blank = Array("JUNK".utf8) + head[(chunk.offset + 4)..<(chunk.offset + 8)] + [UInt8](repeating: 0, count: chunk.size)
                _ = pwrite(descriptor, blank, blank.count, off_t(chunk.offset))
                return
            }
        }
    }

    /// The chunks of a RIFF/WAVE (or RF64) header in `bytes`, in order: each one's id, the
    /// offset of its 8-byte chunk header and its payload size; empty for anything else.
    /// Stops at the first chunk whose header does not fit in `bytes`.
    static func riffChunks(_ bytes: [UInt8]) -> [(id: String, offset: Int, size: Int)] {
        guard bytes.count >= 12, bytes[8..<12].elementsEqual("WAVE".utf8),
              bytes[0..<4].elementsEqual("RIFF".utf8) || bytes[0..<4].elementsEqual("RF64".utf8) else { return [] }
        var chunks: [(id: String, offset: Int, size: Int)] = []
        var at = 12
        while at + 8 <= bytes.count {
            let size = littleEndian32(bytes, at + 4)
            chunks.append((String(decoding: bytes[at..<(at + 4)], as: UTF8.self), at, size))
            at += 8 + size + (size & 1)
        }
        return chunks
    }

    static func littleEndian32(_ bytes: [UInt8], _ i: Int) -> Int {
        Int(bytes[i]) | Int(bytes[i + 1]) << 8 | Int(bytes[i + 2]) << 16 | Int(bytes[i + 3]) << 24
    }

    /// Sets a double-valued command (VBR quality, compression level); false when refused.
    static func set(_ command: Int32, _ value: Double, on handle: OpaquePointer) -> Bool {
        var v = value
        return sf_command(handle, command, &v, Int32(MemoryLayout<Double>.size)) == Int32(SF_TRUE)
    }

    static let vbrQuality = Int32(SFC_SET_VBR_ENCODING_QUALITY)
    static let compressionLevel = Int32(SFC_SET_COMPRESSION_LEVEL)

    /// The channel map stored in the file (WAVEX mask, CAF layout…), if it has one.
    static func channelMap(_ handle: OpaquePointer, channels: Int) -> [Int32]? {
        var map = [Int32](repeating: 0, count: channels)
        let ok = map.withUnsafeMutableBytes {
            sf_command(handle, Int32(SFC_GET_CHANNEL_MAP_INFO), $0.baseAddress, Int32($0.count))
        }
        return ok == Int32(SF_TRUE) && map.contains(where: { $0 != 0 }) ? map : nil
    }

    static func setChannelMap(_ handle: OpaquePointer, _ map: [Int32]) -> Bool {
        var copy = map
        return copy.withUnsafeMutableBytes {
            sf_command(handle, Int32(SFC_SET_CHANNEL_MAP_INFO), $0.baseAddress, Int32($0.count))
        } == Int32(SF_TRUE)
    }

    static func string(_ handle: OpaquePointer, _ kind: Int32) -> String? {
        sf_get_string(handle, kind).map { String(cString: $0) }
    }

    static func setString(_ handle: OpaquePointer, _ kind: Int32, _ value: String) {
        _ = sf_set_string(handle, kind, value)
    }

    static func readFrames(_ handle: OpaquePointer, into buffer: UnsafeMutablePointer<Float>, frames: Int) -> Int {
        Int(sf_readf_float(handle, buffer, sf_count_t(frames)))
    }

    static func readFrames(_ handle: OpaquePointer, into buffer: UnsafeMutablePointer<Double>, frames: Int) -> Int {
        Int(sf_readf_double(handle, buffer, sf_count_t(frames)))
    }

    static func writeFrames(_ handle: OpaquePointer, from buffer: UnsafePointer<Double>, frames: Int) -> Int {
        Int(sf_writef_double(handle, buffer, sf_count_t(frames)))
    }

    static func writeFrames(_ handle: OpaquePointer, from buffer: UnsafePointer<Float>, frames: Int) -> Int {
        Int(sf_writef_float(handle, buffer, sf_count_t(frames)))
    }

    static func writeFrames(_ handle: OpaquePointer, from buffer: UnsafePointer<Int32>, frames: Int) -> Int {
        Int(sf_writef_int(handle, buffer, sf_count_t(frames)))
    }

    static func readFrames(_ handle: OpaquePointer, into buffer: UnsafeMutablePointer<Int32>, frames: Int) -> Int {
        Int(sf_readf_int(handle, buffer, sf_count_t(frames)))
    }

    /// Opens a read-only stream that `reader` feeds (its ``PipeReader/callbacks``); the
    /// reader must stay alive until the handle is closed.
    static func open(reader: PipeReader, info: inout SF_INFO) -> OpaquePointer? {
        var io = PipeReader.callbacks
        return sf_open_virtual(&io, Int32(SFM_READ), &info, Unmanaged.passUnretained(reader).toOpaque())
    }

    static func error(_ handle: OpaquePointer) -> Int32 { sf_error(handle) }

    /// A structure libsndfile fills by `command`, as bytes; nil when the file has none.
    static func structure<T>(_ handle: OpaquePointer, _ command: Int32, as _: T.Type) -> [UInt8]? {
        var bytes = [UInt8](repeating: 0, count: MemoryLayout<T>.size)
        let found = bytes.withUnsafeMutableBytes { sf_command(handle, command, $0.baseAddress, Int32($0.count)) }
        return found == Int32(SF_TRUE) ? bytes : nil
    }

    /// Hands libsndfile a structure (bytes as ``structure(_:_:as:)`` gave them); false when
    /// the format cannot hold it.
    static func setStructure(_ handle: OpaquePointer, _ command: Int32, _ bytes: [UInt8]) -> Bool {
        var copy = bytes
        return copy.withUnsafeMutableBytes { sf_command(handle, command, $0.baseAddress, Int32($0.count)) } == Int32(SF_TRUE)
    }

    /// The input's `bext`, cue points and sampler data.
    static func positionedMetadata(_ handle: OpaquePointer) -> (broadcast: [UInt8]?, cues: [UInt8]?, instrument: [UInt8]?) {
        var cues = structure(handle, Int32(SFC_GET_CUE), as: SF_CUES.self)
        if let c = cues, cueCount(c) == 0 { cues = nil }
        var instrument = structure(handle, Int32(SFC_GET_INSTRUMENT), as: SF_INSTRUMENT.self)
        if let i = instrument, loopCount(i) == 0 { instrument = nil }
        return (structure(handle, Int32(SFC_GET_BROADCAST_INFO), as: SF_BROADCAST_INFO.self), cues, instrument)
    }

    /// What of `metadata`'s `bext`, cues and sampler data the writer refused (its format
    /// cannot hold them), by name.
    static func setPositionedMetadata(_ handle: OpaquePointer, _ metadata: AudioMetadata) -> [String] {
        // libsndfile accepts cues and sampler data for any file and writes them only in WAV
        // (cue, smpl) and AIFF (MARK, INST): the container decides, not the call's answer.
        var info = SF_INFO()
        _ = sf_command(handle, Int32(SFC_GET_CURRENT_SF_INFO), &info, Int32(MemoryLayout<SF_INFO>.size))
        let major = info.format & Int32(SF_FORMAT_TYPEMASK)
        let holdsMarkers = major == Int32(SF_FORMAT_WAV) || major == Int32(SF_FORMAT_WAVEX) || major == Int32(SF_FORMAT_AIFF)
        var refused: [String] = []
        if let b = metadata.broadcastInfo, !setStructure(handle, Int32(SFC_SET_BROADCAST_INFO), b) { refused.append("BWF bext chunk") }
        if let c = metadata.cues, !(holdsMarkers && setStructure(handle, Int32(SFC_SET_CUE), c)) {
            refused.append("\(cueCount(c)) cue point" + (cueCount(c) == 1 ? "" : "s"))
        }
        if let i = metadata.instrument, !(holdsMarkers && setStructure(handle, Int32(SFC_SET_INSTRUMENT), i)) {
            refused.append("\(loopCount(i)) sampler loop" + (loopCount(i) == 1 ? "" : "s"))
        }
        return refused
    }

    static func cueCount(_ bytes: [UInt8]) -> Int {
        bytes.withUnsafeBytes { Int($0.load(as: SF_CUES.self).cue_count) }
    }

    static func loopCount(_ bytes: [UInt8]) -> Int {
        bytes.withUnsafeBytes { Int($0.load(as: SF_INSTRUMENT.self).loop_count) }
    }

    static func rescaleBroadcast(_ bytes: inout [UInt8], _ scale: (UInt64) -> UInt64) {
        bytes.withUnsafeMutableBytes { raw in
            var info = raw.load(as: SF_BROADCAST_INFO.self)
            let t = scale(UInt64(info.time_reference_high) << 32 | UInt64(info.time_reference_low))
            (info.time_reference_high, info.time_reference_low) = (UInt32(t >> 32), UInt32(t & 0xFFFF_FFFF))
            raw.storeBytes(of: info, as: SF_BROADCAST_INFO.self)
        }
    }

    static func rescaleCues(_ bytes: inout [UInt8], _ scale: (UInt64) -> UInt64) {
        bytes.withUnsafeMutableBytes { raw in
            var cues = raw.load(as: SF_CUES.self)
            withUnsafeMutableBytes(of: &cues.cue_points) { points in
                let list = points.bindMemory(to: SF_CUE_POINT.self)
                for i in 0..<min(Int(cues.cue_count), list.count) {
                    list[i].position = UInt32(clamping: scale(UInt64(list[i].position)))
                    list[i].sample_offset = UInt32(clamping: scale(UInt64(list[i].sample_offset)))
                }
            }
            raw.storeBytes(of: cues, as: SF_CUES.self)
        }
    }

    static func rescaleInstrument(_ bytes: inout [UInt8], _ scale: (UInt64) -> UInt64) {
        // The loops follow loop_count: 16 of { int mode; uint32 start, end, count } (the C
        // header's anonymous struct, which Swift does not name).
        let count = loopCount(bytes)
        let first = MemoryLayout<SF_INSTRUMENT>.offset(of: \SF_INSTRUMENT.loop_count)! + 4
        bytes.withUnsafeMutableBytes { raw in
            for i in 0..<min(count, 16) {
                let at = first + 16 * i
                let start = raw.load(fromByteOffset: at + 4, as: UInt32.self), end = raw.load(fromByteOffset: at + 8, as: UInt32.self)
                raw.storeBytes(of: UInt32(clamping: scale(UInt64(start))), toByteOffset: at + 4, as: UInt32.self)
                // libsndfile keeps the end one past the last looped sample: rounded up, so
                // the loop still ends on the output sample its last input sample became.
                let scaledEnd = UInt64(end) == 0 ? 0 : scale(UInt64(end) - 1) + 1
                raw.storeBytes(of: UInt32(clamping: scaledEnd), toByteOffset: at + 8, as: UInt32.self)
            }
        }
    }

    /// Why libsndfile may have refused a WAV it could not describe: a sample rate or channel
    /// count it cannot hold, read from the `fmt ` chunk directly (libsndfile only says
    /// "SF_INFO struct incomplete").
    static func wavHeaderProblem(_ bytes: [UInt8]) -> String? {
        guard bytes.count >= 4, bytes[0..<4].elementsEqual("RIFF".utf8),
              let fmt = riffChunks(bytes).first(where: { $0.id == "fmt " }), fmt.offset + 16 <= bytes.count else { return nil }
        let at = fmt.offset
        let channels = Int(bytes[at + 10]) | Int(bytes[at + 11]) << 8
        let rate = littleEndian32(bytes, at + 12)
        if channels == 0 || channels > maximumChannels { return "the WAV header gives \(channels) channels (1 to \(maximumChannels) are possible)" }
        if rate == 0 || rate > Int(Int32.max) { return "the WAV header gives a sample rate of \(rate) Hz (1 to \(Int32.max) Hz are possible)" }
        return nil
    }

    /// libsndfile's log of what it found while parsing the header.
    static func log(_ handle: OpaquePointer) -> String {
        var buffer = [CChar](repeating: 0, count: 8192)
        let n = buffer.withUnsafeMutableBufferPointer { sf_command(handle, Int32(SFC_GET_LOG_INFO), $0.baseAddress, Int32($0.count)) }
        return n > 0 ? String(decoding: buffer.prefix(Int(n)).map { UInt8(bitPattern: $0) }, as: UTF8.self) : ""
    }

    /// The header's data size against the bytes really there, when libsndfile had to shorten
    /// a data chunk the file does not hold (its log says `data : 192000 (should be 500)`).
    static func shortenedDataChunk(_ handle: OpaquePointer) -> (promised: Int64, present: Int64)? {
        for line in log(handle).split(separator: "\n") {
            let words = line.split(separator: " ")
            guard words.count >= 6, ["data", "SSND"].contains(words[0]), words[1] == ":", words[3] == "(should",
                  let promised = Int64(words[2]), let present = Int64(words[5].dropLast()), present < promised else { continue }
            return (promised, present)
        }
        return nil
    }

    static func close(_ handle: OpaquePointer) -> Int32 {
        sf_close(handle)
    }

    /// The name libsndfile gives a major format or subtype ("WAV (Microsoft)", "Signed 16 bit PCM").
    static func formatName(_ format: Int32) -> String {
        var info = SF_FORMAT_INFO(format: format, name: nil, extension: nil)
        guard sf_command(nil, Int32(SFC_GET_FORMAT_INFO), &info, Int32(MemoryLayout<SF_FORMAT_INFO>.size)) == 0,
              let name = info.name else {
            return "format 0x" + String(format, radix: 16)
        }
        return String(cString: name)
    }

}

/// The string metadata a file can carry, libsndfile's `SF_STR_*` kinds.
public enum MetadataKey: Int32, CaseIterable, Sendable, CustomStringConvertible {
    case title = 0x01, copyright = 0x02, software = 0x03, artist = 0x04, comment = 0x05
    case date = 0x06, album = 0x07, license = 0x08, trackNumber = 0x09, genre = 0x10

    public var description: String {
        switch self {
        case .trackNumber: return "track number"
        default: return "\(self)".lowercased()
        }
    }
}

/// What a file carries besides its samples, copied from input to output.
public struct AudioMetadata: Sendable, Equatable {
    /// Title, artist, album, comment, date… (each only when present).
    public var strings: [MetadataKey: String]
    /// One `SF_CHANNEL_MAP_*` value per channel (a WAVEX channel mask, a CAF layout), if known.
    public var channelMap: [Int32]?
    /// A BWF `bext` chunk (description, originator, time reference, UMID, loudness, coding
    /// history): libsndfile's `SF_BROADCAST_INFO`, as its bytes.
    public var broadcastInfo: [UInt8]?
    /// Cue points (WAV `cue `, AIFF markers): `SF_CUES`, as its bytes.
    public var cues: [UInt8]?
    /// Sampler data with loop points (WAV `smpl`, AIFF `INST`): `SF_INSTRUMENT`, as its bytes.
    public var instrument: [UInt8]?
    /// Every Vorbis comment of a FLAC input (`KEY=value`), libsndfile's ten strings among them.
    public var vorbisComments: [String]?

    /// Every sample position (the `bext` time reference, cue points, loop points) moved to
    /// an output at `outputs`/`inputs` of the input's rate (a strided filter's), rounded down.
    public mutating func rescalePositions(outputs: Int, inputs: Int) {
        guard outputs != inputs else { return }
        func scale(_ x: UInt64) -> UInt64 { x * UInt64(outputs) / UInt64(inputs) }
        if var b = broadcastInfo { SndFile.rescaleBroadcast(&b, scale); broadcastInfo = b }
        if var c = cues { SndFile.rescaleCues(&c, scale); cues = c }
        if var i = instrument { SndFile.rescaleInstrument(&i, scale); instrument = i }
    }

    /// Metadata from its parts.
    public init(strings: [MetadataKey: String] = [:], channelMap: [Int32]? = nil) {
        self.strings = strings
        self.channelMap = channelMap
    }
}
