import CSndFile
import StreamConv

/// The one sample-encoding type: how samples are stored at every edge (raw pipes, ALSA
/// devices, libsndfile's sample types), with each edge's names as a table
/// (``fileNames``, ``rawNames``, and the ALSA module's `alsaNames`). One implementation of
/// interleaved little-endian samples for pipes and devices, so a live run and an offline run
/// of the same samples agree bit for bit. Integers are read as value / 2^(bits−1), exactly as libsndfile reads files, and
/// written through streamconv's ``Quantizer`` (round half to even, optional dither,
/// clipping counted), as file output is.
public enum SampleEncoding: Sendable, Equatable, CaseIterable {
    /// 16-bit signed.
    case s16
    /// 24-bit signed, packed in 3 bytes.
    case s24
    /// 32-bit signed.
    case s32
    /// 32-bit IEEE float.
    case f32
    /// 64-bit IEEE float.
    case f64

    /// `--out-format`: libsndfile's sample types, in the order messages list them.
    public static let fileNames: [(encoding: SampleEncoding, name: String)] = [(.f32, "float"), (.f64, "double"), (.s16, "pcm16"), (.s24, "pcm24"), (.s32, "pcm32")]
    /// `--raw-format`: raw pipes' sample types (no packed 24-bit), in the order messages list them.
    public static let rawNames: [(encoding: SampleEncoding, name: String)] = [(.f32, "f32"), (.f64, "f64"), (.s16, "s16"), (.s32, "s32")]

    /// The name of this sample type in a file (`--out-format`).
    public var fileName: String { Self.fileNames.first { $0.encoding == self }!.name }
    /// The name of this encoding on a raw pipe (`--raw-format`), `nil` for packed 24-bit.
    public var rawName: String? { Self.rawNames.first { $0.encoding == self }?.name }

    /// The sample type named `name` in ``fileNames``.
    public init?(fileName name: String) {
        guard let found = Self.fileNames.first(where: { $0.name == name }) else { return nil }
        self = found.encoding
    }

    /// The encoding named `name` in ``rawNames``.
    public init?(rawName name: String) {
        guard let found = Self.rawNames.first(where: { $0.name == name }) else { return nil }
        self = found.encoding
    }

    /// libsndfile's subtype code.
    var sndfileSubtype: Int32 {
        switch self {
        case .f32: Int32(SF_FORMAT_FLOAT)
        case .f64: Int32(SF_FORMAT_DOUBLE)
        case .s16: Int32(SF_FORMAT_PCM_16)
        case .s24: Int32(SF_FORMAT_PCM_24)
        case .s32: Int32(SF_FORMAT_PCM_32)
        }
    }

    /// Bytes per sample.
    public var bytes: Int {
        switch self {
        case .s16: return 2
        case .s24: return 3
        case .s32, .f32: return 4
        case .f64: return 8
        }
    }

    /// Bits of an integer encoding, `nil` for float.
    public var integerBits: Int? {
        switch self {
        case .s16: return 16
        case .s24: return 24
        case .s32: return 32
        case .f32, .f64: return nil
        }
    }

    /// Decodes `frames` interleaved frames into `signal` (planar, `frames` set); allocates
    /// nothing. Into `Double`, integers and floats arrive exactly (no rounding through Float).
    public func decode<T: ConvScalar>(_ raw: UnsafeRawPointer, frames: Int, into signal: inout Signal<T>) {
        let channels = signal.channels
        let capacity = signal.capacity
        let width = bytes
        signal.setFrames(frames)
        signal.withUnsafeMutableBufferPointer { dst in
            for i in 0..<frames {
                for c in 0..<channels {
                    let at = (i * channels + c) * width
                    let value: T
                    switch self {
                    case .s16: value = T(Int16(littleEndian: raw.loadUnaligned(fromByteOffset: at, as: Int16.self))) * 0x1p-15
                    case .s24:
                        let b = raw.advanced(by: at).assumingMemoryBound(to: UInt8.self)
                        let v = Int32(bitPattern: UInt32(b[0]) << 8 | UInt32(b[1]) << 16 | UInt32(b[2]) << 24) >> 8
                        value = T(v) * 0x1p-23
                    case .s32: value = T(Int32(littleEndian: raw.loadUnaligned(fromByteOffset: at, as: Int32.self))) * 0x1p-31
                    case .f32: value = T(Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: at, as: UInt32.self))))
                    case .f64: value = T(Double(bitPattern: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: at, as: UInt64.self))))
                    }
                    dst[c * capacity + i] = value
                }
            }
        }
    }

    /// Encodes `signal`'s frames (its first frame being absolute output frame `start`, for
    /// the dither) into `raw`, interleaved. `quantizer` is required for integer encodings.
    public func encode<T: ConvScalar>(_ signal: Signal<T>, start: Int64, quantizer: inout Quantizer?, into raw: UnsafeMutableRawPointer) {
        let (channels, frames, capacity, width) = (signal.channels, signal.frames, signal.capacity, bytes)
        signal.withUnsafeBufferPointer { src in
            for c in 0..<channels {
                for i in 0..<frames {
                    let x = src[c * capacity + i]
                    let at = (i * channels + c) * width
                    switch self {
                    case .f32:
                        raw.storeBytes(of: Float(x).bitPattern.littleEndian, toByteOffset: at, as: UInt32.self)
                    case .f64:
                        raw.storeBytes(of: Double(x).bitPattern.littleEndian, toByteOffset: at, as: UInt64.self)
                    case .s16:
                        raw.storeBytes(of: Int16(quantizer!.code(double: Double(x), frame: start + Int64(i), channel: c)).littleEndian, toByteOffset: at, as: Int16.self)
                    case .s24:
                        let v = UInt32(bitPattern: quantizer!.code(double: Double(x), frame: start + Int64(i), channel: c))
                        raw.storeBytes(of: UInt8(truncatingIfNeeded: v), toByteOffset: at, as: UInt8.self)
                        raw.storeBytes(of: UInt8(truncatingIfNeeded: v >> 8), toByteOffset: at + 1, as: UInt8.self)
                        raw.storeBytes(of: UInt8(truncatingIfNeeded: v >> 16), toByteOffset: at + 2, as: UInt8.self)
                    case .s32:
                        raw.storeBytes(of: quantizer!.code(double: Double(x), frame: start + Int64(i), channel: c).littleEndian, toByteOffset: at, as: Int32.self)
                    }
                }
            }
        }
    }
}
