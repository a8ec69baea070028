import ArgumentParser
import StreamConvPresets

/// `--preset`, shared by every command that uses a filter.
struct PresetOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("A preset file, or the name of a shipped preset (see 'streamconv presets').", valueName: "preset"))
    var preset: String

    /// The preset and the file it came from.
    func load() throws -> (preset: Preset, path: String) {
        let (preset, url) = try PresetLibrary.standard().load(self.preset)
        return (preset, url.path)
    }
}

/// `--block N|whole`.
enum BlockSize: ExpressibleByArgument, Equatable {
    case frames(Int)
    case whole

    init?(argument: String) {
        if argument == "whole" {
            self = .whole
        } else if let n = Int(argument), n >= 1, n <= 1 << 24 {
            self = .frames(n)
        } else {
            return nil
        }
    }

    static var defaultValueDescription: String { "4096" }
}
