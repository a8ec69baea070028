import StreamConv

/// Where frames come from: a file, standard input, a device.
public protocol AudioSource: AnyObject {
    /// What to call the source in messages (a path, "stdin").
    var name: String { get }
    /// Channels per frame.
    var channels: Int { get }
    /// Frames per second.
    var sampleRate: Int { get }
    /// Total frames, when known in advance (files); `nil` for streams.
    var frameCount: Int64? { get }
    /// Reads up to `signal.capacity` frames into `signal` (planar) and sets its `frames`;
    /// returns the count, 0 at the end.
    func read(into signal: inout Signal<Float>) throws(IOError) -> Int
}

extension AudioSource {
    /// Reads everything that is left, in blocks of `block` frames.
    public func readAll(block: Int = 65536, progress: (Int64) -> Void = { _ in }) throws(IOError) -> Signal<Float> {
        var buffer = Signal<Float>(channels: channels, capacity: block)
        var channelData = [[Float]](repeating: [], count: channels)
        var total: Int64 = 0
        while try read(into: &buffer) > 0 {
            for c in 0..<channels { channelData[c] += buffer.channel(c) }
            total += Int64(buffer.frames)
            progress(total)
        }
        return Signal(channelData)
    }
}

extension Duration {
    /// The duration in seconds.
    public var inSeconds: Double {
        Double(components.seconds) + Double(components.attoseconds) * 1e-18
    }
}

/// Where frames go.
public protocol AudioSink: AnyObject {
    /// Writes the valid frames of `signal` (planar).
    func write(_ signal: Signal<Float>) throws(IOError)
    /// Completes the output (for a file: closes it and moves it into place).
    func commit() throws(IOError)
    /// Discards whatever was written (for a file: removes the temporary file).
    func abandon()
    /// Samples that were outside the output's integer range and were clipped.
    var clippedSamples: Int { get }
}

/// The sample type written to an output file: `--out-format`.
public enum SampleFormat: String, CaseIterable, Sendable, CustomStringConvertible {
    case float, double, pcm16, pcm24, pcm32

    /// libsndfile's subtype code.
    var subtype: Int32 {
        switch self {
        case .float: return Int32(SndFileCodes.float)
        case .double: return Int32(SndFileCodes.double)
        case .pcm16: return Int32(SndFileCodes.pcm16)
        case .pcm24: return Int32(SndFileCodes.pcm24)
        case .pcm32: return Int32(SndFileCodes.pcm32)
        }
    }

    public var description: String { rawValue }
}

/// Counts samples outside the range an integer format of `bits` bits holds after libsndfile
/// scales by 2^(bits−1): `[−1, (2^(bits−1)−1)/2^(bits−1)]`.
struct ClipCounter {
    let bits: Int?
    private(set) var count = 0

    mutating func scan(_ samples: UnsafeBufferPointer<Float>) {
        guard let bits else { return }
        let top = Float(Double((1 << (bits - 1)) - 1) / Double(1 << (bits - 1)))
        for x in samples where x > top || x < -1 { count += 1 }
    }
}

/// Converts between planar signals and interleaved buffers at the I/O edge.
enum Interleave {
    static func interleave(_ signal: Signal<Float>, into buffer: inout [Float]) {
        let (channels, frames, capacity) = (signal.channels, signal.frames, signal.capacity)
        if buffer.count < channels * frames { buffer = [Float](repeating: 0, count: channels * frames) }
        signal.withUnsafeBufferPointer { src in
            buffer.withUnsafeMutableBufferPointer { dst in
                for c in 0..<channels {
                    for i in 0..<frames { dst[i * channels + c] = src[c * capacity + i] }
                }
            }
        }
    }

    static func deinterleave(_ buffer: UnsafeBufferPointer<Float>, frames: Int, into signal: inout Signal<Float>) {
        let (channels, capacity) = (signal.channels, signal.capacity)
        signal.setFrames(frames)
        signal.withUnsafeMutableBufferPointer { dst in
            for c in 0..<channels {
                for i in 0..<frames { dst[c * capacity + i] = buffer[i * channels + c] }
            }
        }
    }
}
