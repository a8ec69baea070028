import ArgumentParser
import Foundation
import StreamConvPresets

/// `streamconv presets`: lists the presets found by name, as an aligned table.
struct PresetsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "presets",
        abstract: "List the presets that --preset finds by name.",
        discussion: """
            Searched in order: each folder of $STREAMCONV_PRESETS, the installed presets \
            (PREFIX/share/streamconv/presets beside PREFIX/bin/streamconv), ./presets, and the \
            presets/ folder of the source checkout the binary was built in. Columns: name, \
            shape (in→out channels, kernel, stride, dilation, groups), latency in input \
            frames, description.
            """)

    func run() throws {
        let library = PresetLibrary.standard(impulseResponses: ImpulseResponseFile.reader)
        let found = library.all()
        if found.isEmpty {
            throw NoPresets(folders: library.folders.map(\.path))
        }
        var rows: [[String]] = [["NAME", "SHAPE", "LATENCY", "DESCRIPTION"]]
        for (name, url, result) in found {
            switch result {
            case let .success(preset):
                let s = preset.spec
                var shape = "\(s.inChannels)→\(s.outChannels) k=\(s.kernelSize)"
                if s.stride != 1 { shape += " s=\(s.stride)" }
                if s.dilation != 1 { shape += " d=\(s.dilation)" }
                if s.groups != 1 { shape += " g=\(s.groups)" }
                rows.append([name, shape, "\(s.latency)", preset.description])
            case let .failure(error):
                rows.append([name, "(invalid)", "", "\(error) (\(url.path))"])
            }
        }
        let widths = (0..<3).map { column in rows.map { $0[column].count }.max()! }
        for row in rows {
            let cells = (0..<3).map { row[$0].padding(toLength: widths[$0], withPad: " ", startingAt: 0) }
            print((cells + [row[3]]).joined(separator: "  "))
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
