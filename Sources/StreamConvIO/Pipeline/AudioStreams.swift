import CSndFile
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
    /// Frames the source promised (a file's header), when known; the pipeline compares it
    /// with the frames it could read to notice a truncated file.
    var promisedFrames: Int64? { get }
    /// Reads up to `signal.capacity` frames into `signal` (planar) and sets its `frames`;
    /// returns the count, 0 at the end.
    func read(into signal: inout Signal<Float>) throws(IOError) -> Int
    /// The same in double precision: samples arrive as the source has them, never rounded
    /// through `Float` on the way (`--precision double`).
    func read(into signal: inout Signal<Double>) throws(IOError) -> Int
}

/// The sample types the I/O layer carries: `Float` (the default) and `Double`. Generic code
/// (``FilterPipeline``) reaches a source's or sink's method for its type through this.
public protocol AudioSample: ConvScalar {
    /// `source.read(into:)` for this type.
    static func read(from source: any AudioSource, into signal: inout Signal<Self>) throws(IOError) -> Int
    /// `sink.write(_:)` for this type.
    static func write(_ signal: Signal<Self>, to sink: any AudioSink) throws(IOError)
}

extension Float: AudioSample {
    public static func read(from source: any AudioSource, into signal: inout Signal<Float>) throws(IOError) -> Int {
        try source.read(into: &signal)
    }

    public static func write(_ signal: Signal<Float>, to sink: any AudioSink) throws(IOError) {
        try sink.write(signal)
    }
}

extension Double: AudioSample {
    public static func read(from source: any AudioSource, into signal: inout Signal<Double>) throws(IOError) -> Int {
        try source.read(into: &signal)
    }

    public static func write(_ signal: Signal<Double>, to sink: any AudioSink) throws(IOError) {
        try sink.write(signal)
    }
}

extension AudioSource {
    /// A stream promises nothing.
    public var promisedFrames: Int64? { frameCount }

    /// Reads everything that is left, in blocks of `block` frames.
    /// - Throws: ``IOError/tooLongForWhole(path:limit:)`` past `limit` frames (an endless
    ///   input would otherwise fill the memory), or a read error.
    public func readAll(block: Int = 65536, limit: Int64 = .max, progress: (Int64) -> Void = { _ in }) throws(IOError) -> Signal<Float> {
        try readAll(as: Float.self, block: block, limit: limit, progress: progress)
    }

    /// ``readAll(block:limit:progress:)`` in sample type `T`.
    public func readAll<T: AudioSample>(as _: T.Type, block: Int = 65536, limit: Int64 = .max, progress: (Int64) -> Void = { _ in }) throws(IOError) -> Signal<T> {
        try readEverything(as: T.self, from: self, block: block, limit: limit, progress: progress)
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
    /// The same from double precision (`--precision double`): a float format rounds once,
    /// an integer format is quantised from the Double.
    func write(_ signal: Signal<Double>) throws(IOError)
    /// Completes the output (for a file: closes it and moves it into place).
    func commit() throws(IOError)
    /// Discards whatever was written (for a file: removes the temporary file).
    func abandon()
    /// Samples that were outside the output's integer range and were clipped.
    var clippedSamples: Int { get }
    /// NaN samples written as 0 (integer formats have no NaN).
    var nanWrittenAsZero: Int { get }
}

extension AudioSink {
    /// A float sink writes NaN as NaN.
    public var nanWrittenAsZero: Int { 0 }
}

/// Converts between planar signals and interleaved buffers at the I/O edge. Stereo, the
/// common case, goes 16 frames at a time through vector shuffles; other layouts run per sample.
enum Interleave {
    static func interleave<T: ConvScalar>(_ signal: Signal<T>, into buffer: inout [T]) {
        let (channels, frames, capacity) = (signal.channels, signal.frames, signal.capacity)
        if buffer.count < channels * frames { buffer = [T](repeating: 0, count: channels * frames) }
        signal.withUnsafeBufferPointer { src in
            buffer.withUnsafeMutableBufferPointer { dst in
                var done = 0
                if channels == 2 {
                    let (left, right, out) = (src.baseAddress!, src.baseAddress! + capacity, dst.baseAddress!)
                    while done + 16 <= frames {
                        let l = UnsafeRawPointer(left + done).loadUnaligned(as: SIMD16<T>.self)
                        let r = UnsafeRawPointer(right + done).loadUnaligned(as: SIMD16<T>.self)
                        var both = SIMD32<T>()
                        both.evenHalf = l
                        both.oddHalf = r
                        UnsafeMutableRawPointer(out + 2 * done).storeBytes(of: both, as: SIMD32<T>.self)
                        done += 16
                    }
                }
                for c in 0..<channels {
                    for i in done..<frames { dst[i * channels + c] = src[c * capacity + i] }
                }
            }
        }
    }

    static func deinterleave<T: ConvScalar>(_ buffer: UnsafeBufferPointer<T>, frames: Int, into signal: inout Signal<T>) {
        let (channels, capacity) = (signal.channels, signal.capacity)
        signal.setFrames(frames)
        signal.withUnsafeMutableBufferPointer { dst in
            var done = 0
            if channels == 2 {
                let (left, right, input) = (dst.baseAddress!, dst.baseAddress! + capacity, buffer.baseAddress!)
                while done + 16 <= frames {
                    let both = UnsafeRawPointer(input + 2 * done).loadUnaligned(as: SIMD32<T>.self)
                    UnsafeMutableRawPointer(left + done).storeBytes(of: both.evenHalf, as: SIMD16<T>.self)
                    UnsafeMutableRawPointer(right + done).storeBytes(of: both.oddHalf, as: SIMD16<T>.self)
                    done += 16
                }
            }
            for c in 0..<channels {
                for i in done..<frames { dst[c * capacity + i] = buffer[i * channels + c] }
            }
        }
    }
}

/// ``AudioSource/readAll(as:block:limit:progress:)``, pre-specialised (it is called from other modules).
@_specialize(where T == Float)
@_specialize(where T == Double)
func readEverything<T: AudioSample>(as _: T.Type, from source: any AudioSource, block: Int, limit: Int64, progress: (Int64) -> Void) throws(IOError) -> Signal<T> {
    var buffer = Signal<T>(channels: source.channels, capacity: block)
    var channelData = [[T]](repeating: [], count: source.channels)
    var total: Int64 = 0
    while try T.read(from: source, into: &buffer) > 0 {
        total += Int64(buffer.frames)
        if total > limit { throw .tooLongForWhole(path: source.name, limit: limit) }
        for c in 0..<source.channels { channelData[c] += buffer.channel(c) }
        progress(total)
    }
    return Signal(channelData)
}
