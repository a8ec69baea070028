import ArgumentParser
import Foundation
import StreamConv
import StreamConvIO
import StreamConvPresets

/// `--preset`, shared by every command that uses a filter.
struct PresetOptions: ParsableArguments {
    @Option(name: [.customLong("preset"), .customShort("p")], help: ArgumentHelp("A preset file, or the name of a shipped preset (see 'streamconv presets'); given again, the presets run one after another.", valueName: "preset"), completion: ShellCompletion.preset)
    var presets: [String] = []

    /// The preset named first.
    var preset: String { presets.first ?? "" }

    func validate() throws {
        if presets.isEmpty { throw ValidationError("Missing expected argument '--preset <preset>': a preset file or a shipped preset's name (see 'streamconv presets')") }
    }

    @Option(help: ArgumentHelp("Engine: auto (FFT for filters of 1024 taps or more at stride 1, else direct), direct, fft.", valueName: "engine"))
    var engine: Conv1dEngineChoice = .auto

    @Option(help: ArgumentHelp("How direct sums add each term: unfused (a multiply then an add: the same bits on every CPU and build), fused (one fused multiply-add: faster where the CPU has FMA, other bits, the same on every CPU).", valueName: "arithmetic"))
    var arithmetic: Conv1dArithmetic = .unfused

    /// The preset and the file it came from.
    func load() throws -> (preset: Preset, path: String) { try Self.load(preset) }

    /// The preset or network preset and the file it came from; several `--preset`s (or a
    /// `gainDB`) are a chain of them.
    func loadDocument(gainDB: Double? = nil) throws -> (document: PresetDocument, path: String) {
        if presets.count > 1 || gainDB != nil {
            var loaded: [(reference: String, preset: Preset)] = []
            for reference in presets {
                guard case let .filter(p) = try Self.loadDocument(reference).document else {
                    throw ValidationError("--preset \(reference) is a network; a chain of --preset options takes one-filter presets")
                }
                loaded.append((reference, p))
            }
            return (.network(NetworkPreset.chain(loaded, gainDB: gainDB)), presets.joined(separator: " "))
        }
        return try Self.loadDocument(preset)
    }

    /// The preset or network preset `argument` names, and its file.
    static func loadDocument(_ argument: String) throws -> (document: PresetDocument, path: String) {
        let preset = argument
        let raw = SystemPath.fromArgument(preset).bytes
        if String(validating: raw, as: UTF8.self) == nil {
            return (try PresetLibrary.loadDocument(file: raw, impulseResponses: ImpulseResponseFile.reader), String(decoding: raw, as: UTF8.self))
        }
        let (document, url) = try PresetLibrary.standard(impulseResponses: ImpulseResponseFile.reader).loadDocument(preset)
        return (document, url.path)
    }

    /// A network's graph for an input at `rate`: `preset` nodes are loaded as `--preset` would.
    func graph<T: ConvScalar>(_ network: NetworkPreset, as _: T.Type, rate: Int) throws -> NetworkGraph<T> {
        try network.graph(as: T.self, rate: rate, engine: engine, arithmetic: arithmetic) { reference throws(PresetError) in
            do {
                return try Self.load(reference).preset
            } catch let error as PresetError {
                throw error
            } catch {
                throw PresetError.unreadable(path: reference, reason: "\(error)")
            }
        }
    }

    /// The preset `argument` names (a file, or a shipped preset's name) and its file.
    static func load(_ argument: String) throws -> (preset: Preset, path: String) {
        // A path that is not UTF-8 is opened by its bytes; names are always UTF-8.
        let raw = SystemPath.fromArgument(argument).bytes
        if String(validating: raw, as: UTF8.self) == nil {
            return (try PresetLibrary.load(file: raw, impulseResponses: ImpulseResponseFile.reader), String(decoding: raw, as: UTF8.self))
        }
        let (preset, url) = try PresetLibrary.standard(impulseResponses: ImpulseResponseFile.reader).load(argument)
        return (preset, url.path)
    }
}

/// `--block N|whole`.
enum BlockSize: ExpressibleByArgument, Equatable {
    case frames(Int)
    case whole

    /// The largest block: 16 Mi frames.
    static let largest = 1 << 24

    init?(argument: String) {
        if argument == "whole" {
            self = .whole
        } else if let n = Int(argument) {
            self = .frames(n)
        } else {
            return nil
        }
    }

    func validate() throws {
        if case let .frames(n) = self, !(1...Self.largest).contains(n) {
            throw ValidationError(n < 1 ? "--block must be at least 1, got \(n)" : "--block must be at most \(Self.largest) frames, got \(n); use --block whole for one whole-signal call")
        }
    }

    static var defaultValueDescription: String { "4096" }
}

/// Sample rates given by users: 1 Hz to 2^31−1 Hz, what audio files can record.
enum SampleRate {
    static func validate(_ rate: Int, name: String) throws {
        guard rate >= 1 else { throw ValidationError("\(name) must be at least 1, got \(rate)") }
        guard rate <= Int(Int32.max) else { throw ValidationError("\(name) must be at most \(Int32.max) Hz, got \(rate)") }
    }
}

/// Options that take one value: giving one twice is a mistake, not "the last one wins".
enum RepeatedOptions {
    /// The short spelling of each long option that has one (the same letter in every command).
    static let shortNames = ["--preset": "-p", "--in": "-i", "--input": "-i", "--out": "-o", "--type": "-t", "--rate": "-r",
                             "--channels": "-c", "--block": "-b", "--threads": "-j", "--capture": "-C", "--playback": "-P", "--expect": "-e"]

    static func refuse(_ names: [String], arguments: [String] = CommandLine.arguments) throws {
        let words = arguments.dropFirst().prefix { $0 != "--" }
        for name in names {
            let spellings = [name] + (shortNames[name].map { [$0] } ?? [])
            let count = words.filter { word in spellings.contains { word == $0 || word.hasPrefix($0 + "=") } }.count
            if count > 1 { throw ValidationError("\(name) was given \(count) times; give it once") }
        }
    }
}

extension Conv1dEngineChoice: ExpressibleByArgument {}
extension Conv1dArithmetic: ExpressibleByArgument {}
