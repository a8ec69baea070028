import CSndFile
import Foundation
import StreamConv

/// Writes a file through libsndfile, atomically: frames go to a temporary file beside the
/// target, which is renamed over it only by ``commit()``. A run that fails or is abandoned
/// leaves no file and never touches an existing one.
public final class SndFileSink: AudioSink {
    /// The file that ``commit()`` creates.
    public let path: String
    /// The temporary file being written.
    public let temporaryPath: String
    /// libsndfile's format code written.
    public let format: Int32
    private var handle: OpaquePointer?
    private var interleaved: [Float] = []
    private var clip: ClipCounter
    private let channels: Int
    public var clippedSamples: Int { clip.count }

    /// The format to write: the major format of `path`'s extension when libsndfile knows it,
    /// else `inputFormat`'s, else WAV; the subtype `sampleFormat`, else the input's, else float.
    public static func chooseFormat(path: String, inputFormat: Int32?, sampleFormat: SampleFormat?) -> Int32 {
        let ext = URL(fileURLWithPath: path).pathExtension
        let inputMajor = inputFormat.map { $0 & Int32(SndFileCodes.typeMask) }
        let major = SndFile.majorFormat(forExtension: ext) ?? inputMajor ?? Int32(SndFileCodes.wav)
        let subtype = sampleFormat?.subtype ?? inputFormat.map { $0 & Int32(SndFileCodes.subMask) } ?? Int32(SndFileCodes.float)
        return major | subtype
    }

    /// Opens a temporary file beside `path` for `channels` channels at `sampleRate`.
    /// - Throws: ``IOError/format(path:reason:)`` when the major format cannot hold the subtype,
    ///   ``IOError/open(path:reason:)`` when the file cannot be created.
    public init(path: String, format: Int32, channels: Int, sampleRate: Int) throws(IOError) {
        var info = SF_INFO()
        info.format = format
        info.channels = Int32(channels)
        info.samplerate = Int32(sampleRate)
        guard SndFile.formatIsValid(info) else {
            let major = SndFile.formatName(format & Int32(SndFileCodes.typeMask))
            let subtype = SndFile.formatName(format & Int32(SndFileCodes.subMask))
            throw .format(path: path, reason: "\(major) cannot hold \(subtype) with \(channels) channels at \(sampleRate) Hz; choose another --out-format (\(SampleFormat.allCases.map(\.rawValue).joined(separator: ", "))) or output file type")
        }
        let url = URL(fileURLWithPath: path)
        let directory = url.deletingLastPathComponent().path
        var isDirectory: ObjCBool = false
        if !FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) || !isDirectory.boolValue {
            throw .open(path: path, reason: "folder \(directory) does not exist")
        }
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            throw .open(path: path, reason: "it is a folder")
        }
        temporaryPath = url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).streamconv-\(getpid()).tmp").path
        guard let handle = SndFile.open(temporaryPath, mode: Int32(SFM_WRITE), info: &info) else {
            throw .open(path: path, reason: SndFile.lastError(nil))
        }
        SndFile.enableClipping(handle)
        self.handle = handle
        self.path = path
        self.format = format
        self.channels = channels
        clip = ClipCounter(bits: SndFileCodes.integerBits(subtype: format & Int32(SndFileCodes.subMask)))
    }

    deinit { abandon() }

    /// Writes a whole signal to `path` in one go (format as ``chooseFormat(path:inputFormat:sampleFormat:)``).
    /// - Returns: the committed sink, for its ``clippedSamples``.
    @discardableResult
    public static func writeFile(
        _ signal: Signal<Float>, to path: String, sampleFormat: SampleFormat?, sampleRate: Int, inputFormat: Int32? = nil
    ) throws(IOError) -> SndFileSink {
        let format = chooseFormat(path: path, inputFormat: inputFormat, sampleFormat: sampleFormat)
        let sink = try SndFileSink(path: path, format: format, channels: signal.channels, sampleRate: sampleRate)
        try sink.write(signal)
        try sink.commit()
        return sink
    }

    public func write(_ signal: Signal<Float>) throws(IOError) {
        guard let handle else { throw .io(path: path, reason: "written after the file was closed") }
        precondition(signal.channels == channels, "signal channel count must match the file")
        guard signal.frames > 0 else { return }
        Interleave.interleave(signal, into: &interleaved)
        let count = signal.frames * channels
        interleaved.withUnsafeBufferPointer { clip.scan(UnsafeBufferPointer(rebasing: $0[0..<count])) }
        let written = interleaved.withUnsafeBufferPointer { SndFile.writeFrames(handle, from: $0.baseAddress!, frames: signal.frames) }
        if written != signal.frames {
            throw .io(path: path, reason: "write failed: \(SndFile.lastError(handle))")
        }
    }

    public func commit() throws(IOError) {
        guard let handle else { throw .io(path: path, reason: "already closed") }
        self.handle = nil
        if SndFile.close(handle) != 0 {
            unlink(temporaryPath)
            throw .io(path: path, reason: "closing failed: \(SndFile.lastError(nil))")
        }
        if rename(temporaryPath, path) != 0 {
            let reason = String(cString: strerror(errno))
            unlink(temporaryPath)
            throw .io(path: path, reason: "cannot move the finished file into place: \(reason)")
        }
    }

    public func abandon() {
        guard let handle else { return }
        self.handle = nil
        _ = SndFile.close(handle)
        unlink(temporaryPath)
    }
}
