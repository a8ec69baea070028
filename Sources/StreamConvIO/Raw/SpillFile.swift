import Foundation
import StreamConv

/// A temporary file holding planar output frames until they can be written in order: circular
/// padding's first outputs are known only at the end of the signal, and the sink must receive
/// them first. Unnamed (or unlinked at once), so nothing is left behind. Stored as f64, which
/// holds a Float or a Double exactly.
final class SpillFile {
    private let descriptor: Int32
    private let channels: Int
    private let writer: RawSink

    init(channels: Int) throws(IOError) {
        descriptor = try OutputFile.unnamedTemporary(for: "temporary file")
        self.channels = channels
        writer = RawSink(descriptor: descriptor, name: "temporary file", format: .f64)
    }

    deinit { close(descriptor) }

    func append<T: AudioSample>(_ signal: Signal<T>) throws(IOError) {
        try T.write(signal, to: writer)
    }

    /// Writes every spilled frame to `sink` as `T`, in blocks of `block` frames.
    func replay<T: AudioSample>(as _: T.Type, into sink: any AudioSink, block: Int) throws(IOError) {
        if lseek(descriptor, 0, SEEK_SET) < 0 { throw .io(path: "temporary file", reason: String(cString: strerror(errno))) }
        let source = RawSource(descriptor: descriptor, name: "temporary file", channels: channels, sampleRate: 1, format: .f64, detectHeaders: false)
        var buffer = Signal<T>(channels: channels, capacity: block)
        while try T.read(from: source, into: &buffer) > 0 { try T.write(buffer, to: sink) }
    }
}
