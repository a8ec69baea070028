import Foundation
import StreamConv
@testable import StreamConvPresets
import Testing

/// Strict preset decoding: every error names its key path.
@Suite struct PresetDecodingTests {
    static let base = """
        "conv1d": {"in_channels": 2, "out_channels": 2, "kernel_size": 3, "groups": 2, "bias": true},
        "weight": [[[1, 2, 3]], [[4, 5, 6]]], "bias": [0.5, -0.5]
        """

    func decode(_ body: String) throws -> Preset {
        try Preset(json: "{" + body + "}", defaultName: "stem")
    }

    func expectError(_ body: String, _ message: String, sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            _ = try decode(body)
            Issue.record("decoded without error; expected \(message)", sourceLocation: sourceLocation)
        } catch {
            #expect("\(error)" == message, sourceLocation: sourceLocation)
        }
    }

    @Test func decodesTheSchemaExample() throws {
        let preset = try decode(#""name": "x", "description": "d", "sample_rate": 48000, "# + Self.base)
        #expect(preset.name == "x" && preset.description == "d" && preset.sampleRate == 48000)
        let expected = try Conv1dSpec(inChannels: 2, outChannels: 2, kernelSize: 3, groups: 2)
        #expect(preset.spec == expected)
        let w = try preset.weights(as: Float.self)
        #expect(w.weight == [1, 2, 3, 4, 5, 6] && w.bias == [0.5, -0.5])
    }

    @Test func defaultsAndNameFromFileStem() throws {
        let preset = try decode(#""conv1d": {"in_channels": 1, "out_channels": 1, "kernel_size": 2}, "init": {"seed": 3}"#)
        #expect(preset.name == "stem" && preset.description == "" && preset.sampleRate == nil)
        #expect(preset.spec == (try Conv1dSpec(inChannels: 1, outChannels: 1, kernelSize: 2)))
    }

    @Test func pytorchTupleFormsAndPaddingWords() throws {
        let p = try decode(#""conv1d": {"in_channels": 1, "out_channels": 1, "kernel_size": [5], "stride": [1], "padding": [2], "dilation": [3]}, "init": {"seed": 1}"#)
        #expect(p.spec.kernelSize == 5 && p.spec.padding == .samples(2) && p.spec.dilation == 3)
        let same = try decode(#""conv1d": {"in_channels": 1, "out_channels": 1, "kernel_size": 4, "padding": "same", "padding_mode": "reflect"}, "init": {"seed": 1}"#)
        #expect(same.spec.padLeft == 1 && same.spec.padRight == 2 && same.spec.paddingMode == .reflect)
        let valid = try decode(#""conv1d": {"in_channels": 1, "out_channels": 1, "kernel_size": 4, "padding": "valid"}, "init": {"seed": 1}"#)
        #expect(valid.spec.padding == .valid)
    }

    @Test func float32WeightsAreExact() throws {
        // Shortest float32 decimals; going through Double would round some of them wrongly.
        let values: [Float] = [0.1, Float(bitPattern: 1), 3.4028235e38, -2.3509887e-38, 0.33333334, 16777216]
        let text = values.map { "\($0)" }.joined(separator: ", ")
        let p = try decode(#""conv1d": {"in_channels": 1, "out_channels": 1, "kernel_size": 6, "bias": false}, "weight": [[["# + text + "]]]")
        #expect(try p.weights(as: Float.self).weight.map(\.bitPattern) == values.map(\.bitPattern))
    }

    @Test func initMatchesCoreInitialisation() throws {
        let p = try decode(#""conv1d": {"in_channels": 16, "out_channels": 33, "kernel_size": 3, "stride": 2}, "init": {"seed": 42}"#)
        let w = try p.weights(as: Double.self)
        #expect(w == Conv1dWeights(defaultInitFor: p.spec, seed: 42))
        let bound = 1 / (16.0 * 3).squareRoot()
        #expect(w.weight.allSatisfy { abs($0) <= bound } && w.bias!.allSatisfy { abs($0) <= bound })
    }

    @Test func unknownKeys() {
        expectError(#""colour": 1, "# + Self.base,
                    "colour: unknown key; allowed here: name, description, sample_rate, conv1d, weight, bias, weights, weights_prefix, design, init, taps, impulse_response, tail, resample, routing, outputs")
        expectError(#""conv1d": {"in_channels": 1, "out_channels": 1, "kernel_size": 1, "padding_mod": "zeros"}, "init": {"seed": 1}"#,
                    "conv1d.padding_mod: unknown key; allowed here: in_channels, out_channels, kernel_size, stride, padding, dilation, groups, bias, padding_mode")
        expectError(#""conv1d": {"in_channels": 1, "out_channels": 1, "kernel_size": 1}, "init": {"seed": 1, "std": 2}"#,
                    "init.std: unknown key; allowed here: seed")
    }

    @Test func wrongTypesAndValues() {
        expectError(#""conv1d": {"in_channels": 1, "out_channels": 1, "kernel_size": 1, "padding_mode": "mirror"}, "init": {"seed": 1}"#,
                    #"conv1d.padding_mode: expected one of zeros, reflect, replicate, circular, got "mirror""#)
        expectError(#""conv1d": {"in_channels": 1, "out_channels": 1, "kernel_size": 1.5}, "init": {"seed": 1}"#,
                    "conv1d.kernel_size: expected an integer from 1 to 2147483647, got 1.5")
        expectError(#""conv1d": {"in_channels": "2", "out_channels": 1, "kernel_size": 1}, "init": {"seed": 1}"#,
                    "conv1d.in_channels: expected an integer from 1 to 2147483647, got a string")
        expectError(#""conv1d": {"in_channels": 1, "out_channels": 1, "kernel_size": 1, "padding": "full"}, "init": {"seed": 1}"#,
                    #"conv1d.padding: expected an integer ≥ 0, [integer], "same" or "valid", got "full""#)
        expectError(#""conv1d": {"in_channels": 1, "out_channels": 1, "kernel_size": 1, "padding": -1}, "init": {"seed": 1}"#,
                    "conv1d.padding: expected an integer from 0 to 2147483647, got -1")
        expectError(#""conv1d": {"in_channels": 1, "out_channels": 1, "kernel_size": 1, "bias": 1}, "init": {"seed": 1}"#,
                    "conv1d.bias: expected true or false, got a number")
        expectError(#""sample_rate": 0, "# + Self.base, "sample_rate: expected an integer from 1 to 2147483647, got 0")
        expectError(#""conv1d": {"in_channels": 1, "out_channels": 1, "kernel_size": [1, 2]}, "init": {"seed": 1}"#,
                    "conv1d.kernel_size: expected an integer ≥ 1 or a list of one, got a list of 2")
    }

    @Test func missingKeys() {
        expectError(#""weight": [[[1]]]"#, "conv1d: required key is missing")
        expectError(#""conv1d": {"in_channels": 1, "kernel_size": 1}, "init": {"seed": 1}"#, "conv1d.out_channels: required key is missing")
        expectError(#""conv1d": {"in_channels": 1, "out_channels": 1, "kernel_size": 2}, "weight": [[[1, 2]]]"#, "bias: required key is missing")
    }

    @Test func pytorchRulesNameTheSection() {
        expectError(#""conv1d": {"in_channels": 3, "out_channels": 2, "kernel_size": 1, "groups": 2}, "init": {"seed": 1}"#,
                    "conv1d: in_channels (3) must be divisible by groups (2); choose groups that divides both channel counts")
        expectError(#""conv1d": {"in_channels": 1, "out_channels": 1, "kernel_size": 3, "stride": 2, "padding": "same"}, "init": {"seed": 1}"#,
                    "conv1d: padding='same' is not supported for strided convolutions (stride 2); use stride 1 or an explicit padding")
    }

    /// A library user supplies the audio reader; without one the preset says what is missing.
    @Test func impulseResponseThroughAReader() throws {
        let json = #"{"impulse_response": "room.wav", "tail": false}"#
        #expect(throws: PresetError.self) { try Preset(json: json, defaultName: "room") }
        do {
            _ = try Preset(json: json, defaultName: "room")
        } catch {
            #expect("\(error)" == "impulse_response: expected a preset loader that reads audio files (the streamconv CLI, or PresetLibrary(impulseResponses:)), got \"room.wav\"")
        }
        let reader: ImpulseResponseReader = { path in
            #expect(path == "/irs/room.wav")
            return ImpulseResponse(sampleRate: 44100, channels: [[1, 0.5, 0.25], [0.1, 0.2, 0.3]])
        }
        let preset = try Preset(json: json, defaultName: "room", directory: "/irs", impulseResponses: reader)
        #expect(preset.sampleRate == 44100 && preset.fixedRate == 44100 && !preset.keepsTail)
        #expect(preset.spec == (try Conv1dSpec(inChannels: 2, outChannels: 2, kernelSize: 3, padding: .samples(2), groups: 2, bias: false)))
        // Convolution: Conv1d's taps are the response reversed.
        #expect(try preset.weights(as: Double.self).weight == [0.25, 0.5, 1, 0.3, 0.2, 0.1])
        let empty: ImpulseResponseReader = { _ in ImpulseResponse(sampleRate: 48000, channels: [[]]) }
        #expect(throws: PresetError.weightsFile("/irs/room.wav: the impulse response has no samples")) {
            try Preset(json: json, defaultName: "room", directory: "/irs", impulseResponses: empty)
        }
        let loud: ImpulseResponseReader = { _ in ImpulseResponse(sampleRate: 48000, channels: [[1, .nan]]) }
        #expect(throws: PresetError.weightsFile("/irs/room.wav: sample 1 of channel 0 is nan; an impulse response must be finite")) {
            try Preset(json: json, defaultName: "room", directory: "/irs", impulseResponses: loud)
        }
    }

    @Test func shapeErrorsNameBothShapes() {
        expectError(#""conv1d": {"in_channels": 2, "out_channels": 2, "kernel_size": 3, "groups": 2}, "weight": [[[1, 2, 3, 4]], [[4, 5, 6, 7]]], "bias": [1, 2]"#,
                    "weight: expected [2][1][3], got [2][1][4]")
        expectError(#""conv1d": {"in_channels": 2, "out_channels": 2, "kernel_size": 3, "groups": 2}, "weight": [[[1, 2, 3]], [[4, 5]]], "bias": [1, 2]"#,
                    "weight: expected [2][1][3], got [2][1][3] (rows of different lengths)")
        expectError(#""conv1d": {"in_channels": 2, "out_channels": 2, "kernel_size": 3, "groups": 2}, "weight": [[[1, 2, 3]], [[4, 5, 6]]], "bias": [1]"#,
                    "bias: expected 2 values (one per output channel), got 1 values")
        expectError(#""conv1d": {"in_channels": 1, "out_channels": 1, "kernel_size": 1, "bias": false}, "weight": [[[1]]], "bias": [1]"#,
                    "bias: expected no bias, since conv1d.bias is false, got a bias")
        expectError(#""conv1d": {"in_channels": 1, "out_channels": 1, "kernel_size": 2, "bias": false}, "weight": [[[1, "x"]]]"#,
                    "weight[0][0][1]: expected a number, got a string")
    }

    @Test func exactlyOneWeightSource() {
        expectError(#""conv1d": {"in_channels": 1, "out_channels": 1, "kernel_size": 1}"#,
                    "preset has no weights: give exactly one of weight (with bias), weights, taps, impulse_response, design, outputs, init")
        expectError(#""conv1d": {"in_channels": 1, "out_channels": 1, "kernel_size": 1, "bias": false}, "weight": [[[1]]], "init": {"seed": 1}"#,
                    "preset gives weight and init; give exactly one of weight, weights, taps, impulse_response, design, outputs, init")
        expectError(#""conv1d": {"in_channels": 1, "out_channels": 1, "kernel_size": 1}, "weights": "w.pt""#,
                    #"weights: expected a .safetensors or .npy file, got "w.pt""#)
        expectError(#""conv1d": {"in_channels": 1, "out_channels": 1, "kernel_size": 1}, "design": {"type": "lowpass"}"#,
                    "conv1d.bias: expected false for a design preset (a designed FIR has no bias), got true")
    }

    @Test func valuesThatDoNotFitTheSampleType() throws {
        let p = try decode(#""conv1d": {"in_channels": 1, "out_channels": 1, "kernel_size": 2, "bias": false}, "weight": [[[1, 1e39]]]"#)
        #expect(throws: PresetError.invalid(path: "weight[0][0][1]", expected: "a finite Float", got: "1e39")) {
            try p.weights(as: Float.self)
        }
        #expect(try p.weights(as: Double.self).weight == [1, 1e39])
    }

    @Test func syntaxErrorsHaveLineAndColumn() {
        #expect(throws: PresetError.syntax(file: "preset", JSONSyntaxError(line: 2, column: 16, message: "expected \":\""))) {
            try Preset(json: "{\"name\": \"a\",\n \"description\" \"b\"}", defaultName: "x")
        }
        #expect(throws: PresetError.syntax(file: "preset", JSONSyntaxError(line: 1, column: 21, message: "duplicate key \"name\""))) {
            try Preset(json: #"{"name": "a", "name": "b"}"#, defaultName: "x")
        }
        #expect(throws: PresetError.syntax(file: "preset", JSONSyntaxError(line: 1, column: 11, message: "invalid number"))) {
            try Preset(json: #"{"name": -}"#, defaultName: "x")
        }
    }
}

/// The JSON parser on its own.
@Suite struct JSONValueTests {
    @Test func parsesEveryKind() throws {
        let v = try JSONValue.parse(#" {"a": [1, -0.5e3, true, false, null, "x\"\u00e9\ud83d\ude00"], "b": {}} "#)
        #expect(v == .object([
            ("a", .array([.number("1"), .number("-0.5e3"), .bool(true), .bool(false), .null, .string("x\"é😀")])),
            ("b", .object([])),
        ]))
    }

    /// Random documents, written here from a value built alongside them (so the expected
    /// parse does not come from the parser): every kind nested, numbers short and long (the
    /// long ones are slices of the document, the short ones copies), escapes, and text in
    /// several scripts. Numbers come back as exactly the text written.
    @Test func parsesRandomDocumentsExactly() throws {
        var rng = SeededGenerator(seed: 44)
        func number() -> String {
            let sign = Bool.random(using: &rng) ? "-" : ""
            let whole = Int.random(in: 0..<3, using: &rng) == 0 ? "0" : String(Int.random(in: 1...9, using: &rng)) + String((0..<Int.random(in: 0...12, using: &rng)).map { _ in "0123456789".randomElement(using: &rng)! })
            let fraction = Bool.random(using: &rng) ? "." + String((0..<Int.random(in: 1...20, using: &rng)).map { _ in "0123456789".randomElement(using: &rng)! }) : ""
            let exponent = Int.random(in: 0..<4, using: &rng) == 0 ? ["e", "E"].randomElement(using: &rng)! + ["", "+", "-"].randomElement(using: &rng)! + String(Int.random(in: 0...40, using: &rng)) : ""
            return sign + whole + fraction + exponent
        }
        func string() -> (text: String, value: String) {
            let pieces: [(String, String)] = [("a", "a"), ("é", "é"), ("😀", "😀"), ("\\n", "\n"), ("\\\"", "\""), ("\\u00e9", "é"), ("\\ud83d\\ude00", "😀"), ("日本", "日本"), ("\\t", "\t"), (" ", " ")]
            var text = "\"", value = ""
            for _ in 0..<Int.random(in: 0...6, using: &rng) {
                let (t, v) = pieces.randomElement(using: &rng)!
                text += t
                value += v
            }
            return (text + "\"", value)
        }
        func document(depth: Int) -> (String, JSONValue) {
            let space = [" ", "", "\n", "\r\n", "\t"].randomElement(using: &rng)!
            switch Int.random(in: 0..<(depth > 3 ? 4 : 7), using: &rng) {
            case 0, 1: let n = number(); return (n, .number(Substring(n)))
            case 2: let (t, v) = string(); return (t, .string(v))
            case 3: return [("true", JSONValue.bool(true)), ("false", .bool(false)), ("null", .null)].randomElement(using: &rng)!
            case 4, 5:
                let items = (0..<Int.random(in: 0...20, using: &rng)).map { _ in document(depth: depth + 1) }
                return ("[" + space + items.map(\.0).joined(separator: "," + space) + space + "]", .array(items.map(\.1)))
            default:
                let items = (0..<Int.random(in: 0...5, using: &rng)).map { k in ("k\(k)", document(depth: depth + 1)) }
                return ("{" + space + items.map { "\"\($0.0)\"" + space + ":" + $0.1.0 }.joined(separator: ",") + "}", .object(items.map { ($0.0, $0.1.1) }))
            }
        }
        for _ in 0..<300 {
            let (text, expected) = document(depth: 0)
            #expect(try JSONValue.parse(text) == expected, "\(text)")
        }
    }

    /// Error columns count characters, not bytes, on the line of the error.
    @Test func errorColumnsCountCharacters() {
        #expect(throws: JSONSyntaxError(line: 1, column: 14, message: "expected \":\"")) { try JSONValue.parse(#"{"é": 1, "ü" 2}"#) }
        #expect(throws: JSONSyntaxError(line: 2, column: 7, message: "unexpected character \"é\"")) { try JSONValue.parse("[\"😀\",\r\n \"é\", é]") }
    }

    @Test(arguments: ["", "[1,]", "{\"a\" 1}", "01", "1.", "[1] 2", "\"abc", "tru", "[\"\u{01}\"]", "{1: 2}", "1e"])
    func rejectsInvalidDocuments(text: String) {
        #expect(throws: JSONSyntaxError.self) { try JSONValue.parse(text) }
    }
}

/// The shipped presets load and do what their descriptions say.
@Suite struct ShippedPresetTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("presets")

    /// At least 12 presets; each loads and filters a short signal at its rate, or at 44.1
    /// and 48 kHz when it has none (designs are made at each), with 1 and 2 channels where
    /// a single-channel filter takes any count.
    /// Reads the shipped impulse responses: IEEE-float WAV (plain, or WAVE_FORMAT_EXTENSIBLE
    /// for more than two channels), parsed here (the presets module reads no audio; the CLI
    /// reads them through libsndfile).
    static let floatWAV: ImpulseResponseReader = { path in
        let d = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        func u32(_ at: Int) -> Int { Int(d[at]) | Int(d[at + 1]) << 8 | Int(d[at + 2]) << 16 | Int(d[at + 3]) << 24 }
        func u16(_ at: Int) -> Int { Int(d[at]) | Int(d[at + 1]) << 8 }
        var at = 12, rate = 0, channels = 1, samples: [Double] = []
        while at + 8 <= d.count {
            let id = String(decoding: d[at..<(at + 4)], as: UTF8.self), size = u32(at + 4)
            if id == "fmt " {
                let tag = u16(at + 8)
                #expect((tag == 3 || (tag == 0xFFFE && u16(at + 8 + 24) == 3)) && u16(at + 22) == 32, "float32")
                (rate, channels) = (u32(at + 12), u16(at + 10))
            }
            if id == "data" {
                samples = stride(from: at + 8, to: at + 8 + size, by: 4).map { Double(Float(bitPattern: UInt32(u32($0)))) }
            }
            at += 8 + size + size % 2
        }
        let frames = samples.count / channels
        return ImpulseResponse(sampleRate: rate, channels: (0..<channels).map { c in (0..<frames).map { samples[$0 * channels + c] } })
    }

    @Test func everyShippedPresetLoadsAndRuns() throws {
        let library = PresetLibrary(folders: [Self.folder], impulseResponses: Self.floatWAV)
        let all = library.all()
        #expect(all.count >= 12)
        #expect(all.map(\.name).contains("lowpass-4k"))
        var rng = SeededGenerator(seed: 1)
        for entry in all {
            let preset = try entry.result.get()
            #expect(preset.name == entry.name)
            #expect(!preset.description.isEmpty, "\(entry.name) has a description")
            for rate in preset.fixedRate.map({ [$0] }) ?? [44100, 48000] {
                let widths = preset.spec.inChannels == 1 && preset.spec.outChannels == 1 ? [1, 2] : [preset.spec.inChannels]
                for channels in widths {
                    let conv = try preset.conv1d(as: Float.self, sampleRate: rate, channels: channels)
                    let frames = max(2000, conv.spec.minimumInputLength)
                    let x = Signal<Float>((0..<channels).map { _ in (0..<frames).map { _ in Float(rng.nextUnit() - 0.5) } })
                    let y = try conv.forward(x)
                    #expect(y.channels == conv.spec.outChannels && y.frames > 0, "\(entry.name) at \(rate) Hz")
                    #expect(y.channelArrays.allSatisfy { $0.allSatisfy(\.isFinite) })
                }
            }
        }
    }

    @Test func lowpassPassesLowAndStopsHigh() throws {
        let preset = try PresetLibrary(folders: [Self.folder]).load("lowpass-4k").preset
        let w = try preset.weights(as: Double.self)
        let taps = Array(w.weight[0..<preset.spec.kernelSize])
        func gain(_ hz: Double) -> Double {
            let omega = 2 * Double.pi * hz / Double(preset.sampleRate!)
            var (re, im) = (0.0, 0.0)
            for (k, t) in taps.enumerated() { re += t * cos(omega * Double(k)); im -= t * sin(omega * Double(k)) }
            return 20 * log10((re * re + im * im).squareRoot())
        }
        #expect(abs(gain(0)) < 0.01)
        #expect(abs(gain(1000)) < 0.1)
        #expect(gain(8000) < -60)
    }

    @Test func locateByNameOrPathAndReportMisses() throws {
        let library = PresetLibrary(folders: [Self.folder])
        #expect(try library.locate("identity-stereo").lastPathComponent == "identity-stereo.json")
        let path = Self.folder.appendingPathComponent("decimate-2x.json").path
        #expect(try library.locate(path).path == path)
        #expect(throws: PresetError.notFound(name: "nope", searched: [Self.folder.path])) { try library.locate("nope") }
        #expect(throws: PresetError.notFound(name: "missing/x.json", searched: [])) { try library.locate("missing/x.json") }
        // A mistyped name is answered with the nearest shipped name (issue 16, finding 11).
        #expect(throws: PresetError.notFound(name: "lowpass4k", searched: [Self.folder.path], suggestion: "lowpass-4k")) { try library.locate("lowpass4k") }
        #expect(throws: PresetError.notFound(name: "Identity-Stero", searched: [Self.folder.path], suggestion: "identity-stereo")) { try library.locate("Identity-Stero") }
        #expect("\(PresetError.notFound(name: "lowpas", searched: ["/p"], suggestion: "lowpass"))".hasSuffix("; did you mean 'lowpass'? (run 'streamconv presets' to list them)"))
        #expect(PresetLibrary.editDistance("kitten", "sitting") == 3 && PresetLibrary.editDistance("", "ab") == 2 && PresetLibrary.editDistance("ab", "ab") == 0)
    }
}

/// Presets a user can break (issue 5, items 19, 22, 25): each mistake is one clear line.
@Suite struct PresetMistakeTests {
    func decode(_ json: String) -> String? {
        do {
            _ = try Preset(json: json, defaultName: "p")
            return nil
        } catch {
            return "\(error)"
        }
    }

    /// A rate the stride does not divide is refused where `info` sees it, not only by `run`.
    @Test func sampleRateMustBeDivisibleAndInRange() {
        #expect(decode(#"{"sample_rate": 44100, "conv1d": {"in_channels": 1, "out_channels": 1, "kernel_size": 1, "stride": 8}, "init": {"seed": 1}}"#)
                == "sample_rate: the input rate 44100 Hz / stride 8 is not a whole number of Hz, so no output rate can be written; use an input rate divisible by 8")
        #expect(decode(#"{"sample_rate": 3000000000, "conv1d": {"in_channels": 1, "out_channels": 1, "kernel_size": 1}, "init": {"seed": 1}}"#)
                == "sample_rate: expected an integer from 1 to 2147483647, got 3000000000")
        #expect(decode(#"{"sample_rate": 44100, "conv1d": {"in_channels": 1, "out_channels": 1, "kernel_size": 1, "stride": 3}, "init": {"seed": 1}}"#) == nil)
    }

    /// The schema's depths are strict: a 4-D weight or a 2-D bias is not flattened.
    @Test func weightAndBiasDepthsAreStrict() {
        #expect(decode(#"{"conv1d": {"in_channels": 1, "out_channels": 1, "kernel_size": 1, "bias": false}, "weight": [[[[0.5]]]]}"#)
                == "weight[0][0][0]: expected a number, got an array")
        #expect(decode(#"{"conv1d": {"in_channels": 1, "out_channels": 2, "kernel_size": 1}, "weight": [[[1]], [[2]]], "bias": [[1], [2]]}"#)
                == "bias[0]: expected a number, got an array")
    }

    /// An error on line 4 of a CRLF file is reported on line 4.
    @Test func crlfLinesAreCounted() {
        let text = "{\r\n  \"conv1d\": {\"in_channels\": 1,\r\n    \"out_channels\": 1,\r\n    \"kernel_size\": 1,,\r\n  \"init\": {\"seed\": 1}}"
        #expect(decode(text) == "preset: not valid JSON at line 4, column 22: expected a quoted key", "\(decode(text) ?? "")")
    }

    @Test func filesThatAreNotPresetsSayWhatTheyAre() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("streamconv-presets-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        func load(_ name: String) -> String {
            do {
                _ = try PresetLibrary.load(dir.appendingPathComponent(name))
                return "loaded"
            } catch {
                return "\(error)"
            }
        }
        let json = #"{"conv1d": {"in_channels": 1, "out_channels": 1, "kernel_size": 1}, "init": {"seed": 1}}"#
        try Data(json.utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }).write(to: dir.appendingPathComponent("utf16.json"))
        try (Data([0xFF, 0xFE]) + Data(json.utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] })).write(to: dir.appendingPathComponent("bom16.json"))
        try (Data(#"{"name": "caf"#.utf8) + Data([0xE9]) + Data(#"", "conv1d": {"in_channels": 1, "out_channels": 1, "kernel_size": 1}, "init": {"seed": 1}}"#.utf8))
            .write(to: dir.appendingPathComponent("latin1.json"))
        try (Data([0xEF, 0xBB, 0xBF]) + Data(json.utf8)).write(to: dir.appendingPathComponent("bom8.json"))
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("folder.json"), withIntermediateDirectories: true)
        #expect(mkfifo(dir.appendingPathComponent("fifo.json").path, 0o644) == 0)
        #expect(load("utf16.json").hasSuffix("it is UTF-16 text; presets are UTF-8 JSON (save it as UTF-8)"))
        #expect(load("bom16.json").hasSuffix("it is UTF-16 text; presets are UTF-8 JSON (save it as UTF-8)"))
        #expect(load("latin1.json").hasSuffix("byte 13 is not valid UTF-8; presets are UTF-8 JSON"), "\(load("latin1.json"))")
        #expect(load("bom8.json") == "loaded")
        #expect(load("folder.json").hasSuffix("it is a folder, not a preset file"))
        #expect(load("fifo.json").hasSuffix("it is not a regular file (a FIFO, socket or device); give a .json file"))
        // `presets` lists the folder's entries, the broken ones with their reason.
        let listed = PresetLibrary(folders: [dir]).all()
        #expect(listed.count == 6)
        #expect(listed.allSatisfy { entry in
            if case let .failure(error) = entry.result { return !"\(error)".contains("NSCocoaErrorDomain") }
            return true
        })
    }
}

/// One resolution step for every subcommand: rate, channels, engine → the filter.
@Suite struct ResolutionTests {
    func preset(_ text: String) throws -> Preset { try Preset(json: text, defaultName: "r") }

    @Test func singleChannelFiltersWidenAndOthersKeepTheirShape() throws {
        let mono = try preset(#"{"sample_rate": 44100, "conv1d": {"in_channels": 1, "out_channels": 1, "kernel_size": 3, "bias": false}, "weight": [[[1, 2, 3]]]}"#)
        let wide = try mono.resolve(channels: 3, engine: .direct)
        #expect(wide.rate == 44100 && wide.broadcast == 3 && wide.spec.inChannels == 3 && wide.spec.groups == 3 && wide.rateMismatch == nil)
        let conv = try wide.conv1d(as: Float.self)
        #expect(conv.weights.weight == [1, 2, 3, 1, 2, 3, 1, 2, 3] && conv.engine.kind == .direct)
        #expect(try mono.resolve(rate: 48000).rateMismatch == 44100)
        let dense = try preset(#"{"conv1d": {"in_channels": 2, "out_channels": 1, "kernel_size": 1, "bias": false}, "weight": [[[1], [2]]]}"#)
        let kept = try dense.resolve(channels: 3)
        #expect(kept.broadcast == nil && kept.spec.inChannels == 2 && kept.rate == Preset.designRate)
    }

    /// A design whose length follows the rate gets that rate's length, and its taps are
    /// designed there: the resolved filter is the preset's own conv1d at that rate.
    @Test func aKaiserDesignTakesTheInputsRate() throws {
        let design = try preset(#"{"conv1d": {"in_channels": 1, "out_channels": 1, "bias": false, "padding": "same"}, "design": {"type": "lowpass", "cutoff_hz": 4000, "window": "kaiser", "attenuation_db": 80, "transition_hz": 500}}"#)
        let at96 = try design.resolve(rate: 96000, channels: 2)
        #expect(at96.spec.kernelSize == 965 && at96.broadcast == 2 && at96.rateMismatch == nil)
        let expected = try design.conv1d(as: Double.self, sampleRate: 96000, channels: 2)
        #expect(try at96.conv1d(as: Double.self).weights.weight == expected.weights.weight)
        #expect(try design.resolve().spec.kernelSize == 483)
    }
}
