import Foundation
import StreamConv
import StreamConvIO
import Testing

/// Issue 16, finding 11: man pages, shell completion that knows files and preset names,
/// short options, and ALSA's own reason when a device cannot be opened.
@Suite(.serialized) struct DiscoverabilityTests {
    let dir = temporaryFolder()

    func has(_ program: String) -> Bool {
        (try? CLI.shell("command -v \(program) >/dev/null"))?.status == 0
    }

    /// Files a user completes against: audio, a preset file, a folder, and a text file that
    /// no option takes.
    func makeFiles() throws {
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("takes"), withIntermediateDirectories: true)
        for name in ["song.flac", "speech.wav", "notes.txt", "my-eq.json", "takes/one.wav"] {
            try Data().write(to: dir.appendingPathComponent(name))
        }
    }

    /// bash, with the script `streamconv completions bash` prints loaded as bash-completion
    /// loads it: each line's completions are those a user pressing Tab gets.
    @Test func bashCompletesOptionsFilesPresetsAndValues() throws {
        defer { try? FileManager.default.removeItem(at: dir) }
        try makeFiles()
        let script = try CLI.run(["completions", "bash"])
        #expect(script.status == 0)
        try script.stdout.write(to: dir.appendingPathComponent("completion.bash"))
        let cases: [(line: [String], expected: [String], absent: [String])] = [
            (["streamconv", ""], ["run", "live", "info", "completions"], []),
            (["streamconv", "run", "--pre"], ["--preset", "--precision"], ["--in"]),
            (["streamconv", "run", "--preset", "low"], ["lowpass", "lowpass-4k", "lowpass-kaiser"], ["highpass-100"]),
            (["streamconv", "run", "-p", "m"], ["mid-side", "my-eq.json"], []),
            (["streamconv", "info", "--preset", "tak"], ["takes/"], []),
            (["streamconv", "run", "--in", "s"], ["song.flac", "speech.wav"], ["notes.txt"]),
            (["streamconv", "run", "-i", ""], ["song.flac", "speech.wav", "takes"], ["notes.txt", "my-eq.json"]),
            (["streamconv", "run", "--in", "takes/"], ["takes/one.wav"], []),
            (["streamconv", "run", "-p", "lowpass", "-i", "song.flac", "--out-format", ""], ["float", "double", "pcm16", "pcm24", "pcm32"], []),
            (["streamconv", "live", "--capture", ""], ["null"], []),
        ]
        var harness = "source ./completion.bash\n"
        for (line, _, _) in cases {
            let words = line.map { "'\($0)'" }.joined(separator: " ")
            harness += """
                COMP_WORDS=(\(words)); COMP_CWORD=\(line.count - 1); COMP_LINE="${COMP_WORDS[*]}"; COMP_POINT=${#COMP_LINE}; COMPREPLY=()
                _streamconv streamconv "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"; printf '%s\\n' "${COMPREPLY[*]}"

                """
        }
        try Data(harness.utf8).write(to: dir.appendingPathComponent("harness.bash"))
        let r = try CLI.shell("PATH=\"$(dirname \"$SC\"):$PATH\" HOME='\(dir.path)' bash harness.bash", in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        let replies = r.out.split(separator: "\n", omittingEmptySubsequences: false).map { Set($0.split(separator: " ").map(String.init)) }
        #expect(replies.count >= cases.count, "\(r.out)")
        for (i, c) in cases.enumerated() where i < replies.count {
            #expect(Set(c.expected).isSubset(of: replies[i]), "\(c.line.joined(separator: " ")) ⇥ \(replies[i].sorted())")
            #expect(replies[i].isDisjoint(with: c.absent), "\(c.line.joined(separator: " ")) ⇥ \(replies[i].sorted())")
        }
    }

    /// zsh and fish load their scripts; fish completes files and values through them, and
    /// the preset names come from the binary's completion entry point the scripts call.
    @Test func zshAndFishScripts() throws {
        defer { try? FileManager.default.removeItem(at: dir) }
        try makeFiles()
        let names = try CLI.run(["---completion", "run", "--", "--preset", "3", "1", "streamconv", "run", "--preset", "hi"])
        #expect(names.status == 0 && names.out.split(separator: "\n").contains("highpass-100") && names.out.contains("hilbert-widener"), "\(names.out) \(names.stderr)")
        for shell in ["zsh", "fish"] {
            let script = try CLI.run(["completions", shell])
            #expect(script.status == 0 && script.out.contains("---completion run -- --preset"), "\(shell)")
            try script.stdout.write(to: dir.appendingPathComponent("completion.\(shell)"))
        }
        if has("zsh") {
            let r = try CLI.shell("zsh -n completion.zsh", in: dir)
            #expect(r.status == 0, "\(r.stderr)")
        }
        if has("fish") {
            let r = try CLI.shell("""
                PATH="$(dirname "$SC"):$PATH" HOME='\(dir.path)' fish -i -c 'source completion.fish; complete -C "streamconv run --in s"; echo ---; complete -C "streamconv run --out-format pcm"'
                """, in: dir)
            let (files, values) = (r.out.components(separatedBy: "---")[0], r.out.components(separatedBy: "---").last ?? "")
            #expect(files.contains("song.flac") && files.contains("speech.wav") && !files.contains("notes.txt"), "\(r.out) \(r.stderr)")
            let offered = values.split(separator: "\n").map { $0.split(separator: "\t").first.map(String.init) ?? "" }
            #expect(offered.contains("pcm16") && offered.contains("pcm24") && !offered.contains("float"), "\(r.out)")
        }
    }

    /// Short options mean what their long names do, and one given twice in either spelling
    /// is refused as a repeated long one is.
    @Test func shortOptions() throws {
        defer { try? FileManager.default.removeItem(at: dir) }
        var rng = SeededGenerator(seed: 11)
        try writeFile(Signal((0..<2).map { _ in (0..<3000).map { _ in Float(rng.nextUnit() - 0.5) } }), dir.appendingPathComponent("in.wav").path)
        let long = try CLI.run(["run", "--preset", "lowpass", "--in", "in.wav", "--out", "long.wav", "--block", "77", "--threads", "1"], in: dir)
        let short = try CLI.run(["run", "-p", "lowpass", "-i", "in.wav", "-o", "short.wav", "-b", "77", "-j", "1"], in: dir)
        #expect(long.status == 0 && short.status == 0, "\(long.stderr) \(short.stderr)")
        #expect(try Data(contentsOf: dir.appendingPathComponent("long.wav")) == Data(contentsOf: dir.appendingPathComponent("short.wav")))
        let raw = try CLI.run(["run", "-p", "lowpass", "-i", "-", "-r", "16000", "-c", "2", "--raw-format", "s16", "-o", "-", "-t", "wav"], in: dir, input: Data(count: 400))
        #expect(raw.status == 0 && raw.stdout.starts(with: Array("RIFF".utf8)), "\(raw.stderr)")
        let twice = try CLI.run(["run", "-p", "lowpass", "-i", "in.wav", "--in", "in.wav", "-o", "x.wav"], in: dir)
        #expect(twice.status == 64 && twice.stderr.hasPrefix("Error: --in was given 2 times; give it once\n"), "\(twice.stderr)")
        let help = try CLI.run(["run", "--help"])
        #expect(help.out.contains("-p, --preset <preset>") && help.out.contains("-i, --in <file>") && help.out.contains("-o, --out <file>"), "\(help.out)")
        let live = try CLI.run(["live", "--help"])
        #expect(live.out.contains("-C, --capture <device>") && live.out.contains("-P, --playback <device>"), "\(live.out)")
    }

    /// `scripts/install-files` (what `scripts/install` runs after building) installs man pages
    /// generated from the commands' help, the completion scripts, the presets and a binary
    /// that runs from its new place.
    @Test func installPutsManPagesAndCompletions() throws {
        defer { try? FileManager.default.removeItem(at: dir) }
        let prefix = dir.appendingPathComponent("prefix").path
        let bin = CLI.executable.deletingLastPathComponent().path
        let r = try CLI.shell("'\(CLI.repository.path)/scripts/install-files' '\(prefix)' '\(bin)'", in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        let man = "\(prefix)/share/man/man1"
        for command in ["", ".run", ".live", ".info", ".verify", ".presets", ".devices", ".demo", ".completions"] {
            #expect(FileManager.default.fileExists(atPath: "\(man)/streamconv\(command).1"), "streamconv\(command).1")
        }
        let run = try String(contentsOfFile: "\(man)/streamconv.run.1", encoding: .utf8)
        #expect(run.hasPrefix(".\\\"") || run.contains(".Dd "), "mdoc")
        #expect(run.contains(".Dt STREAMCONV.RUN 1") && run.contains(".Nm \"streamconv run\""))
        for option in ["Fl p , -preset", "Fl i , -in", "Fl o , -out", "Fl -dither", "Fl -out-format", "Fl -in-place"] {
            #expect(run.contains(".It \(option)"), "\(option) missing from the run page")
        }
        let live = try String(contentsOfFile: "\(man)/streamconv.live.1", encoding: .utf8)
        #expect(live.contains(".It Fl C , -capture") && live.contains("Fl -stats"))
        if has("man") {
            let page = try CLI.shell("MANWIDTH=80 man -l '\(man)/streamconv.run.1' 2>&1")
            #expect(page.status == 0 && page.out.contains("--preset") && page.out.contains("--block"), "\(page.out)")
        }
        #expect(FileManager.default.fileExists(atPath: "\(prefix)/share/bash-completion/completions/streamconv"))
        #expect(FileManager.default.fileExists(atPath: "\(prefix)/share/zsh/site-functions/_streamconv"))
        #expect(FileManager.default.fileExists(atPath: "\(prefix)/share/fish/vendor_completions.d/streamconv.fish"))
        let listed = try CLI.shell("env -u STREAMCONV_PRESETS '\(prefix)/bin/streamconv' presets")
        #expect(listed.status == 0 && listed.out.contains("lowpass-4k"), "\(listed.stderr)")
    }

    /// ALSA's own reason follows ours when a device cannot be opened (before: "cannot open:
    /// Invalid argument" alone for a wrong asoundrc).
    @Test func alsaSaysWhy() throws {
        defer { try? FileManager.default.removeItem(at: dir) }
        let rc = """
            pcm.badformat { type file; slave.pcm "null"; file "/dev/null"; format "nonsense" }
            pcm.nofile { type file; slave.pcm "null" }
            pcm.badslave { type plug; slave.pcm "nothere" }
            """
        try Data(rc.utf8).write(to: dir.appendingPathComponent(".asoundrc"))
        for (device, expected) in [("badformat", "Error: capture \"badformat\": cannot open: Invalid argument (ALSA: file format nonsense is unknown)\n"),
                                   ("nofile", "Error: capture \"nofile\": cannot open: Invalid argument (ALSA: file is not defined)\n"),
                                   ("badslave", "Error: capture \"badslave\": no such ALSA device; run 'streamconv devices' to list them (ALSA: Unknown PCM nothere)\n")] {
            let r = try CLI.run(["live", "--preset", "lowpass-4k", "--capture", device, "--out", "/dev/null", "--frames", "10"], in: dir, environment: ["HOME": dir.path])
            #expect(r.status == 1 && r.stderr == expected, "\(r.stderr)")
        }
    }
}
