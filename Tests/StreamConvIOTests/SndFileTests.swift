import Foundation
import StreamConv
import StreamConvIO
import Testing

@Suite struct SndFileTests {
    @Test func floatWAVRoundTripIsExact() throws {
        let dir = TemporaryFolder()
        defer { dir.cleanup() }
        var rng = SeededGenerator(seed: 1)
        let x = Signal<Float>((0..<3).map { _ in (0..<5000).map { _ in Float(rng.nextUnit() * 4 - 2) } })
        _ = try writeFile(x, to: dir.path("a.wav"), format: .f32)
        let (y, source) = try readAll(dir.path("a.wav"), block: 777)
        #expect(y.bitwiseEquals(x))
        #expect(source.sampleRate == 48000 && source.channels == 3 && source.frameCount == 5000)
        #expect(dir.contents == ["a.wav"])
    }

    /// Integer PCM is read as value / 2^(bits−1): checked on files written by hand.
    @Test(arguments: [false, true])
    func handWrittenPCM16IsNormalisedAsLibsndfileDoes(extensible: Bool) throws {
        let dir = TemporaryFolder()
        defer { dir.cleanup() }
        let samples: [Int16] = [0, 1, -1, 16384, -16384, 32767, -32768, 1234, -4321, 7]
        try handWrittenWAV(samples: samples, channels: 2, rate: 44100, extensible: extensible).write(to: dir.url.appendingPathComponent("h.wav"))
        let (y, source) = try readAll(dir.path("h.wav"))
        #expect(source.sampleRate == 44100 && y.channels == 2 && y.frames == 5)
        for i in 0..<5 {
            for c in 0..<2 { #expect(y[c, i] == Float(samples[i * 2 + c]) / 32768) }
        }
    }

    /// With libsndfile's clipping on, writing scales by 2^(bits−1) too: integer round trips are exact.
    @Test(arguments: [("p.wav", SampleEncoding.s16, 16), ("p.flac", .s16, 16), ("p.flac", .s24, 24), ("p.wav", .s24, 24), ("p.aiff", .s32, 32)])
    func integerRoundTripsAreExact(name: String, format: SampleEncoding, bits: Int) throws {
        let dir = TemporaryFolder()
        defer { dir.cleanup() }
        let scale = Double(1 << (bits - 1))
        // The largest code a Float holds exactly: 2^31−1 is not a Float (it rounds to 2^31, which clips).
        let top = bits == 32 ? scale - 128 : scale - 1
        let steps = [-scale, -scale + 1, -1, 0, 1, 12345, scale / 2, top]
        let x = Signal<Float>([steps.map { Float($0 / scale) }, steps.reversed().map { Float($0 / scale) }])
        let sink = try writeFile(x, to: dir.path(name), format: format)
        #expect(sink.clippedSamples == 0)
        let (y, _) = try readAll(dir.path(name))
        if bits == 32 {
            // Float has 24 significant bits: compare within its resolution.
            for c in 0..<2 { for i in 0..<x.frames { #expect(abs(y[c, i] - x[c, i]) <= 1e-7) } }
        } else {
            #expect(y.bitwiseEquals(x))
        }
    }

    /// Other containers and codecs read back, multichannel included; Vorbis is lossy, so it is
    /// checked by level rather than sample by sample.
    @Test(arguments: [("x.aiff", SampleEncoding.s16, true), ("x.caf", .f32, true), ("x.w64", .f64, true), ("x6.wav", .s24, true), ("x.ogg", nil, false)])
    func otherFormatsReadBack(name: String, format: SampleEncoding?, exact: Bool) throws {
        let dir = TemporaryFolder()
        defer { dir.cleanup() }
        let channels = name == "x6.wav" ? 6 : 2
        let x = Signal<Float>((0..<channels).map { c in (0..<4800).map { i in Float(0.25 * sin(Double(i) * 0.05 * Double(c + 1))) } })
        let path = dir.path(name)
        let sink = try makeSink(path, format: chosenFormat(path, input: nil, sampleFormat: format, channels: channels), channels: channels)
        try sink.write(x)
        try sink.commit()
        let (y, source) = try readAll(path)
        #expect(source.channels == channels && source.sampleRate == 48000)
        if exact {
            #expect(y.frames == x.frames)
            for c in 0..<channels { for i in 0..<x.frames { #expect(abs(y[c, i] - x[c, i]) <= 1.0 / 32768) } }
        } else {
            #expect(source.formatDescription.contains("Vorbis"))
            let rms = { (s: [Float]) in (s.map { Double($0 * $0) }.reduce(0, +) / Double(s.count)).squareRoot() }
            #expect(abs(rms(y.channel(0)) - rms(x.channel(0))) < 0.02)
        }
    }

    @Test func outOfRangeSamplesAreClippedAndCounted() throws {
        let dir = TemporaryFolder()
        defer { dir.cleanup() }
        let x = Signal<Float>([[0.5, 1.0, 1.5, -1.0, -1.25, Float(32767.0 / 32768.0), -0.75]])
        let sink = try writeFile(x, to: dir.path("c.wav"), format: .s16)
        #expect(sink.clippedSamples == 3)
        let (y, _) = try readAll(dir.path("c.wav"))
        let top: Float = 32767.0 / 32768.0
        let expected: [Float] = [0.5, top, top, -1, -1, top, -0.75]
        #expect(y.channel(0) == expected)
    }

    @Test func formatChoiceFollowsExtensionThenInput() throws {
        let dir = TemporaryFolder()
        defer { dir.cleanup() }
        let x = Signal<Float>([[0.25, -0.25]])
        _ = try writeFile(x, to: dir.path("in.flac"), format: .s24)
        let flac = try SndFileSource(path: dir.path("in.flac"))
        #expect(flac.formatDescription == "FLAC (Free Lossless Audio Codec), Signed 24 bit PCM")
        // Same type by default; a known extension switches the major format; the sample type stays.
        let toWav = try chosenFormat(dir.path("o.wav"), input: flac.format, channels: 1)
        let noExtension = try chosenFormat(dir.path("o"), input: flac.format, channels: 1)
        #expect(noExtension == flac.format)
        let sink = try makeSink(dir.path("o.wav"), format: toWav, channels: 1)
        try sink.write(x)
        try sink.commit()
        // 24-bit PCM in WAV is WAVE_FORMAT_EXTENSIBLE, as the format requires.
        #expect(try SndFileSource(path: dir.path("o.wav")).formatDescription == "WAVEX (Microsoft), Signed 24 bit PCM")
    }

    @Test func impossibleFormatIsAClearError() throws {
        let dir = TemporaryFolder()
        defer { dir.cleanup() }
        #expect {
            _ = try chosenFormat(dir.path("o.flac"), input: nil, sampleFormat: .f32)
        } throws: { error in
            "\(error)".hasPrefix("cannot write \(dir.path("o.flac")): FLAC (Free Lossless Audio Codec) cannot hold 32 bit float")
        }
        #expect(dir.contents.isEmpty)
    }

    @Test func openErrorsNameTheFile() throws {
        let dir = TemporaryFolder()
        defer { dir.cleanup() }
        #expect(throws: IOError.self) { try SndFileSource(path: dir.path("missing.wav")) }
        try Data("not audio at all".utf8).write(to: dir.url.appendingPathComponent("junk.wav"))
        #expect { try SndFileSource(path: dir.path("junk.wav")) } throws: { "\($0)".hasPrefix("cannot open \(dir.path("junk.wav")): ") }
        #expect { try makeSink(dir.path("no/such/folder.wav"), format: SndFileFormat(code: 0x010006), channels: 1, rate: 8000) } throws: {
            "\($0)".contains("does not exist")
        }
    }

    @Test func abandonedSinkLeavesNothingAndKeepsTheOldFile() throws {
        let dir = TemporaryFolder()
        defer { dir.cleanup() }
        try Data("old".utf8).write(to: dir.url.appendingPathComponent("out.wav"))
        do {
            let sink = try makeSink(dir.path("out.wav"), format: SndFileFormat(code: 0x010006), channels: 1, rate: 8000)
            try sink.write(Signal<Float>([[0.1, 0.2]]))
            #expect(dir.contents == ["out.wav"], "the file being written has no name until commit")
            sink.abandon()
        }
        #expect(dir.contents == ["out.wav"])
        #expect(try Data(contentsOf: dir.url.appendingPathComponent("out.wav")) == Data("old".utf8))
    }
}
