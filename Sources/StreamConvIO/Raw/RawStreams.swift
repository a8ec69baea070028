import Foundation
import StreamConv

/// Raw interleaved little-endian frames from a file descriptor (standard input for `-`).
public final class RawSource: AudioSource {
    public let name: String
    public let channels: Int
    public let sampleRate: Int
    public let frameCount: Int64? = nil
    /// The sample encoding.
    public let format: SampleEncoding
    private let descriptor: Int32
    private var bytes: [UInt8] = []
    private var pending = 0
    private var checkedHeader: Bool
    /// Return whole frames as soon as they arrive instead of waiting for a full block.
    public var immediate = false

    /// Frames of `channels` samples of `format` at `sampleRate`, read from `descriptor`.
    /// - Parameters:
    ///   - detectHeaders: refuse input that starts like an audio file (``StreamContainer``),
    ///     judged by the stream's first bytes (offset 0), however they arrive.
    ///   - head: bytes already read from the stream's start (an ``InputProbe`` that consumed them).
    public init(descriptor: Int32 = 0, name: String = "stdin", channels: Int, sampleRate: Int, format: SampleEncoding = .f32, detectHeaders: Bool = true, head: [UInt8] = []) {
        checkedHeader = !detectHeaders
        bytes = head
        pending = head.count
        self.descriptor = descriptor
        self.name = name
        self.channels = channels
        self.sampleRate = sampleRate
        self.format = format
    }

    /// Waits for the first bytes, before anything large is built for the input.
    /// - Returns: false when the input is empty.
    /// - Throws: ``IOError/rawIsAFile(path:container:)`` when the input starts with an audio
    ///   file's header (a WAV piped into raw input), or a read error.
    public func hasData() throws(IOError) -> Bool {
        try checkHeaderFirst()
        if pending == 0 { try fill(upTo: 1) }
        return pending > 0
    }

    /// Before any frame is taken: the first bytes, at stream offset 0, checked.
    private func checkHeaderFirst() throws(IOError) {
        guard !checkedHeader else { return }
        try fill(upTo: StreamContainer.magicLength)
        try checkHeader()
    }

    public func read(into signal: inout Signal<Float>) throws(IOError) -> Int {
        try readFrames(into: &signal)
    }

    public func read(into signal: inout Signal<Double>) throws(IOError) -> Int {
        try readFrames(into: &signal)
    }

    private func readFrames<T: ConvScalar>(into signal: inout Signal<T>) throws(IOError) -> Int {
        try checkHeaderFirst()
        let frameBytes = format.bytes * channels
        if immediate {
            // Whatever whole frames have arrived, as soon as there is one: a pipe's latency is
            // the filter's, not a block's. Chunking cannot change the output, so this is safe.
            try fill(upTo: signal.capacity * frameBytes, atLeast: frameBytes)
        } else {
            try fill(upTo: signal.capacity * frameBytes)
        }
        let frames = min(pending / frameBytes, signal.capacity)
        if frames == 0 && pending > 0 { throw .partialFrame(bytes: pending, frameBytes: frameBytes) }
        bytes.withUnsafeBytes { format.decode($0.baseAddress!, frames: frames, into: &signal) }
        let used = frames * frameBytes
        if pending > used { bytes.withUnsafeMutableBytes { $0.copyMemory(from: UnsafeRawBufferPointer(rebasing: $0[used..<pending])) } }
        pending -= used
        return frames
    }

    /// Reads until `want` bytes are pending (or, with `atLeast`, until that many are and no
    /// more has arrived) or the input ends.
    private func fill(upTo want: Int, atLeast enough: Int? = nil) throws(IOError) {
        if bytes.count < want { bytes += [UInt8](repeating: 0, count: want - bytes.count) }
        while pending < want {
            if let enough, pending >= enough && pending % enough == 0 { return }
            let result = bytes.withUnsafeMutableBytes { Syscall.read(descriptor, into: $0.baseAddress! + pending, count: want - pending) }
            switch result {
            case let .success(n):
                if n == 0 { return }
                pending += n
            case let .failure(e):
                throw .io(path: name, reason: e.description)
            }
        }
    }

    /// Refuses an audio file's header where raw samples were promised.
    private func checkHeader() throws(IOError) {
        guard !checkedHeader else { return }
        checkedHeader = true
        if let container = StreamContainer(magic: Array(bytes.prefix(pending))) {
            throw .rawIsAFile(path: name, container: container.phrase)
        }
    }
}

/// Raw interleaved little-endian frames to a file descriptor (standard output for `-`).
/// Integer formats are quantised like file output (``Quantizer``).
public final class RawSink: AudioSink {
    private let descriptor: Int32
    private let name: String
    private let format: SampleEncoding
    private var bytes: [UInt8] = []
    private var quantizer: Quantizer?
    private let clipPolicy: ClipPolicy
    private var framesWritten: Int64 = 0
    public var clippedSamples: Int { quantizer?.clipped ?? 0 }
    public var nanWrittenAsZero: Int { quantizer?.notANumber ?? 0 }

    /// Writes `format` samples to `descriptor`.
    public init(descriptor: Int32 = 1, name: String = "stdout", format: SampleEncoding = .f32, dither: Dither = .none, clip: ClipPolicy = .count) {
        self.descriptor = descriptor
        self.name = name
        self.format = format
        clipPolicy = clip
        quantizer = format.integerBits.map { Quantizer(bits: $0, dither: dither) }
    }

    public func write(_ signal: Signal<Float>) throws(IOError) {
        try writeFrames(signal)
    }

    public func write(_ signal: Signal<Double>) throws(IOError) {
        try writeFrames(signal)
    }

    private func writeFrames<T: ConvScalar>(_ signal: Signal<T>) throws(IOError) {
        let (frames, channels, format) = (signal.frames, signal.channels, format)
        guard frames > 0 else { return }
        let total = frames * channels * format.bytes
        if bytes.count < total { bytes = [UInt8](repeating: 0, count: total) }
        var q = quantizer
        let start = framesWritten
        bytes.withUnsafeMutableBytes { format.encode(signal, start: start, quantizer: &q, into: $0.baseAddress!) }
        quantizer = q
        if clipPolicy == .error, let at = q?.firstClip {
            throw .clipped(path: name, frame: at.frame, channel: at.channel)
        }
        if case let .failure(e) = bytes.withUnsafeBytes({ Syscall.writeAll(descriptor, UnsafeRawBufferPointer(rebasing: $0[0..<total])) }) {
            throw .io(path: name, reason: e.description)
        }
        framesWritten += Int64(frames)
    }

    public func commit() throws(IOError) {}
    public func abandon() {}
}
