import ArgumentParser
import Foundation
import StreamConvPresets

/// `streamconv presets`: lists the presets found by name.
struct PresetsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "presets",
        abstract: "List the presets that --preset finds by name.",
        discussion: """
            Searched in order: each folder of $STREAMCONV_PRESETS, the installed presets \
            (PREFIX/share/streamconv/presets beside PREFIX/bin/streamconv), ./presets, and the \
            presets/ folder of the source checkout the binary was built in.
            """)

    func run() throws {
        let library = PresetLibrary.standard()
        let found = library.all()
        if found.isEmpty {
            throw NoPresets(folders: library.folders.map(\.path))
        }
        let width = found.map(\.name.count).max()!
        for (name, url, result) in found {
            let padded = name.padding(toLength: width, withPad: " ", startingAt: 0)
            switch result {
            case let .success(preset):
                print("\(padded)  \(preset.spec)  \(preset.description)")
            case let .failure(error):
                print("\(padded)  (invalid: \(error)) \(url.path)")
            }
        }
    }
}

/// No preset in any folder searched.
struct NoPresets: Error, CustomStringConvertible {
    let folders: [String]
    var description: String {
        "no presets found; searched \(folders.joined(separator: ", ")); install them with scripts/install or set STREAMCONV_PRESETS"
    }
}
