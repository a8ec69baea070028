import CSndFile

/// A libsndfile file format: a container (major format: WAV, FLAC, …) and an encoding
/// (subtype: 16-bit PCM, float, Vorbis, …), the two halves of libsndfile's format code.
public struct SndFileFormat: Hashable, Sendable, CustomStringConvertible {
    /// The container bits (`SF_FORMAT_TYPEMASK`).
    public let major: Int32
    /// The encoding bits (`SF_FORMAT_SUBMASK`).
    public let subtype: Int32

    /// A format from its two halves.
    public init(major: Int32, subtype: Int32) {
        self.major = major & Int32(SF_FORMAT_TYPEMASK)
        self.subtype = subtype & Int32(SF_FORMAT_SUBMASK)
    }

    /// A format from libsndfile's combined code.
    public init(code: Int32) { self.init(major: code, subtype: code) }

    /// libsndfile's combined code.
    public var code: Int32 { major | subtype }

    /// "WAV (Microsoft), Signed 16 bit PCM".
    public var description: String { "\(SndFile.formatName(major)), \(SndFile.formatName(subtype))" }

    /// Whether the encoding is lossy (Vorbis, Opus, MPEG audio): its samples are not the
    /// original ones, so another container gets a neutral sample type instead.
    public var isLossy: Bool {
        [SF_FORMAT_VORBIS, SF_FORMAT_OPUS, SF_FORMAT_MPEG_LAYER_I, SF_FORMAT_MPEG_LAYER_II, SF_FORMAT_MPEG_LAYER_III]
            .contains(Int(subtype))
    }

    /// Whether samples are written as floating point (float, double and the lossy codecs,
    /// which take floats); otherwise streamconv quantises them itself (``integerBits``).
    public var takesFloat: Bool {
        isLossy || subtype == Int32(SF_FORMAT_FLOAT) || subtype == Int32(SF_FORMAT_DOUBLE)
    }

    /// The integer resolution the encoding stores: the PCM width, or 16 for the codecs that
    /// libsndfile feeds from 16-bit samples (µ-law, A-law, ADPCM, GSM…); `nil` for float.
    public var integerBits: Int? {
        if takesFloat { return nil }
        switch Int(subtype) {
        case SF_FORMAT_PCM_S8, SF_FORMAT_PCM_U8, SF_FORMAT_DPCM_8: return 8
        case SF_FORMAT_DWVW_12: return 12
        case SF_FORMAT_ALAC_20: return 20
        case SF_FORMAT_PCM_24, SF_FORMAT_DWVW_24, SF_FORMAT_ALAC_24: return 24
        case SF_FORMAT_PCM_32, SF_FORMAT_ALAC_32: return 32
        default: return 16
        }
    }

    /// Bytes one sample takes in the file at most (for the 4 GiB limit of 32-bit containers).
    var bytesPerSample: Int {
        switch Int(subtype) {
        case SF_FORMAT_PCM_S8, SF_FORMAT_PCM_U8, SF_FORMAT_ULAW, SF_FORMAT_ALAW: return 1
        case SF_FORMAT_PCM_16: return 2
        case SF_FORMAT_PCM_24: return 3
        case SF_FORMAT_DOUBLE: return 8
        default: return 4
        }
    }

    /// Whether the container is RIFF WAVE (plain or extensible).
    var isWAV: Bool { major == Int32(SF_FORMAT_WAV) || major == Int32(SF_FORMAT_WAVEX) }

    /// Whether libsndfile can write this format with `channels` channels at `rate`.
    func canWrite(channels: Int, rate: Int) -> Bool {
        SndFile.formatIsValid(format: code, channels: channels, rate: rate)
    }
}

/// A container streamconv writes, as named by a file extension or `--type`.
public struct Container: Sendable {
    /// Names accepted by `--type`; the first is the usual one.
    public let names: [String]
    /// File extensions that choose it.
    public let extensions: [String]
    /// libsndfile's major format.
    let major: Int32
    /// The encoding the container implies (Vorbis for .ogg, Opus for .opus, MP3 for .mp3).
    let codec: Int32?

    /// Every container, in the order messages list them.
    public static let all: [Container] = [
        Container(names: ["wav"], extensions: ["wav", "wave"], major: Int32(SF_FORMAT_WAV), codec: nil),
        Container(names: ["wavex"], extensions: [], major: Int32(SF_FORMAT_WAVEX), codec: nil),
        Container(names: ["rf64"], extensions: ["rf64"], major: Int32(SF_FORMAT_RF64), codec: nil),
        Container(names: ["w64"], extensions: ["w64"], major: Int32(SF_FORMAT_W64), codec: nil),
        Container(names: ["flac"], extensions: ["flac"], major: Int32(SF_FORMAT_FLAC), codec: nil),
        Container(names: ["aiff"], extensions: ["aiff", "aif", "aifc"], major: Int32(SF_FORMAT_AIFF), codec: nil),
        Container(names: ["caf"], extensions: ["caf"], major: Int32(SF_FORMAT_CAF), codec: nil),
        Container(names: ["au"], extensions: ["au", "snd"], major: Int32(SF_FORMAT_AU), codec: nil),
        Container(names: ["voc"], extensions: ["voc"], major: Int32(SF_FORMAT_VOC), codec: nil),
        Container(names: ["ogg", "vorbis"], extensions: ["ogg", "oga"], major: Int32(SF_FORMAT_OGG), codec: Int32(SF_FORMAT_VORBIS)),
        Container(names: ["opus"], extensions: ["opus"], major: Int32(SF_FORMAT_OGG), codec: Int32(SF_FORMAT_OPUS)),
        Container(names: ["mp3"], extensions: ["mp3"], major: Int32(SF_FORMAT_MPEG), codec: Int32(SF_FORMAT_MPEG_LAYER_III)),
    ]

    /// The container `--type` names.
    public static func named(_ name: String) -> Container? {
        all.first { $0.names.contains(name.lowercased()) }
    }

    /// The container a file extension chooses.
    public static func forExtension(_ ext: String) -> Container? {
        all.first { $0.extensions.contains(ext.lowercased()) }
    }

    /// ".wav, .wave, .rf64, …" for messages.
    public static var extensionList: String { all.flatMap(\.extensions).map { "." + $0 }.joined(separator: ", ") }
    /// "wav, wavex, rf64, …" for messages.
    public static var nameList: String { all.map(\.names[0]).joined(separator: ", ") }

    /// The output format for an output path, explained in the README:
    /// - container: `--type`, else the extension of `path` (an extension libsndfile cannot
    ///   write is an error), else (no extension, e.g. `/dev/null`) the input's, else WAV;
    /// - encoding: `--out-format`, else the container's codec (.ogg → Vorbis, .opus → Opus,
    ///   .mp3 → MPEG layer III), else the input's when it is lossless and the container holds
    ///   it, else float (24-bit PCM for FLAC, which has no float);
    /// - WAV becomes WAVE_FORMAT_EXTENSIBLE when the input was, or when the output has more
    ///   than 2 channels or integer samples wider than 16 bits.
    /// - Throws: ``IOError/format(path:reason:)`` naming what was asked and what is possible.
    public static func outputFormat(
        path: SystemPath, type: String?, input: SndFileFormat?, sampleFormat: SampleEncoding?, channels: Int, rate: Int
    ) throws(IOError) -> SndFileFormat {
        let name = path.description
        guard channels <= SndFile.maximumChannels else {
            throw .format(path: name, reason: "audio files hold at most \(SndFile.maximumChannels) channels (libsndfile's limit) and this output has \(channels); write raw samples with --out - instead")
        }
        let container: Container?
        if let type {
            guard let named = named(type) else {
                throw .format(path: name, reason: "unknown --type \(type); use one of \(nameList)")
            }
            container = named
        } else if !path.pathExtension.isEmpty {
            guard let known = forExtension(path.pathExtension) else {
                throw .format(path: name, reason: "no audio container is known for .\(path.pathExtension); use one of \(extensionList), or name the container with --type (\(nameList))")
            }
            container = known
        } else {
            container = nil
        }
        var major = container?.major ?? input?.major ?? Int32(SF_FORMAT_WAV)
        let subtype: Int32
        if let sampleFormat {
            subtype = sampleFormat.sndfileSubtype
        } else if let codec = container?.codec {
            subtype = codec
        } else if let input, !input.isLossy, SndFileFormat(major: major, subtype: input.subtype).canWrite(channels: channels, rate: rate) {
            subtype = input.subtype
        } else {
            subtype = major == Int32(SF_FORMAT_FLAC) ? Int32(SF_FORMAT_PCM_24) : Int32(SF_FORMAT_FLOAT)
        }
        if major == Int32(SF_FORMAT_WAV) && type != "wav" {
            let wide = SndFileFormat(major: major, subtype: subtype).integerBits.map { $0 > 16 } ?? false
            if input?.major == Int32(SF_FORMAT_WAVEX) || channels > 2 || wide { major = Int32(SF_FORMAT_WAVEX) }
        }
        let format = SndFileFormat(major: major, subtype: subtype)
        guard format.canWrite(channels: channels, rate: rate) else {
            if container?.codec != nil && sampleFormat == nil {
                throw .format(path: name, reason: "this libsndfile cannot write \(format) (\(channels) channels at \(rate) Hz); choose another output type")
            }
            throw .format(path: name, reason: "\(SndFile.formatName(major)) cannot hold \(SndFile.formatName(subtype)) with \(channels) channels at \(rate) Hz; choose another --out-format (\(SampleEncoding.fileNames.map(\.name).joined(separator: ", "))) or output file type")
        }
        return format
    }
}
