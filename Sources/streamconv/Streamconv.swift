import ArgumentParser

/// `streamconv`: PyTorch's Conv1d as a streaming audio filter.
@main
struct Streamconv: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "streamconv",
        abstract: "Streaming, bit-exact torch.nn.Conv1d filtering for audio files and streams.",
        discussion: """
            Feeding a signal in chunks of any sizes gives bit for bit the output of one \
            whole-signal call, and that output matches PyTorch's Conv1d.
            """,
        subcommands: [RunCommand.self, VerifyCommand.self, InfoCommand.self, PresetsCommand.self, DemoCommand.self]
    )
}
