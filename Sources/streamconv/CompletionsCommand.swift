import ArgumentParser

/// `streamconv completions SHELL`: the completion script for bash, zsh or fish.
struct CompletionsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "completions",
        abstract: "Print the shell completion script for bash, zsh or fish.",
        discussion: """
            It completes subcommands, options, their values (sample formats, engines…), audio \
            files by extension, preset names and ALSA device names. scripts/install installs \
            all three; by hand: 'streamconv completions bash > \
            ~/.local/share/bash-completion/completions/streamconv', 'streamconv completions zsh \
            > ~/.zfunc/_streamconv' (with ~/.zfunc on fpath), 'streamconv completions fish > \
            ~/.config/fish/completions/streamconv.fish'.
            """)

    @Argument(help: ArgumentHelp("bash, zsh or fish.", valueName: "shell"))
    var shell: CompletionShell

    func run() throws {
        print(Streamconv.completionScript(for: shell), terminator: "")
    }
}

extension CompletionShell: @retroactive ExpressibleByArgument {}
