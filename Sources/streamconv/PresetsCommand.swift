import ArgumentParser
import StreamConvPresets

/// `streamconv presets`: lists the presets found by name.
struct PresetsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "presets",
        abstract: "List the presets that --preset finds by name.",
        discussion: "Searched: each folder of $STREAMCONV_PRESETS, ./presets, and the presets/ folder of the source checkout.")

    func run() throws {
        let library = PresetLibrary.standard()
        let found = library.all()
        if found.isEmpty {
            print("no presets found in \(library.folders.map(\.path).joined(separator: ", "))")
            return
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
