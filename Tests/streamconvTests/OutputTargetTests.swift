import Foundation
import StreamConv
import StreamConvIO
import Testing

/// Whether this process may make device nodes (root with CAP_MKNOD); the device cases are
/// skipped cleanly where it may not.
let canMakeDevices: Bool = {
    let dir = temporaryFolder()
    defer { try? FileManager.default.removeItem(at: dir) }
    return mknod(dir.appendingPathComponent("probe").path, S_IFCHR | 0o666, makedev(1, 3)) == 0
}()

func makedev(_ major: UInt32, _ minor: UInt32) -> dev_t {
    dev_t((major & 0xfff) << 8 | (minor & 0xff) | ((minor & ~0xff) << 12))
}

func fileKind(_ path: String) -> mode_t? {
    var st = stat()
    return lstat(path, &st) == 0 ? st.st_mode & S_IFMT : nil
}

func permissions(_ path: String) -> mode_t? {
    var st = stat()
    return stat(path, &st) == 0 ? st.st_mode & 0o7777 : nil
}

/// Where `--out` points: never clobber what is not ours (issue 5, items 1, 20, 22, 26).
@Suite(.serialized) struct OutputTargetTests {
    let dir = temporaryFolder()

    init() throws {
        var rng = SeededGenerator(seed: 5)
        let x = Signal<Float>((0..<2).map { _ in (0..<3000).map { _ in Float(rng.nextUnit() - 0.5) } })
        try writeFile(x, dir.appendingPathComponent("in.wav").path)
    }

    func path(_ name: String) -> String { dir.appendingPathComponent(name).path }
    func bytes(_ name: String) throws -> Data { try Data(contentsOf: dir.appendingPathComponent(name)) }

    /// The bytes a plain run writes to a new regular file: what every other target must receive.
    func reference() throws -> Data {
        let r = try CLI.run(["run", "--preset", "lowpass-4k", "--in", "in.wav", "--out", "reference.wav"], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        defer { try? FileManager.default.removeItem(at: dir.appendingPathComponent("reference.wav")) }
        return try bytes("reference.wav")
    }

    func run(out: String, _ extra: [String] = []) throws -> CLI.Result {
        try CLI.run(["run", "--preset", "lowpass-4k", "--in", "in.wav", "--out", out] + extra, in: dir)
    }

    @Test func symlinkIsFollowedAndSurvives() throws {
        defer { try? FileManager.default.removeItem(at: dir) }
        let expected = try reference()
        try Data("old".utf8).write(to: dir.appendingPathComponent("t.wav"))
        try FileManager.default.createSymbolicLink(atPath: path("l.wav"), withDestinationPath: "t.wav")
        let r = try run(out: "l.wav")
        #expect(r.status == 0, "\(r.stderr)")
        #expect(fileKind(path("l.wav")) == S_IFLNK, "the link is still a link")
        #expect(try bytes("t.wav") == expected, "its target got the output")
        // A link whose target does not exist yet (in another folder): the target is created there.
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("sub"), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: path("dangling.wav"), withDestinationPath: "sub/new.wav")
        #expect(try run(out: "dangling.wav").status == 0)
        #expect(fileKind(path("dangling.wav")) == S_IFLNK)
        #expect(try bytes("sub/new.wav") == expected)
        #expect(contents(dir) == ["dangling.wav", "in.wav", "l.wav", "sub", "t.wav"])
    }

    @Test func fifoReaderGetsTheWholeFile() throws {
        defer { try? FileManager.default.removeItem(at: dir) }
        let expected = try reference()
        #expect(mkfifo(path("ff"), 0o644) == 0)
        let received = Locked<Data>()
        let fifo = path("ff")
        let reader = Thread { received.value = FileHandle(forReadingAtPath: fifo)!.readDataToEndOfFile() }
        reader.start()
        let r = try run(out: "ff")
        #expect(r.status == 0, "\(r.stderr)")
        var waited = 0
        while !reader.isFinished && waited < 10_000 {
            usleep(1000)
            waited += 1
        }
        if !reader.isFinished {
            Issue.record("the FIFO's reader got no end of file within 10 s")
            if let unblock = FileHandle(forWritingAtPath: fifo) { try? unblock.close() }
            return
        }
        #expect(received.value == expected)
        #expect(fileKind(path("ff")) == S_IFIFO, "the FIFO is still a FIFO")
    }

    @Test func socketReceivesTheWholeFile() throws {
        defer { try? FileManager.default.removeItem(at: dir) }
        let expected = try reference()
        let socketPath = path("sock")
        let listener = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: Array(socketPath.utf8) + [0])
        }
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) } }
        #expect(bound == 0 && listen(listener, 1) == 0)
        let received = Locked<Data>()
        let server = Thread {
            let connection = accept(listener, nil, nil)
            received.value = FileHandle(fileDescriptor: connection, closeOnDealloc: true).readDataToEndOfFile()
        }
        server.start()
        let r = try run(out: "sock")
        #expect(r.status == 0, "\(r.stderr)")
        while !server.isFinished { usleep(1000) }
        close(listener)
        #expect(received.value == expected)
        #expect(fileKind(socketPath) == S_IFSOCK)
    }

    @Test(.enabled(if: canMakeDevices, "needs mknod (root with CAP_MKNOD)"))
    func characterDeviceIsWrittenDirectly() throws {
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(mknod(path("null"), S_IFCHR | 0o666, makedev(1, 3)) == 0)
        let r = try run(out: "null")
        #expect(r.status == 0, "\(r.stderr)")
        #expect(fileKind(path("null")) == S_IFCHR, "still the device, not a regular file")
        // A block device is not a place for audio.
        #expect(mknod(path("loop"), S_IFBLK | 0o600, makedev(7, 200)) == 0)
        let block = try run(out: "loop")
        #expect(block.status == 1 && block.stderr.contains("it is a block device"), "\(block.stderr)")
        #expect(fileKind(path("loop")) == S_IFBLK)
    }

    @Test func folderIsAClearError() throws {
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("d.wav"), withIntermediateDirectories: true)
        let r = try run(out: "d.wav")
        #expect(r.status == 1 && r.stderr == "Error: cannot open d.wav: it is a folder; give a file, a FIFO, a socket, a character device or - for stdout\n")
    }

    /// The input as output, by its name, a symlink or a hard link: refused and untouched;
    /// with --in-place replaced by exactly what a run into another file writes.
    @Test func theInputIsNotOverwrittenUnlessInPlace() throws {
        defer { try? FileManager.default.removeItem(at: dir) }
        let original = try bytes("in.wav")
        try FileManager.default.createSymbolicLink(atPath: path("link.wav"), withDestinationPath: "in.wav")
        #expect(link(path("in.wav"), path("hard.wav")) == 0)
        for out in ["in.wav", "./in.wav", "link.wav", "hard.wav"] {
            let r = try run(out: out)
            #expect(r.status == 1 && r.stderr.contains("is the input file; write to another file, or give --in-place"), "\(out): \(r.stderr)")
        }
        #expect(try bytes("in.wav") == original)
        let expected = try reference()
        chmod(path("in.wav"), 0o640)
        let r = try run(out: "in.wav", ["--in-place"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try bytes("in.wav") == expected)
        #expect(permissions(path("in.wav")) == 0o640, "a replaced file keeps its mode")
    }

    @Test func replacedFileKeepsItsModeAndNewFileFollowsTheUmask() throws {
        defer { try? FileManager.default.removeItem(at: dir) }
        try Data("old".utf8).write(to: dir.appendingPathComponent("private.wav"))
        chmod(path("private.wav"), 0o600)
        #expect(try run(out: "private.wav").status == 0)
        #expect(permissions(path("private.wav")) == 0o600)
        let r = try CLI.shell("umask 027; \"$SC\" run --preset lowpass-4k --in in.wav --out new.wav", in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(permissions(path("new.wav")) == 0o640)
    }

    /// A name at the file system's limit works: the temporary's name does not grow with it.
    @Test func longFileNameWorks() throws {
        defer { try? FileManager.default.removeItem(at: dir) }
        let name = String(repeating: "n", count: 251) + ".wav"
        let r = try run(out: name)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(contents(dir) == ["in.wav", name])
    }

    /// Failures after the output was opened leave nothing: a refused encoder option, a file
    /// size limit (SIGXFSZ is ignored, so the write fails and is reported).
    @Test func failuresAfterOpeningLeaveNothing() throws {
        defer { try? FileManager.default.removeItem(at: dir) }
        let quality = try run(out: "q.wav", ["--quality", "0.5"])
        #expect(quality.status == 1 && quality.stderr.contains("--quality applies to lossy encodings"), "\(quality.stderr)")
        let limited = try CLI.shell("ulimit -f 16; \"$SC\" run --preset lowpass-4k --in in.wav --out big.wav", in: dir)
        #expect(limited.status == 1, "\(limited.stderr)")
        #expect(limited.stderr.hasPrefix("Error: ") && limited.stderr.split(separator: "\n").count == 1, "\(limited.stderr)")
        #expect(contents(dir) == ["in.wav"])
    }

    /// A closed or full stderr loses the summary but not the result.
    @Test(arguments: ["2>&-", "2>/dev/full"])
    func unwritableStderrDoesNotChangeTheResult(redirect: String) throws {
        defer { try? FileManager.default.removeItem(at: dir) }
        let expected = try reference()
        let r = try CLI.shell("\"$SC\" run --preset lowpass-4k --in in.wav --out o.wav --progress always \(redirect); echo \"status $?\"", in: dir)
        #expect(r.out == "status 0\n", "\(r.out) \(r.stderr)")
        #expect(try bytes("o.wav") == expected)
        let failing = try CLI.shell("\"$SC\" run --preset lowpass-4k --in missing.wav --out o2.wav \(redirect); echo \"status $?\"", in: dir)
        #expect(failing.out == "status 1\n")
    }

    /// File names are bytes: a Latin-1 name (not UTF-8) is read and written under its own name.
    @Test func nonUTF8NamesArePassedAsBytes() throws {
        defer { try? FileManager.default.removeItem(at: dir) }
        let expected = try reference()
        #expect(try CLI.shell("cp in.wav \"$(printf 'in\\351.wav')\"", in: dir).status == 0)
        let again = try CLI.shell("\"$SC\" run --preset lowpass-4k --in \"$(printf 'in\\351.wav')\" --out \"$(printf 'out\\351.wav')\"", in: dir)
        #expect(again.status == 0, "\(again.stderr)")
        let names = rawNames(dir)
        #expect(names.contains(Array("out".utf8) + [0xE9] + Array(".wav".utf8)), "\(names)")
        #expect(!names.contains { String(decoding: $0, as: UTF8.self).contains("\u{FFFD}") && $0.contains(0xEF) }, "no U+FFFD copy")
        let written = try CLI.shell("cat \"$(printf 'out\\351.wav')\"", in: dir)
        #expect(written.stdout == expected)
        // A preset file with such a name too.
        try FileManager.default.copyItem(at: CLI.repository.appendingPathComponent("presets/lowpass-4k.json"), to: dir.appendingPathComponent("plain.json"))
        let info = try CLI.shell("cp plain.json \"$(printf 'p\\351.json')\" && \"$SC\" info --preset \"$(printf 'p\\351.json')\"", in: dir)
        #expect(info.status == 0 && info.out.hasPrefix("name:          lowpass-4k"), "\(info.stderr)")
    }

    /// Directory entries as raw bytes (FileManager would repair them).
    func rawNames(_ dir: URL) -> [[UInt8]] {
        guard let d = opendir(dir.path) else { return [] }
        defer { closedir(d) }
        var names: [[UInt8]] = []
        while let entry = readdir(d) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { Array($0.prefix { $0 != 0 }) }
            if name != [0x2E] && name != [0x2E, 0x2E] { names.append(name) }
        }
        return names
    }
}
