import Foundation
import StreamConv
@testable import StreamConvPresets
import Testing

/// Network presets against real PyTorch: `Fixtures/network_torch.json`, written once by
/// `scripts/make_network_fixtures.py` (needs torch 2.x; the tests do not), holds schema v2
/// presets with inline weights, their inputs, and torch's outputs in float64 and float32.
///
/// Tolerances: float64 within 1e-12 of the output's peak (each output is a sum of at most a
/// few hundred products through at most eight layers, each rounding at 2^-53, and the
/// activations are within 2 ulp); float32 within 2e-5 of the peak against torch's float64
/// (the same paths at 2^-24 ≈ 6e-8 per rounding, a few hundred roundings deep, and torch's
/// own float32 result is held to the same bound).
@Suite struct NetworkPresetTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
    nonisolated(unsafe) static let fixtures: [String: Any] = {
        let data = try! Data(contentsOf: folder.appendingPathComponent("network_torch.json"))
        return try! JSONSerialization.jsonObject(with: data) as! [String: Any]
    }()

    static func signal<T: ConvScalar>(_ value: Any, as _: T.Type) -> Signal<T> {
        Signal((value as! [[Double]]).map { $0.map { T($0) } })
    }

    static func preset(_ object: Any, directory: String = ".") throws -> NetworkPreset {
        let text = String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self)
        return try NetworkPreset(JSONValue.parse(text), defaultName: "fixture", directory: directory)
    }

    static func worst<T: ConvScalar>(_ ours: Signal<T>, _ expected: Signal<Double>) -> (error: Double, peak: Double) {
        var (error, peak) = (0.0, 0.0)
        for c in 0..<expected.channels {
            for t in 0..<expected.frames {
                peak = max(peak, expected[c, t].magnitude)
                error = max(error, (Double(ours[c, t]) - expected[c, t]).magnitude)
            }
        }
        return (error, peak)
    }

    static func noPresets(_ name: String) throws(PresetError) -> Preset { throw .notFound(name: name, searched: []) }

    @Test(arguments: 0..<8)
    func networksMatchPyTorch(index: Int) throws {
        let entry = (Self.fixtures["cases"] as! [[String: Any]])[index]
        let name = entry["name"] as! String
        let preset = try Self.preset(entry["preset"]!)
        let expected64 = Self.signal(entry["expected64"]!, as: Double.self)
        let expected32 = Self.signal(entry["expected32"]!, as: Double.self)

        var double = Network(try preset.graph(as: Double.self, presets: Self.noPresets))
        let y64 = try double.forward(Self.signal(entry["input"]!, as: Double.self))
        #expect(y64.channels == expected64.channels && y64.frames == expected64.frames, "\(name): \(y64.channels)×\(y64.frames), torch \(expected64.channels)×\(expected64.frames)")
        let (e64, peak) = Self.worst(y64, expected64)
        #expect(e64 <= 1e-12 * max(peak, 1), "\(name) float64: off by \(e64), peak \(peak)")

        var float = Network(try preset.graph(as: Float.self, presets: Self.noPresets))
        let y32 = try float.forward(Self.signal(entry["input"]!, as: Float.self))
        let (e32, _) = Self.worst(y32, expected64)
        let (torch32, _) = Self.worst(Self.signal(entry["expected32"]!, as: Float.self), expected64)
        #expect(e32 <= 2e-5 * max(peak, 1), "\(name) float32: off by \(e32) from torch's float64, peak \(peak)")
        #expect(torch32 <= 2e-5 * max(peak, 1), "\(name): torch's own float32 is off by \(torch32)")
        #expect(expected32.frames == expected64.frames)
    }

    /// Every activation on ±0, ±Inf, NaN, subnormals and huge values gives what PyTorch gives:
    /// the same NaNs, infinities and signed zeros, finite values within 4 ulp. Where torch's
    /// float32 kernel departs from its own float64 result by an artifact of its formula
    /// (sigmoid(−100) flushed to 0 by exp overflowing in float; tanh-approximated GELU of +Inf
    /// giving NaN as Inf/Inf), the float64 value rounded is what is expected instead: the
    /// definition, which streamconv keeps in both precisions.
    @Test func activationsOnSpecialValuesAreTorchs() throws {
        let inputs = (Self.fixtures["special_inputs"] as! [String]).map { Double($0)! }
        for row in Self.fixtures["special"] as! [[String: Any]] {
            let op = row["op"] as! String
            let params = row["params"] as! [String: Any]
            let node: [String: Any] = ["name": "a", "op": op].merging(params) { a, _ in a }
            let preset = try Self.preset(["in_channels": 1, "network": [node]] as [String: Any])
            func check<T: ConvScalar>(_: T.Type, _ key: String) throws {
                var net = Network(try preset.graph(as: T.self, presets: Self.noPresets))
                let y = try net.forward(Signal([inputs.map { T($0) }]))
                let torch = (row[key] as! [String]).map { T(Double($0)!) }
                let definition = (row["float64"] as! [String]).map { T(Double($0)!) }
                func matches(_ got: T, _ expected: T) -> Bool {
                    if expected.isNaN || got.isNaN { return expected.isNaN && got.isNaN }
                    if expected.isInfinite || expected == 0 || got == 0 { return got == expected && got.sign == expected.sign }
                    return (got - expected).magnitude <= 4 * expected.ulp
                }
                for (i, expected) in torch.enumerated() {
                    let got = y[0, i]
                    #expect(matches(got, expected) || matches(got, definition[i]),
                            "\(op) \(params) \(T.self)(\(inputs[i])) = \(got), torch \(expected)")
                }
            }
            try check(Float.self, "float32")
            try check(Double.self, "float64")
        }
    }

    /// A state dict with weight norm in both spellings (`weight_g`/`weight_v` and
    /// `parametrizations.weight.original0/1`), on a Conv1d and a ConvTranspose1d.
    @Test func weightNormIsFoldedAsPyTorchDoes() throws {
        let entry = Self.fixtures["weight_norm"] as! [String: Any]
        let preset = try Self.preset(entry["preset"]!, directory: Self.folder.path)
        var net = Network(try preset.graph(as: Double.self, presets: Self.noPresets))
        let y = try net.forward(Self.signal(entry["input"]!, as: Double.self))
        let expected = Self.signal(entry["expected64"]!, as: Double.self)
        let (error, peak) = Self.worst(y, expected)
        #expect(y.frames == expected.frames && error <= 1e-12 * max(peak, 1), "off by \(error)")
        #expect(preset.stateDicts.mappings.load(ordering: .relaxed) == 1)
    }

    /// Strict decoding: each mistake is one error naming the node and the key.
    @Test func decodingErrorsNameTheNodeAndKey() throws {
        func error(_ json: String) -> String {
            do {
                let p = try NetworkPreset(JSONValue.parse(json), defaultName: "x")
                _ = try p.graph(as: Float.self, presets: Self.noPresets)
                return "no error"
            } catch {
                return "\(error)"
            }
        }
        let conv = #"{"name": "c", "op": "conv1d", "in_channels": 1, "out_channels": 2, "kernel_size": 2, "weight": [[[1, 2]], [[3, 4]]], "bias": [0, 1]}"#
        #expect(error(#"{"in_channels": 1, "network": [\#(conv)]}"#) == "no error")
        #expect(error(#"{"in_channels": 1, "network": [{"name": "c", "op": "conv1d", "in_channels": 1, "out_channels": 2, "kernel_size": 2, "weight": [[[1, 2]], [[3, 4]]], "bias": [0, 1], "stride2": 2}]}"#).contains("network.c.stride2"))
        #expect(error(#"{"in_channels": 1, "network": [{"op": "swish"}]}"#).contains("network.n0.op"))
        #expect(error(#"{"in_channels": 1, "network": [{"name": "c", "op": "conv1d", "in_channels": 1, "out_channels": 2, "kernel_size": 3, "weight": [[[1, 2]], [[3, 4]]], "bias": [0, 1]}]}"#).contains("network.c.weight"))
        #expect(error(#"{"in_channels": 2, "network": [\#(conv)]}"#).contains("node 'c'"))
        #expect(error(#"{"in_channels": 1, "network": [\#(conv), {"op": "add", "inputs": ["c", "nope"]}]}"#).contains("'nope'"))
        #expect(error(#"{"in_channels": 1, "network": [\#(conv), \#(conv)]}"#).contains("used twice"))
        #expect(error(#"{"in_channels": 1, "network": [{"name": "c", "op": "conv1d", "in_channels": 1, "out_channels": 1, "kernel_size": 1, "weights_prefix": "x."}]}"#).contains("weights_prefix"))
        #expect(error(#"{"in_channels": 1, "network": [{"name": "p", "op": "pad", "padding": [-1, 0], "mode": "reflect"}]}"#).contains("zeros"))
        #expect(error(#"{"in_channels": 1, "network": [{"name": "g", "op": "gain"}]}"#).contains("exactly one of db and factor"))
        #expect(error(#"{"in_channels": 3, "network": [{"name": "s", "op": "snake", "alpha": [1, 2]}]}"#).contains("node 's'"))
        #expect(error(#"{"in_channels": 1, "network": [{"name": "t", "op": "conv_transpose1d", "in_channels": 1, "out_channels": 1, "kernel_size": 2, "stride": 2, "output_padding": 2, "weight": [[[1, 2]]], "bias": [0]}]}"#).contains("output_padding"))
    }
}
