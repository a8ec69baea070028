import ArgumentParser
import StreamConv
import StreamConvIO

#if canImport(Glibc)
import Glibc
#endif

/// `streamconv`: PyTorch's Conv1d as a streaming audio filter.
@main
struct Streamconv: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "streamconv",
        abstract: "Streaming, bit-exact torch.nn.Conv1d filtering for audio files and streams.",
        discussion: """
            Feeding a signal in chunks of any sizes gives bit for bit the output of one \
            whole-signal call, and that output matches PyTorch's Conv1d. Commands: run \
            (filter a file or a pipe), live (ALSA capture through the filter), devices, \
            verify (chunk equivalence, or an expected output), info (shape, latency, \
            response, plots), presets, demo, completions (bash, zsh, fish). Short options \
            mean the same in every command: -p --preset, -i --in/--input, -o --out, -t \
            --type, -r --rate, -c --channels, -b --block, -j --threads, -C --capture, -P \
            --playback, -e --expect. A mistake is one line on stderr and exit status 1 \
            (64 for a usage mistake).
            """,
        version: "streamconv \(StreamConvVersion.string)",
        subcommands: [RunCommand.self, LiveCommand.self, DevicesCommand.self, VerifyCommand.self, InfoCommand.self, PresetsCommand.self, DemoCommand.self, CompletionsCommand.self]
    )

    /// Without a subcommand: the help, on stderr, as a usage error.
    func run() throws {
        StandardError.write(Self.helpMessage() + "\n")
        throw ExitCode(64)
    }

    /// Runs a command with the conventions the README promises: a mistake is one line
    /// `Error: …` on stderr (a usage mistake adds a line pointing at `--help` and exits 64,
    /// any other exits 1); help and `--version` go to stdout with exit 0.
    static func main() {
        StandardError.ensureStandardDescriptors()
        InterruptCleanup.installHandlers()
        var command: any ParsableCommand
        do {
            command = try parseAsRoot()
        } catch {
            finish(reporting: error, usage: true)
        }
        do {
            try command.run()
        } catch {
            finish(reporting: error, usage: error is ValidationError)
        }
        Glibc.exit(0)
    }

    private static func finish(reporting error: any Error, usage: Bool) -> Never {
        let code = exitCode(for: error)
        if code == .success {
            print(fullMessage(for: error))
            Glibc.exit(0)
        }
        if error is ExitCode {
            Glibc.exit(code.rawValue)
        }
        // One line: the message's first line (ArgumentParser adds usage text after it).
        let message = message(for: error).split(separator: "\n", omittingEmptySubsequences: true).first.map(String.init) ?? "\(error)"
        printError("Error: " + message)
        if usage || code.rawValue == 64 {
            printError("Run '\(invocation) --help' for usage.")
            Glibc.exit(64)
        }
        Glibc.exit(code.rawValue == 0 ? 1 : code.rawValue)
    }

    /// "streamconv run" when a subcommand was named, else "streamconv".
    private static var invocation: String {
        let names = configuration.subcommands.compactMap { $0.configuration.commandName }
        if let word = CommandLine.arguments.dropFirst().first, names.contains(word) { return "streamconv \(word)" }
        return "streamconv"
    }
}
