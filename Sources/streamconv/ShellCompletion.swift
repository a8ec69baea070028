import ArgumentParser
import Foundation
import StreamConvALSA
import StreamConvPresets

/// What the shells complete for streamconv's options: audio files by extension, preset
/// names (and preset files), ALSA device names.
enum ShellCompletion {
    /// The extensions libsndfile reads or writes, and raw samples.
    static let audioExtensions = ["wav", "wave", "flac", "ogg", "oga", "opus", "mp3", "aif", "aiff", "aifc", "au", "snd",
                                  "caf", "w64", "rf64", "raw", "f32", "f64", "s16", "s32"]

    /// An audio file (or `-`, typed by hand).
    static let audioFile = CompletionKind.file(extensions: audioExtensions)

    /// The names `--preset` finds, then the `.json` files and folders matching what is typed.
    static let preset = CompletionKind.custom { _, _, typed in presetCandidates(typed) }

    /// The PCM names ALSA knows, an asoundrc's included (as `streamconv devices` lists them).
    static let device = CompletionKind.custom { _, _, typed in
        ALSADevices.list().map(\.name).filter { $0.hasPrefix(typed) }
    }

    static func presetCandidates(_ typed: String) -> [String] {
        let names = PresetLibrary.standard().names().filter { $0.hasPrefix(typed) }
        // Files: those in the folder typed so far whose names go on with what is typed.
        let slash = typed.lastIndex(of: "/")
        let folder = slash.map { String(typed[...$0]) } ?? ""
        let stem = slash.map { String(typed[typed.index(after: $0)...]) } ?? typed
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: folder.isEmpty ? "." : folder)) ?? []
        let files = entries.sorted().filter { $0.hasPrefix(stem) && !$0.hasPrefix(".") }.compactMap { entry -> String? in
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: (folder.isEmpty ? "" : folder) + entry, isDirectory: &isFolder) else { return nil }
            if isFolder.boolValue { return folder + entry + "/" }
            return entry.hasSuffix(".json") ? folder + entry : nil
        }
        return names + files
    }
}
