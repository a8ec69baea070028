import CSndFile

/// libsndfile's C calls, in one place: opening, reading, writing, and turning its error codes
/// into messages. Everything else in the module goes through this file.
enum SndFile {
    /// The library's message for the last error on `handle` (or the last open error when nil).
    static func lastError(_ handle: OpaquePointer?) -> String {
        String(cString: sf_strerror(handle))
    }

    static func open(_ path: String, mode: Int32, info: inout SF_INFO) -> OpaquePointer? {
        sf_open(path, mode, &info)
    }

    static func formatIsValid(_ info: SF_INFO) -> Bool {
        var copy = info
        return sf_format_check(&copy) == Int32(SF_TRUE)
    }

    /// Turns on libsndfile's clipping for float → integer writes, which also makes it scale
    /// by 2^(bits−1), the inverse of how it normalises integer samples when reading.
    static func enableClipping(_ handle: OpaquePointer) {
        sf_command(handle, Int32(SFC_SET_CLIPPING), nil, Int32(SF_TRUE))
    }

    static func readFrames(_ handle: OpaquePointer, into buffer: UnsafeMutablePointer<Float>, frames: Int) -> Int {
        Int(sf_readf_float(handle, buffer, sf_count_t(frames)))
    }

    static func writeFrames(_ handle: OpaquePointer, from buffer: UnsafePointer<Float>, frames: Int) -> Int {
        Int(sf_writef_float(handle, buffer, sf_count_t(frames)))
    }

    static func close(_ handle: OpaquePointer) -> Int32 {
        sf_close(handle)
    }

    /// The name libsndfile gives a major format or subtype ("WAV (Microsoft)", "Signed 16 bit PCM").
    static func formatName(_ format: Int32) -> String {
        var info = SF_FORMAT_INFO(format: format, name: nil, extension: nil)
        guard sf_command(nil, Int32(SFC_GET_FORMAT_INFO), &info, Int32(MemoryLayout<SF_FORMAT_INFO>.size)) == 0,
              let name = info.name else {
            return String(format, radix: 16)
        }
        return String(cString: name)
    }

    /// The major format libsndfile uses for a file extension, if it knows one.
    static func majorFormat(forExtension ext: String) -> Int32? {
        let table: [String: Int] = [
            "wav": SF_FORMAT_WAV, "wave": SF_FORMAT_WAV, "flac": SF_FORMAT_FLAC, "ogg": SF_FORMAT_OGG,
            "oga": SF_FORMAT_OGG, "aif": SF_FORMAT_AIFF, "aiff": SF_FORMAT_AIFF, "aifc": SF_FORMAT_AIFF,
            "caf": SF_FORMAT_CAF, "au": SF_FORMAT_AU, "snd": SF_FORMAT_AU, "w64": SF_FORMAT_W64,
            "rf64": SF_FORMAT_RF64, "voc": SF_FORMAT_VOC, "wavex": SF_FORMAT_WAVEX, "opus": SF_FORMAT_OGG,
        ]
        return table[ext.lowercased()].map { Int32($0) }
    }
}
