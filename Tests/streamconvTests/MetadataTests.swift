import Foundation
import StreamConv
import StreamConvIO
import Testing

/// Metadata a broadcast or sampler WAV carries besides its tags (issue 16, finding 4): the
/// BWF `bext` chunk, cue points and `smpl` loops, written here byte by byte and read back
/// from the output's chunks by hand.
@Suite struct MetadataTests {
    static func le32(_ v: UInt32) -> [UInt8] { withUnsafeBytes(of: v.littleEndian) { Array($0) } }
    static func le16(_ v: UInt16) -> [UInt8] { withUnsafeBytes(of: v.littleEndian) { Array($0) } }
    static func text(_ s: String, _ n: Int) -> [UInt8] { Array((Array(s.utf8) + [UInt8](repeating: 0, count: n)).prefix(n)) }
    static func chunk(_ id: String, _ body: [UInt8]) -> [UInt8] { Array(id.utf8) + le32(UInt32(body.count)) + body + (body.count % 2 == 1 ? [0] : []) }

    /// A 16-bit stereo 48 kHz BWF: bext (originator, time reference 172,800,000 = 1 h),
    /// two cue points, one forward loop.
    static func broadcastWAV(frames: Int) -> Data {
        var fmt = le16(1) + le16(2) + le32(48000) + le32(48000 * 4) + le16(4)
        fmt += le16(16)
        var bext = text("Interview, take 3", 256) + text("streamconv-test", 32) + text("REF-0042", 32) + text("2026-12-06", 10) + text("10:30:00", 8)
        bext += le32(172_800_000) + le32(0) + le16(2) + [UInt8](repeating: 0, count: 64)
        bext += [UInt8](repeating: 0, count: 10) + [UInt8](repeating: 0, count: 180) + Array("A=PCM,F=48000,W=16,M=stereo\r\n".utf8)
        var cue = le32(2)
        for (id, at) in [(UInt32(1), UInt32(1000)), (2, 7000)] {
            cue += le32(id) + le32(at) + Array("data".utf8) + le32(0) + le32(0) + le32(at)
        }
        var smpl = le32(0) + le32(0) + le32(20833) + le32(60) + le32(0) + le32(0) + le32(0) + le32(1) + le32(0)
        smpl += le32(0) + le32(0) + le32(2000) + le32(6000) + le32(0) + le32(0)
        var rng = SeededGenerator(seed: 4)
        let samples = (0..<(frames * 2)).flatMap { _ in le16(UInt16(bitPattern: Int16(truncatingIfNeeded: Int(rng.next() >> 52) - 2048))) }
        let body = Array("WAVE".utf8) + chunk("fmt ", fmt) + chunk("bext", bext) + chunk("cue ", cue) + chunk("smpl", smpl) + chunk("data", samples)
        return Data(Array("RIFF".utf8) + le32(UInt32(body.count)) + body)
    }

    /// The file's chunks by id (the first of each).
    static func chunks(_ data: Data) -> [String: [UInt8]] {
        let b = [UInt8](data)
        var found: [String: [UInt8]] = [:]
        var at = 12
        while at + 8 <= b.count {
            let id = String(decoding: b[at..<(at + 4)], as: UTF8.self)
            let size = Int(b[at + 4]) | Int(b[at + 5]) << 8 | Int(b[at + 6]) << 16 | Int(b[at + 7]) << 24
            if found[id] == nil { found[id] = Array(b[(at + 8)..<min(b.count, at + 8 + size)]) }
            at += 8 + size + (size & 1)
        }
        return found
    }

    static func u32(_ b: [UInt8], _ i: Int) -> Int { Int(b[i]) | Int(b[i + 1]) << 8 | Int(b[i + 2]) << 16 | Int(b[i + 3]) << 24 }
    static func string(_ b: [UInt8], _ range: Range<Int>) -> String { String(decoding: b[range].prefix { $0 != 0 }, as: UTF8.self) }

    /// The bext, cues and loop survive a filter (positions the same) and a 2× decimation
    /// (positions halved, the time reference too); a FLAC output, which cannot hold them,
    /// says so in one warning line.
    @Test(arguments: [("lowpass-4k", 1), ("decimate-2x", 2)])
    func broadcastCuesAndLoopsAreKept(preset: String, stride: Int) throws {
        let dir = temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        try Self.broadcastWAV(frames: 9600).write(to: dir.appendingPathComponent("take.wav"))
        let r = try CLI.run(["run", "--preset", preset, "--in", "take.wav", "--out", "out.wav"], in: dir)
        #expect(r.status == 0 && !r.stderr.contains("warning"), "\(r.stderr)")
        let out = Self.chunks(try Data(contentsOf: dir.appendingPathComponent("out.wav")))
        let bext = try #require(out["bext"], "no bext in \(out.keys.sorted())")
        #expect(Self.string(bext, 0..<256) == "Interview, take 3" && Self.string(bext, 256..<288) == "streamconv-test" && Self.string(bext, 288..<320) == "REF-0042")
        #expect(Self.string(bext, 320..<330) == "2026-12-06" && Self.u32(bext, 338) == 172_800_000 / stride)
        #expect(String(decoding: bext[602...], as: UTF8.self).hasPrefix("A=PCM,F=48000,W=16,M=stereo"))
        let cue = try #require(out["cue "], "no cue in \(out.keys.sorted())")
        #expect(Self.u32(cue, 0) == 2 && Self.u32(cue, 8) == 1000 / stride && Self.u32(cue, 32) == 7000 / stride, "\(cue)")
        let smpl = try #require(out["smpl"], "no smpl in \(out.keys.sorted())")
        #expect(Self.u32(smpl, 28) == 1 && Self.u32(smpl, 36 + 8) == 2000 / stride && Self.u32(smpl, 36 + 12) == 6000 / stride, "\(smpl)")
        let flac = try CLI.run(["run", "--preset", preset, "--in", "take.wav", "--out", "out.flac"], in: dir)
        #expect(flac.status == 0 && flac.stderr.contains("warning: out.flac cannot hold the input's BWF bext chunk, 2 cue points and 1 sampler loop; not copied (a .wav output keeps them)\n"), "\(flac.stderr)")
    }

    /// Overs in a lossy or float output are counted as an integer output's clipping is
    /// (before: +8.9 dBFS in MP3/Ogg said nothing): a 0.9 full-scale sine with 6 dB of gain.
    @Test(arguments: ["loud.ogg", "loud.flac", "loud-float.wav"])
    func oversAreReported(name: String) throws {
        let dir = temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let tone = Signal<Float>([(0..<4800).map { Float(0.9 * sin(2 * .pi * 1000 * Double($0) / 48000)) }])
        try writeFile(tone, dir.appendingPathComponent("tone.wav").path)
        try Data(#"{"conv1d": {"in_channels": 1, "out_channels": 1, "kernel_size": 1, "padding": "same", "bias": false}, "design": {"type": "identity"}}"#.utf8)
            .write(to: dir.appendingPathComponent("identity.json"))
        // Samples over full scale after +6 dB: |1.8·0.9 sin| > 1, counted here.
        let gain = pow(10, 6.0 / 20)
        let expected = tone.channel(0).filter { abs(Double($0) * gain) > 1 }.count
        let r = try CLI.run(["run", "--preset", "identity.json", "--gain", "6", "--in", "tone.wav", "--out", name] + (name.hasSuffix(".flac") ? ["--out-format", "pcm16"] : []), in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        if name.hasSuffix(".flac") {
            #expect(r.stderr.contains(" samples clipped") && !r.stderr.contains("over full scale ("), "\(r.stderr)")
        } else {
            #expect(r.stderr.contains(", \(expected) samples over full scale (kept in this output"), "\(expected): \(r.stderr)")
        }
    }

    /// `bytes` (a FLAC file) with its metadata rebuilt by this test: STREAMINFO, then a
    /// VORBIS_COMMENT block of `comments`, then the frames.
    static func withComments(_ bytes: [UInt8], _ comments: [String]) -> [UInt8] {
        var at = 4
        var streaminfo: [UInt8] = []
        while true {
            let last = bytes[at] & 0x80 != 0
            let n = Int(bytes[at + 1]) << 16 | Int(bytes[at + 2]) << 8 | Int(bytes[at + 3])
            if bytes[at] & 0x7F == 0 { streaminfo = Array(bytes[(at + 4)..<(at + 4 + n)]) }
            at += 4 + n
            if last { break }
        }
        var body = le32(6) + Array("tester".utf8) + le32(UInt32(comments.count))
        for c in comments { body += le32(UInt32(c.utf8.count)) + Array(c.utf8) }
        func header(_ type: UInt8, _ n: Int) -> [UInt8] { [type, UInt8(n >> 16 & 0xFF), UInt8(n >> 8 & 0xFF), UInt8(n & 0xFF)] }
        return Array("fLaC".utf8) + header(0, streaminfo.count) + streaminfo + header(0x84, body.count) + body + Array(bytes[at...])
    }

    /// The comments of a FLAC file, read by this test.
    static func comments(_ bytes: [UInt8]) -> [String] {
        var at = 4
        while at + 4 <= bytes.count {
            let last = bytes[at] & 0x80 != 0
            let n = Int(bytes[at + 1]) << 16 | Int(bytes[at + 2]) << 8 | Int(bytes[at + 3])
            if bytes[at] & 0x7F == 4 {
                let b = Array(bytes[(at + 4)..<(at + 4 + n)])
                var p = 4 + u32(b, 0)
                let count = u32(b, p)
                p += 4
                var out: [String] = []
                for _ in 0..<count {
                    let len = u32(b, p)
                    out.append(String(decoding: b[(p + 4)..<(p + 4 + len)], as: UTF8.self))
                    p += 4 + len
                }
                return out
            }
            at += 4 + n
            if last { break }
        }
        return []
    }

    /// Every Vorbis comment of a FLAC input reaches a FLAC output (before: only libsndfile's
    /// ten strings; DESCRIPTION, ISRC, REPLAYGAIN_* were lost), the samples intact, with a
    /// comment block larger than the output's own (the frames move) and smaller.
    @Test(arguments: [3, 300])
    func everyVorbisCommentIsKept(extra: Int) throws {
        let dir = temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        var rng = SeededGenerator(seed: 9)
        let x = Signal<Float>((0..<2).map { _ in (0..<20000).map { _ in Float(rng.nextUnit() - 0.5) * 0.5 } })
        try writeFile(x, dir.appendingPathComponent("plain.flac").path, format: .s16, rate: 44100)
        let tags = ["TITLE=Song", "ARTIST=Band", "DESCRIPTION=Live at the hall, second set", "ISRC=GBAYE0000001", "REPLAYGAIN_TRACK_GAIN=-6.20 dB"]
            + (0..<extra).map { "CUSTOM_\($0)=value number \($0)" }
        let plain = [UInt8](try Data(contentsOf: dir.appendingPathComponent("plain.flac")))
        try Data(Self.withComments(plain, tags)).write(to: dir.appendingPathComponent("tagged.flac"))
        let r = try CLI.run(["run", "--preset", "lowpass", "--in", "tagged.flac", "--out", "out.flac", "--dither", "none"], in: dir)
        #expect(r.status == 0 && !r.stderr.contains("warning"), "\(r.stderr)")
        let out = [UInt8](try Data(contentsOf: dir.appendingPathComponent("out.flac")))
        let kept = Self.comments(out)
        // Keys are case-insensitive (libsndfile writes its own in lower case).
        func normal(_ c: String) -> String { String(c.prefix { $0 != "=" }).uppercased() + c.drop { $0 != "=" } }
        for tag in tags { #expect(kept.map(normal).contains(normal(tag)), "\(tag) missing from \(kept.prefix(8))") }
        #expect(kept.filter { $0.uppercased().hasPrefix("TITLE=") }.count == 1, "\(kept.prefix(8))")
        // The samples are the same as without the comments.
        let r2 = try CLI.run(["run", "--preset", "lowpass", "--in", "plain.flac", "--out", "plain-out.flac", "--dither", "none"], in: dir)
        #expect(r2.status == 0)
        let (a, _) = try readFile(dir.appendingPathComponent("out.flac").path)
        let (b, _) = try readFile(dir.appendingPathComponent("plain-out.flac").path)
        #expect(a.frames == 20000 && a.bitwiseEquals(b))
    }
}
