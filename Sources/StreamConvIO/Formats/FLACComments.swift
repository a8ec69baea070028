#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A FLAC file's Vorbis comments, read and rewritten by streamconv itself: libsndfile reads
/// and writes only its ten strings, so a DESCRIPTION, ISRC, REPLAYGAIN_* or any other
/// comment would be lost between a FLAC input and a FLAC output (sox and ffmpeg keep them).
/// The metadata blocks are parsed as the FLAC format defines them: "fLaC", then blocks of a
/// 1-byte header (last-block flag, type; 4 = VORBIS_COMMENT, 1 = PADDING) and a 24-bit
/// big-endian length; the comment block is little-endian lengths of a vendor string and of
/// each `KEY=value`.
enum FLACComments {
    /// The comments of the FLAC file open on `descriptor` (read with pread, the offset left
    /// alone), or nil when it is not a FLAC file or has no comment block.
    static func read(_ descriptor: Int32) -> [String]? {
        guard let (blocks, _) = blocks(descriptor), let block = blocks.first(where: { $0.type == 4 }) else { return nil }
        guard let body = bytes(descriptor, at: block.offset + 4, count: block.length) else { return nil }
        return parse(body)?.comments
    }

    /// Replaces the comment block of the FLAC file open on `descriptor` (a regular file open
    /// for reading and writing) with `vendor` and `comments`, moving the audio frames when
    /// the metadata grows and leaving padding when it shrinks. False when the file is not a
    /// FLAC file it can parse or an I/O call fails.
    static func replace(_ descriptor: Int32, comments: [String]) -> Bool {
        guard let (blocks, audioStart) = blocks(descriptor) else { return false }
        var vendor = "streamconv"
        if let old = blocks.first(where: { $0.type == 4 }), let body = bytes(descriptor, at: old.offset + 4, count: old.length),
           let parsed = parse(body) { vendor = parsed.vendor }
        var comment = le32(vendor.utf8.count) + Array(vendor.utf8) + le32(comments.count)
        for c in comments { comment += le32(c.utf8.count) + Array(c.utf8) }
        guard comment.count < 1 << 24 else { return false }
        // STREAMINFO first, the comments next, every other block but old comments and padding.
        var kept: [(type: UInt8, body: [UInt8])] = []
        for block in blocks where block.type != 4 && block.type != 1 {
            guard let body = bytes(descriptor, at: block.offset + 4, count: block.length) else { return false }
            kept.append((block.type, body))
        }
        guard let first = kept.first, first.type == 0 else { return false }
        kept.insert((4, comment), at: 1)
        var size = 4 + kept.reduce(0) { $0 + 4 + $1.body.count }
        // Room left over becomes padding (no move); too little, and the frames move.
        let spare = audioStart - size
        if spare >= 4 {
            kept.append((1, [UInt8](repeating: 0, count: spare - 4)))
            size = audioStart
        }
        var metadata = Array("fLaC".utf8)
        for (i, block) in kept.enumerated() {
            let n = block.body.count
            metadata += [block.type | (i == kept.count - 1 ? 0x80 : 0), UInt8(n >> 16 & 0xFF), UInt8(n >> 8 & 0xFF), UInt8(n & 0xFF)] + block.body
        }
        var st = stat()
        guard fstat(descriptor, &st) == 0 else { return false }
        let end = Int(st.st_size)
        if size != audioStart && !move(descriptor, from: audioStart, to: size, end: end) { return false }
        if size < audioStart && ftruncate(descriptor, off_t(end - (audioStart - size))) != 0 { return false }
        return metadata.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, $0.count, 0) } == metadata.count
    }

    /// The metadata blocks (type, offset of the block header, body length) and where the
    /// audio frames start.
    static func blocks(_ descriptor: Int32) -> ([(type: UInt8, offset: Int, length: Int)], Int)? {
        guard let magic = bytes(descriptor, at: 0, count: 4), magic.elementsEqual("fLaC".utf8) else { return nil }
        var found: [(type: UInt8, offset: Int, length: Int)] = []
        var at = 4
        while found.count < 1024 {
            guard let header = bytes(descriptor, at: at, count: 4) else { return nil }
            let length = Int(header[1]) << 16 | Int(header[2]) << 8 | Int(header[3])
            found.append((header[0] & 0x7F, at, length))
            at += 4 + length
            if header[0] & 0x80 != 0 { return (found, at) }
        }
        return nil
    }

    static func parse(_ body: [UInt8]) -> (vendor: String, comments: [String])? {
        func u32(_ i: Int) -> Int? { i + 4 <= body.count ? Int(body[i]) | Int(body[i + 1]) << 8 | Int(body[i + 2]) << 16 | Int(body[i + 3]) << 24 : nil }
        guard let vendorLength = u32(0), 4 + vendorLength <= body.count, let count = u32(4 + vendorLength) else { return nil }
        let vendor = String(decoding: body[4..<(4 + vendorLength)], as: UTF8.self)
        var at = 8 + vendorLength
        var comments: [String] = []
        for _ in 0..<count {
            guard let n = u32(at), at + 4 + n <= body.count else { return nil }
            comments.append(String(decoding: body[(at + 4)..<(at + 4 + n)], as: UTF8.self))
            at += 4 + n
        }
        return (vendor, comments)
    }

    static func le32(_ v: Int) -> [UInt8] { [UInt8(v & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v >> 16 & 0xFF), UInt8(v >> 24 & 0xFF)] }

    static func bytes(_ descriptor: Int32, at offset: Int, count: Int) -> [UInt8]? {
        var buffer = [UInt8](repeating: 0, count: count)
        let n = count == 0 ? 0 : buffer.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, count, off_t(offset)) }
        return n == count ? buffer : nil
    }

    /// Moves bytes [from, end) to start at `to`, in 1 MiB pieces, from the end when moving
    /// forward so nothing is overwritten before it is copied.
    static func move(_ descriptor: Int32, from: Int, to: Int, end: Int) -> Bool {
        let piece = 1 << 20
        var buffer = [UInt8](repeating: 0, count: piece)
        let total = end - from
        var done = 0
        while done < total {
            let n = min(piece, total - done)
            let source = to > from ? end - done - n : from + done
            let target = source - from + to
            let got = buffer.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, n, off_t(source)) }
            guard got == n, buffer.withUnsafeBytes({ pwrite(descriptor, $0.baseAddress, n, off_t(target)) }) == n else { return false }
            done += n
        }
        return true
    }
}
