import Foundation
import StreamConv

/// Raw interleaved float32 little-endian frames from a file descriptor (standard input for `-`).
public final class RawSource: AudioSource {
    public let name: String
    public let channels: Int
    public let sampleRate: Int
    public let frameCount: Int64? = nil
    private let descriptor: Int32
    private var bytes: [UInt8] = []
    private var pending = 0

    /// Frames of `channels` float32 samples at `sampleRate`, read from `descriptor`.
    public init(descriptor: Int32 = 0, name: String = "stdin", channels: Int, sampleRate: Int) {
        self.descriptor = descriptor
        self.name = name
        self.channels = channels
        self.sampleRate = sampleRate
    }

    public func read(into signal: inout Signal<Float>) throws(IOError) -> Int {
        let frameBytes = 4 * channels
        let want = signal.capacity * frameBytes
        if bytes.count < want { bytes = [UInt8](repeating: 0, count: want) }
        // Fill the block completely unless the input ends, so block sizes do not depend on pipe timing.
        while pending < want {
            let n = bytes.withUnsafeMutableBytes { Foundation.read(descriptor, $0.baseAddress! + pending, want - pending) }
            if n < 0 {
                if errno == EINTR { continue }
                throw .io(path: name, reason: String(cString: strerror(errno)))
            }
            if n == 0 { break }
            pending += n
        }
        let frames = pending / frameBytes
        if frames == 0 && pending > 0 { throw .partialFrame(bytes: pending, frameBytes: frameBytes) }
        bytes.withUnsafeBytes { raw in
            let floats = raw.bindMemory(to: UInt32.self)
            var values = [Float](repeating: 0, count: frames * channels)
            for i in 0..<(frames * channels) { values[i] = Float(bitPattern: UInt32(littleEndian: floats[i])) }
            values.withUnsafeBufferPointer { Interleave.deinterleave($0, frames: frames, into: &signal) }
        }
        let used = frames * frameBytes
        if pending > used { bytes.withUnsafeMutableBytes { $0.copyMemory(from: UnsafeRawBufferPointer(rebasing: $0[used..<pending])) } }
        pending -= used
        return frames
    }
}

/// Raw interleaved float32 little-endian frames to a file descriptor (standard output for `-`).
public final class RawSink: AudioSink {
    private let descriptor: Int32
    private let name: String
    private var interleaved: [Float] = []
    /// Always 0: float32 output is never clipped.
    public let clippedSamples = 0

    /// Writes to `descriptor`.
    public init(descriptor: Int32 = 1, name: String = "stdout") {
        self.descriptor = descriptor
        self.name = name
    }

    public func write(_ signal: Signal<Float>) throws(IOError) {
        guard signal.frames > 0 else { return }
        Interleave.interleave(signal, into: &interleaved)
        let count = signal.frames * signal.channels
        for i in 0..<count { interleaved[i] = Float(bitPattern: interleaved[i].bitPattern.littleEndian) }
        var offset = 0
        let total = count * 4
        while offset < total {
            let n = interleaved.withUnsafeBytes { Foundation.write(descriptor, $0.baseAddress! + offset, total - offset) }
            if n < 0 {
                if errno == EINTR { continue }
                throw .io(path: name, reason: String(cString: strerror(errno)))
            }
            offset += n
        }
    }

    public func commit() throws(IOError) {}
    public func abandon() {}
}

/// A temporary file holding planar output frames until they can be written in order: circular
/// padding's first outputs are known only at the end of the signal, and the sink must receive
/// them first. Unlinked as soon as it is created, so nothing is left behind.
final class SpillFile {
    private let descriptor: Int32
    private let channels: Int
    private let writer: RawSink

    init(channels: Int) throws(IOError) {
        let base = ProcessInfo.processInfo.environment["TMPDIR"] ?? "/tmp"
        var template = Array("\(base)/streamconv-spill-XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        if fd < 0 { throw .io(path: base, reason: "cannot create a temporary file: \(String(cString: strerror(errno)))") }
        template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
        descriptor = fd
        self.channels = channels
        writer = RawSink(descriptor: fd, name: "temporary file")
    }

    deinit { close(descriptor) }

    func append(_ signal: Signal<Float>) throws(IOError) {
        try writer.write(signal)
    }

    /// Writes every spilled frame to `sink`, in blocks of `block` frames.
    func replay(into sink: any AudioSink, block: Int) throws(IOError) {
        if lseek(descriptor, 0, SEEK_SET) < 0 { throw .io(path: "temporary file", reason: String(cString: strerror(errno))) }
        let source = RawSource(descriptor: descriptor, name: "temporary file", channels: channels, sampleRate: 1)
        var buffer = Signal<Float>(channels: channels, capacity: block)
        while try source.read(into: &buffer) > 0 { try sink.write(buffer) }
    }
}
