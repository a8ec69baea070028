import StreamConv
import StreamConvIO

/// Device samples ↔ planar `Float`, at the device edge. Integers are read as value / 2^(bits−1),
/// exactly as libsndfile reads files, so a live run and an offline run of the same samples
/// agree bit for bit; they are written through streamconv's ``Quantizer`` (round half to
/// even, optional dither, clipping counted), as file output is.
enum SampleCodec {
    /// Decodes `frames` interleaved frames of `format` into `signal` (planar, `frames` set).
    static func decode(_ raw: UnsafeRawPointer, format: PCMFormat, frames: Int, into signal: inout Signal<Float>) {
        let channels = signal.channels
        let capacity = signal.capacity
        signal.setFrames(frames)
        signal.withUnsafeMutableBufferPointer { dst in
            for i in 0..<frames {
                for c in 0..<channels {
                    let at = (i * channels + c) * format.bytes
                    let value: Float
                    switch format {
                    case .s16LE: value = Float(Int16(littleEndian: raw.loadUnaligned(fromByteOffset: at, as: Int16.self))) * 0x1p-15
                    case .s24_3LE:
                        let b = raw.advanced(by: at).assumingMemoryBound(to: UInt8.self)
                        let v = Int32(bitPattern: UInt32(b[0]) << 8 | UInt32(b[1]) << 16 | UInt32(b[2]) << 24) >> 8
                        value = Float(v) * 0x1p-23
                    case .s32LE: value = Float(Int32(littleEndian: raw.loadUnaligned(fromByteOffset: at, as: Int32.self))) * 0x1p-31
                    case .floatLE: value = Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: at, as: UInt32.self)))
                    }
                    dst[c * capacity + i] = value
                }
            }
        }
    }

    /// Encodes `signal`'s frames (the first output frame being absolute frame `start`) into
    /// `raw` as interleaved `format`.
    static func encode(_ signal: Signal<Float>, format: PCMFormat, start: Int64, quantizer: inout Quantizer?, into raw: UnsafeMutableRawPointer) {
        let (channels, frames, capacity) = (signal.channels, signal.frames, signal.capacity)
        signal.withUnsafeBufferPointer { src in
            for c in 0..<channels {
                for i in 0..<frames {
                    let x = src[c * capacity + i]
                    let at = (i * channels + c) * format.bytes
                    switch format {
                    case .floatLE:
                        raw.storeBytes(of: x.bitPattern.littleEndian, toByteOffset: at, as: UInt32.self)
                    case .s16LE:
                        raw.storeBytes(of: Int16(quantizer!.code(x, frame: start + Int64(i), channel: c)).littleEndian, toByteOffset: at, as: Int16.self)
                    case .s24_3LE:
                        let v = UInt32(bitPattern: quantizer!.code(x, frame: start + Int64(i), channel: c))
                        raw.storeBytes(of: UInt8(truncatingIfNeeded: v), toByteOffset: at, as: UInt8.self)
                        raw.storeBytes(of: UInt8(truncatingIfNeeded: v >> 8), toByteOffset: at + 1, as: UInt8.self)
                        raw.storeBytes(of: UInt8(truncatingIfNeeded: v >> 16), toByteOffset: at + 2, as: UInt8.self)
                    case .s32LE:
                        raw.storeBytes(of: quantizer!.code(x, frame: start + Int64(i), channel: c).littleEndian, toByteOffset: at, as: Int32.self)
                    }
                }
            }
        }
    }
}
