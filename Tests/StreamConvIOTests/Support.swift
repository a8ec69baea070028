import Foundation
import StreamConv
import StreamConvIO

/// A fresh folder under the system temporary folder, removed by `cleanup()`.
struct TemporaryFolder {
    let url: URL

    init() {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("streamconv-test-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    func path(_ name: String) -> String { url.appendingPathComponent(name).path }
    var contents: [String] { (try? FileManager.default.contentsOfDirectory(atPath: url.path))?.sorted() ?? [] }
    func cleanup() { try? FileManager.default.removeItem(at: url) }
}

/// A 16-bit PCM WAV written byte by byte, independently of libsndfile; `extensible` writes
/// WAVE_FORMAT_EXTENSIBLE (tag 0xFFFE with the PCM sub-format GUID).
func handWrittenWAV(samples: [Int16], channels: Int, rate: Int, extensible: Bool, mask: Int? = nil) -> Data {
    var d = Data()
    func u32(_ v: Int) { withUnsafeBytes(of: UInt32(v).littleEndian) { d.append(contentsOf: $0) } }
    func u16(_ v: Int) { withUnsafeBytes(of: UInt16(v).littleEndian) { d.append(contentsOf: $0) } }
    let fmtSize = extensible ? 40 : 16
    let dataSize = samples.count * 2
    d.append(contentsOf: Array("RIFF".utf8)); u32(4 + 8 + fmtSize + 8 + dataSize); d.append(contentsOf: Array("WAVE".utf8))
    d.append(contentsOf: Array("fmt ".utf8)); u32(fmtSize)
    u16(extensible ? 0xFFFE : 1); u16(channels); u32(rate); u32(rate * channels * 2); u16(channels * 2); u16(16)
    if extensible {
        u16(22); u16(16); u32(mask ?? (channels == 2 ? 3 : 4))
        // KSDATAFORMAT_SUBTYPE_PCM 00000001-0000-0010-8000-00aa00389b71
        d.append(contentsOf: [0x01, 0, 0, 0, 0, 0, 0x10, 0, 0x80, 0, 0, 0xAA, 0, 0x38, 0x9B, 0x71])
    }
    d.append(contentsOf: Array("data".utf8)); u32(dataSize)
    for s in samples { withUnsafeBytes(of: s.littleEndian) { d.append(contentsOf: $0) } }
    return d
}

/// Reads a whole file through ``SndFileSource``.
func readAll(_ path: String, block: Int = 1000) throws -> (signal: Signal<Float>, source: SndFileSource) {
    let source = try SndFileSource(path: path)
    return (try source.readAll(block: block), source)
}

/// Writes `signal` with ``SndFileSink`` in one go and commits.
@discardableResult
func writeFile(_ signal: Signal<Float>, to path: String, format: SampleEncoding, rate: Int = 48000) throws -> SndFileSink {
    try SndFileSink.writeFile(signal, to: path, sampleFormat: format, sampleRate: rate)
}

/// A sink writing `format` to `path` through an ``OutputFile``.
func makeSink(_ path: String, format: SndFileFormat, channels: Int, rate: Int = 48000, settings: (inout SndFileSink.Settings) -> Void = { _ in }) throws -> SndFileSink {
    var s = SndFileSink.Settings(format: format)
    settings(&s)
    return try SndFileSink(output: OutputFile(path: SystemPath(path)), settings: s, channels: channels, sampleRate: rate)
}

/// The format `run` would choose for `path` with no options.
func chosenFormat(_ path: String, input: SndFileFormat?, sampleFormat: SampleEncoding? = nil, channels: Int = 2, rate: Int = 48000) throws -> SndFileFormat {
    try Container.outputFormat(path: SystemPath(path), type: nil, input: input, sampleFormat: sampleFormat, channels: channels, rate: rate)
}
