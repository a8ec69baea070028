import ArgumentParser
import StreamConvALSA
import StreamConvIO

/// A sample encoding as one option names it: `--out-format` by libsndfile's names,
/// `--raw-format` by raw pipes', `--format` by ALSA's (``SampleEncoding``'s tables).
protocol EncodingArgument: ExpressibleByArgument, CaseIterable, Equatable {
    /// The table this option reads names from.
    static var names: [(encoding: SampleEncoding, name: String)] { get }
    var encoding: SampleEncoding { get }
    init(encoding: SampleEncoding)
}

extension EncodingArgument {
    init?(argument: String) {
        guard let found = Self.names.first(where: { $0.name == argument }) else { return nil }
        self.init(encoding: found.encoding)
    }

    static var allCases: [Self] { names.map { Self(encoding: $0.encoding) } }
    static var allValueStrings: [String] { names.map(\.name) }
    var defaultValueDescription: String { Self.names.first { $0.encoding == encoding }!.name }
    /// The names, comma-separated, for help texts.
    static var nameList: String { allValueStrings.joined(separator: ", ") }
}

/// `--out-format`.
struct FileEncodingArgument: EncodingArgument {
    static var names: [(encoding: SampleEncoding, name: String)] { SampleEncoding.fileNames }
    let encoding: SampleEncoding
}

/// `--raw-format`.
struct RawEncodingArgument: EncodingArgument {
    static var names: [(encoding: SampleEncoding, name: String)] { SampleEncoding.rawNames }
    let encoding: SampleEncoding
}

/// `--format`, `--capture-format`, `--playback-format`.
struct DeviceEncodingArgument: EncodingArgument {
    static var names: [(encoding: SampleEncoding, name: String)] { SampleEncoding.alsaNames }
    let encoding: SampleEncoding
}
