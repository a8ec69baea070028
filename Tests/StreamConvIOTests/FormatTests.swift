import Foundation
import StreamConv
@testable import StreamConvIO
import Testing

/// The RIFF chunk `id` of a WAV file's bytes: its data, found by walking the chunks.
func riffChunk(_ id: String, in data: Data) -> Data? {
    let bytes = [UInt8](data)
    var at = 12
    while at + 8 <= bytes.count {
        let name = String(decoding: bytes[at..<(at + 4)], as: UTF8.self)
        let size = Int(bytes[at + 4]) | Int(bytes[at + 5]) << 8 | Int(bytes[at + 6]) << 16 | Int(bytes[at + 7]) << 24
        if name == id { return Data(bytes[(at + 8)..<min(bytes.count, at + 8 + size)]) }
        at += 8 + size + (size & 1)
    }
    return nil
}

func u16(_ d: Data, _ at: Int) -> Int { Int(d[d.startIndex + at]) | Int(d[d.startIndex + at + 1]) << 8 }
func u32(_ d: Data, _ at: Int) -> Int { u16(d, at) | u16(d, at + 2) << 16 }

/// What the output carries besides samples, and which container it is (issue 5, items 5, 6, 7, 21).
@Suite struct FormatTests {
    /// Containers follow the extension or --type; codecs follow the container; a lossy input
    /// gets a neutral sample type in a lossless container; unknown extensions are refused.
    @Test func containerChoice() throws {
        let pcm16 = SndFileFormat(major: 0x010000, subtype: 0x0002)
        func choose(_ path: String, type: String? = nil, input: SndFileFormat? = pcm16, channels: Int = 2) throws -> String {
            try Container.outputFormat(path: SystemPath(path), type: type, input: input, sampleFormat: nil, channels: channels, rate: 48000).description
        }
        #expect(try choose("a.wav") == "WAV (Microsoft), Signed 16 bit PCM")
        #expect(try choose("a.wav", channels: 6) == "WAVEX (Microsoft), Signed 16 bit PCM", "more than 2 channels: extensible")
        #expect(try choose("a.flac") == "FLAC (Free Lossless Audio Codec), Signed 16 bit PCM")
        #expect(try choose("a.ogg") == "OGG (OGG Container format), Vorbis")
        #expect(try choose("a.opus") == "OGG (OGG Container format), Opus")
        #expect(try choose("a.mp3") == "MPEG-1/2 Audio, MPEG Layer III")
        #expect(try choose("a.txt", type: "wav") == "WAV (Microsoft), Signed 16 bit PCM")
        #expect(try choose("/dev/null") == "WAV (Microsoft), Signed 16 bit PCM", "no extension: the input's container")
        let vorbis = SndFileFormat(major: 0x200000, subtype: 0x0060)
        #expect(try choose("a.wav", input: vorbis) == "WAV (Microsoft), 32 bit float")
        #expect(try choose("a.caf", input: vorbis) == "CAF (Apple Core Audio File), 32 bit float")
        #expect(try choose("a.aiff", input: vorbis) == "AIFF (Apple/SGI), 32 bit float")
        #expect(try choose("a.flac", input: vorbis) == "FLAC (Free Lossless Audio Codec), Signed 24 bit PCM")
        for bad in ["a.txt", "a.data", "song.m4a"] {
            #expect { try choose(bad) } throws: { "\($0)".contains("no audio container is known for .") && "\($0)".contains(".wav, .wave") && "\($0)".contains("--type") }
        }
    }

    /// The WAV/RF64 decision: RF64 past what a 32-bit size field holds; and a written RF64
    /// reads back right, with no PEAK chunk.
    @Test func wavBecomesRF64WhenItWouldPass4GiB() throws {
        let float = SndFileFormat(major: 0x010000, subtype: 0x0006)
        #expect(SndFileSink.wavContainer(for: float, dataBytes: 1 << 20) == float)
        #expect(SndFileSink.wavContainer(for: float, dataBytes: SndFileSink.classicLimit) == float)
        #expect(SndFileSink.wavContainer(for: float, dataBytes: 4_400_000_000).major == 0x220000)
        let flac = SndFileFormat(major: 0x170000, subtype: 0x0002)
        #expect(SndFileSink.wavContainer(for: flac, dataBytes: 1 << 40) == flac)

        let dir = TemporaryFolder()
        defer { dir.cleanup() }
        let x = Signal<Float>([[0.25, -0.5, 0.125]])
        // Announced as 2^31 frames (8 GiB): written as RF64, whose header holds the real length.
        let sink = try makeSink(dir.path("big.wav"), format: float, channels: 1) { $0.expectedFrames = 1 << 31 }
        try sink.write(x)
        try sink.commit()
        let bytes = try Data(contentsOf: dir.url.appendingPathComponent("big.wav"))
        #expect(String(decoding: bytes.prefix(4), as: UTF8.self) == "RF64")
        #expect(bytes.range(of: Data("PEAK".utf8)) == nil, "no PEAK chunk in RF64")
        let (y, source) = try readAll(dir.path("big.wav"))
        #expect(y.bitwiseEquals(x) && source.frameCount == 3)
        // AIFF has no 64-bit variant: refused before anything is written.
        let aiff = SndFileFormat(major: 0x020000, subtype: 0x0006)
        #expect { try makeSink(dir.path("big.aiff"), format: aiff, channels: 2) { $0.expectedFrames = 1 << 31 } } throws: {
            "\($0)".contains("cannot hold more than 4 GiB")
        }
        #expect(dir.contents == ["big.wav"])
    }

    /// A 5.1 WAVE_FORMAT_EXTENSIBLE input keeps its channel mask; title, artist… are copied.
    @Test func channelMaskAndStringsAreCopied() throws {
        let dir = TemporaryFolder()
        defer { dir.cleanup() }
        let samples = (0..<600).map { Int16($0 % 200 - 100) }
        try handWrittenWAV(samples: samples, channels: 6, rate: 48000, extensible: true, mask: 0x3F)
            .write(to: dir.url.appendingPathComponent("in51.wav"))
        let source = try SndFileSource(path: dir.path("in51.wav"))
        #expect(source.metadata.channelMap != nil)
        let spec = try Conv1dSpec(inChannels: 6, outChannels: 6, kernelSize: 3, padding: .same, groups: 6)
        let format = try chosenFormat(dir.path("out.wav"), input: source.format, channels: 6)
        let sink = try makeSink(dir.path("out.wav"), format: format, channels: 6) { s in
            s.metadata = source.metadata
            s.metadata.strings = [.title: "Take 3", .artist: "The Band", .album: "Live", .comment: "room A", .date: "2026-11-26"]
            s.expectedFrames = 100
        }
        _ = try FilterPipeline.run(source: source, sink: sink, stage: Conv1d<Float>(spec: spec, seed: 1).makeStream(), mode: .blocks(33))
        let fmt = try #require(riffChunk("fmt ", in: Data(contentsOf: dir.url.appendingPathComponent("out.wav"))))
        #expect(u16(fmt, 0) == 0xFFFE, "WAVE_FORMAT_EXTENSIBLE")
        #expect(u16(fmt, 2) == 6)
        #expect(u32(fmt, 20) == 0x3F, "the 5.1 channel mask")
        let out = try SndFileSource(path: dir.path("out.wav"))
        #expect(out.metadata.strings[.title] == "Take 3" && out.metadata.strings[.artist] == "The Band")
        #expect(out.metadata.strings[.album] == "Live" && out.metadata.strings[.comment] == "room A")
        #expect(out.metadata.channelMap == source.metadata.channelMap)
    }

    /// Plain WAV stays plain for stereo 16 bit; 24 bit becomes extensible.
    @Test(arguments: [(SampleEncoding.s16, 1), (.s24, 0xFFFE), (.f32, 3)])
    func wavHeaderVariant(format: SampleEncoding, tag: Int) throws {
        let dir = TemporaryFolder()
        defer { dir.cleanup() }
        _ = try writeFile(Signal<Float>([[0.1, 0.2], [0.3, 0.4]]), to: dir.path("v.wav"), format: format)
        let fmt = try #require(riffChunk("fmt ", in: Data(contentsOf: dir.url.appendingPathComponent("v.wav"))))
        #expect(u16(fmt, 0) == tag)
    }
}

/// Where the file system has no `O_TMPFILE`: a random hidden name, created exclusively,
/// removed on failure, renamed on success with the new file's permissions from the umask.
@Suite struct NamedTemporaryTests {
    @Test func namedTemporaryIsRemovedOrRenamed() throws {
        let dir = TemporaryFolder()
        defer { dir.cleanup() }
        try Data("old".utf8).write(to: dir.url.appendingPathComponent("out.wav"))
        let format = SndFileFormat(major: 0x010000, subtype: 0x0006)
        do {
            let output = try OutputFile(path: SystemPath(dir.path("out.wav")), input: nil, inPlace: false, unnamed: false)
            let sink = try SndFileSink(output: output, settings: .init(format: format), channels: 1, sampleRate: 8000)
            try sink.write(Signal<Float>([[0.1, 0.2]]))
            let hidden = dir.contents.filter { $0.hasPrefix(".streamconv-") && $0.hasSuffix(".tmp") }
            #expect(hidden.count == 1 && dir.contents.count == 2, "\(dir.contents)")
            sink.abandon()
        }
        #expect(dir.contents == ["out.wav"])
        #expect(try Data(contentsOf: dir.url.appendingPathComponent("out.wav")) == Data("old".utf8))
        let output = try OutputFile(path: SystemPath(dir.path("out.wav")), input: nil, inPlace: false, unnamed: false)
        let sink = try SndFileSink(output: output, settings: .init(format: format), channels: 1, sampleRate: 8000)
        try sink.write(Signal<Float>([[0.1, 0.2]]))
        try sink.commit()
        #expect(dir.contents == ["out.wav"])
        #expect(try readAll(dir.path("out.wav")).signal.frames == 2)
    }
}

/// One sample-encoding type, named by each edge through its own table.
@Suite struct SampleEncodingNameTests {
    @Test func everyTableNamesRoundTrip() {
        #expect(SampleEncoding.fileNames.map(\.name) == ["float", "double", "pcm16", "pcm24", "pcm32"])
        #expect(SampleEncoding.rawNames.map(\.name) == ["f32", "f64", "s16", "s32"])
        #expect(Set(SampleEncoding.fileNames.map(\.encoding)).count == SampleEncoding.allCases.count)
        for encoding in SampleEncoding.allCases {
            #expect(SampleEncoding(fileName: encoding.fileName) == encoding)
            if let raw = encoding.rawName { #expect(SampleEncoding(rawName: raw) == encoding) }
        }
        #expect(SampleEncoding.s24.rawName == nil && SampleEncoding(rawName: "s24") == nil && SampleEncoding(fileName: "pcm8") == nil)
        // A file sample type's bytes and integer bits are the encoding's.
        #expect(SampleEncoding(fileName: "pcm24")?.bytes == 3 && SampleEncoding(fileName: "double")?.integerBits == nil)
    }
}
