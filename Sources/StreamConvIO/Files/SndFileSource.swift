import CSndFile
import StreamConv

#if canImport(Glibc)
import Glibc
#endif

/// Reads any file libsndfile reads (WAV incl. WAVE_FORMAT_EXTENSIBLE, FLAC, Ogg/Vorbis, AIFF,
/// CAF, …) as `Float` frames. Integer PCM is normalised as libsndfile does: divided by 2^(bits−1).
public final class SndFileSource: AudioSource {
    public let name: String
    /// The path as given.
    public let path: SystemPath
    public let channels: Int
    public let sampleRate: Int
    public let frameCount: Int64?
    /// The container and encoding, kept for writing the output alike.
    public let format: SndFileFormat
    /// Which file this is, to refuse writing the output over it.
    public let identity: FileIdentity
    /// Title, artist, channel map… as the file has them.
    public let metadata: AudioMetadata
    /// Frames the header promises: more than ``frameCount`` when the file was cut short.
    public let promisedFrames: Int64?
    /// Frames read so far.
    public private(set) var framesRead: Int64 = 0
    private let descriptor: Int32
    private let handle: OpaquePointer
    /// A FLAC pipe's reader, alive as long as libsndfile may call it.
    private let reader: PipeReader?
    private var interleaved: [Float] = []
    private var interleavedDouble: [Double] = []

    /// Opens `path` for reading.
    /// - Throws: ``IOError/open(path:reason:)`` with the system's or libsndfile's reason.
    public convenience init(path: SystemPath) throws(IOError) {
        let name = path.description
        let fd: Int32
        switch Syscall.open(path, O_RDONLY) {
        case let .success(opened): fd = opened
        case let .failure(e): throw .open(path: name, reason: e.description)
        }
        guard case let .success(st) = Syscall.descriptorStatus(fd) else {
            close(fd)
            throw .open(path: name, reason: Errno(errno).description)
        }
        if FileKind(st) == .directory {
            close(fd)
            throw .open(path: name, reason: "it is a folder")
        }
        try self.init(owning: fd, status: st, path: path, name: name, pipe: false, reader: nil)
    }

    /// Reads an audio stream from `descriptor` (standard input), which the caller keeps open:
    /// a pipe as it arrives (WAV, AIFF, AU, CAF, W64, Ogg, MP3 through libsndfile's own pipe
    /// reading; FLAC through a ``PipeReader``), or a regular file. A pipe's header cannot be
    /// trusted for the length (writers that cannot seek put 0xFFFFFFFF there), so a pipe has
    /// no ``frameCount``.
    /// - Parameter container: what the stream's first bytes say it is (``InputProbe``).
    public convenience init(stream descriptor: Int32, name: String, container: StreamContainer) throws(IOError) {
        guard case let .success(fd) = Syscall.duplicate(descriptor), case let .success(st) = Syscall.descriptorStatus(fd) else {
            throw .open(path: name, reason: Errno(errno).description)
        }
        let pipe = FileKind(st) != .regular
        // libsndfile reads these up to their end at open (CAF, RF64: chunks after the data),
        // or, from its own pipe reading, short by a frame (RF64).
        if pipe && (container == .caf || container == .rf64) {
            close(fd)
            throw .open(path: name, reason: "libsndfile cannot read \(container.rawValue) from a pipe; redirect stdin from the file (< FILE) or give it with --in FILE")
        }
        try self.init(owning: fd, status: st, path: SystemPath(name), name: name,
                      pipe: pipe, reader: pipe && container == .flac ? PipeReader(descriptor: fd) : nil)
    }

    /// Opens `fd`, which this source then owns; `pipe` when it has no length to seek in,
    /// `reader` where libsndfile cannot read the container from a pipe itself.
    private init(owning fd: Int32, status st: stat, path: SystemPath, name: String, pipe: Bool, reader: PipeReader?) throws(IOError) {
        var info = SF_INFO()
        let opened: OpaquePointer?
        if let reader {
            opened = SndFile.open(reader: reader, info: &info)
            reader.release()
        } else {
            opened = SndFile.open(descriptor: fd, mode: Int32(SFM_READ), info: &info)
        }
        guard let handle = opened else {
            var reason = SndFile.lastError(nil)
            // The descriptor is still ours (libsndfile had a duplicate): read the header.
            var head = [UInt8](repeating: 0, count: 4096)
            let n = pipe ? 0 : pread(fd, &head, head.count, 0)
            close(fd)
            if n > 0, let problem = SndFile.wavHeaderProblem(Array(head[0..<n])) { reason = problem }
            throw .open(path: name, reason: reason)
        }
        guard info.samplerate > 0, info.channels > 0 else {
            _ = SndFile.close(handle)
            close(fd)
            throw .open(path: name, reason: "the header gives \(info.channels) channels at \(info.samplerate) Hz")
        }
        self.handle = handle
        descriptor = fd
        self.reader = reader
        self.path = path
        self.name = name
        identity = FileIdentity(st)
        channels = Int(info.channels)
        sampleRate = Int(info.samplerate)
        format = SndFileFormat(code: info.format)
        if pipe {
            frameCount = nil
            promisedFrames = nil
        } else {
            frameCount = info.frames >= 0 && info.frames < Int64.max / 2 ? Int64(info.frames) : nil
            if let frames = frameCount, let (promised, present) = SndFile.shortenedDataChunk(handle) {
                promisedFrames = present > 0
                    ? frames * promised / present
                    : promised / Int64(Int(info.channels) * format.bytesPerSample)
            } else {
                promisedFrames = frameCount
            }
        }
        var strings: [MetadataKey: String] = [:]
        for key in MetadataKey.allCases {
            if let value = SndFile.string(handle, key.rawValue), !value.isEmpty { strings[key] = value }
        }
        var metadata = AudioMetadata(strings: strings, channelMap: SndFile.channelMap(handle, channels: Int(info.channels)))
        (metadata.broadcastInfo, metadata.cues, metadata.instrument) = SndFile.positionedMetadata(handle)
        if !pipe && info.format & Int32(SF_FORMAT_TYPEMASK) == Int32(SF_FORMAT_FLAC) { metadata.vorbisComments = FLACComments.read(fd) }
        self.metadata = metadata
    }

    /// Opens the file at `path` (UTF-8).
    public convenience init(path: String) throws(IOError) {
        try self.init(path: SystemPath(path))
    }

    deinit {
        _ = SndFile.close(handle)
        close(descriptor)
    }

    /// "WAV (Microsoft), Signed 16 bit PCM".
    public var formatDescription: String { format.description }

    public func read(into signal: inout Signal<Float>) throws(IOError) -> Int {
        try read(into: &signal, through: &interleaved) { SndFile.readFrames($0, into: $1, frames: $2) }
    }

    /// Reads with `sf_readf_double`: integer PCM arrives exact, float as it is stored.
    public func read(into signal: inout Signal<Double>) throws(IOError) -> Int {
        try read(into: &signal, through: &interleavedDouble) { SndFile.readFrames($0, into: $1, frames: $2) }
    }

    private func read<T: ConvScalar>(
        into signal: inout Signal<T>, through buffer: inout [T], _ readFrames: (OpaquePointer, UnsafeMutablePointer<T>, Int) -> Int
    ) throws(IOError) -> Int {
        precondition(signal.channels == channels, "signal channel count must match the file")
        let want = signal.capacity
        if buffer.count < want * channels { buffer = [T](repeating: 0, count: want * channels) }
        let handle = handle
        let got = buffer.withUnsafeMutableBufferPointer { readFrames(handle, $0.baseAddress!, want) }
        if got < 0 || (got == 0 && SndFile.error(handle) != 0) {
            throw .io(path: name, reason: SndFile.lastError(handle))
        }
        if got == 0, let failure = reader?.failure { throw .io(path: name, reason: failure.description) }
        buffer.withUnsafeBufferPointer { Interleave.deinterleave($0, frames: got, into: &signal) }
        framesRead += Int64(got)
        return got
    }
}
