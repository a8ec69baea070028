import Foundation
import StreamConv
@testable import StreamConvPresets
import Testing

/// Weights files written by independent writers (numpy, the safetensors layout written by
/// scripts/make_tensor_fixtures.py, hand-built bytes) — issue 7.
@Suite struct TensorFileTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/tensors")
    static let expected: [String: [String: [Double]]] = {
        try! JSONDecoder().decode([String: [String: [Double]]].self, from: Data(contentsOf: fixtures.appendingPathComponent("expected.json")))
    }()
    let spec = try! Conv1dSpec(inChannels: 2, outChannels: 4, kernelSize: 3)

    func preset(_ body: String) throws -> Preset {
        try Preset(json: #"{"conv1d": {"in_channels": 2, "out_channels": 4, "kernel_size": 3}, "# + body + "}", defaultName: "t", directory: Self.fixtures.path)
    }

    /// Every dtype, picked out of a larger state_dict by prefix, equals numpy's values.
    @Test(arguments: ["F32", "F64", "F16", "BF16"])
    func safetensorsEveryDtype(dtype: String) throws {
        let p = try preset(#""weights": "conv-\#(dtype.lowercased()).safetensors", "weights_prefix": "encoder.conv.""#)
        let w = try p.weights(as: Double.self)
        #expect(w.weight == Self.expected[dtype]!["weight"]!)
        #expect(w.bias == Self.expected[dtype]!["bias"]!)
        // Float: exact for F32/F16/BF16, rounded to nearest from F64.
        let f = try p.weights(as: Float.self)
        #expect(f.weight == Self.expected[dtype]!["weight"]!.map { Float($0) })
        // Both reads, and the preset at another rate (a copy), share one mapping of the file.
        _ = try p.at(rate: 44100).conv1d(as: Float.self, sampleRate: 44100)
        #expect(p.stateDicts.mappings.load(ordering: .relaxed) == 1)
    }

    /// The mapped state dict gives the same tensors as reading the whole file into memory.
    @Test func mappedTensorsEqualReadOnes() throws {
        let path = Self.fixtures.appendingPathComponent("conv-f16.safetensors").path
        let read = try TensorFile.safetensors(Array(try Data(contentsOf: URL(fileURLWithPath: path))), path: path)
        let mapped = try StateDict(path: path)
        #expect(mapped.names == read.keys.sorted())
        for (name, tensor) in read {
            let other = try #require(mapped.tensor(name))
            #expect(other.shape == tensor.shape && other.dtype == tensor.dtype && other.values(as: Double.self).map(\.bitPattern) == tensor.values(as: Double.self).map(\.bitPattern), "\(name)")
        }
        #expect(throws: PresetError.self) { try StateDict(path: Self.fixtures.path) }
    }

    @Test func npyWeightAndBias() throws {
        for file in ["w.npy", "w-v2.npy"] {
            let w = try preset(#""weights": "\#(file)", "bias": "b.npy""#).weights(as: Double.self)
            #expect(w.weight == Self.expected["npy"]!["weight"]!)
            #expect(w.bias == Self.expected["npy"]!["bias"]!)
        }
    }

    @Test func mistakesNameTheTensorAndBothShapes() throws {
        func error(_ body: String) -> String {
            do {
                _ = try preset(body).weights(as: Float.self)
                return "no error"
            } catch {
                return "\(error)"
            }
        }
        #expect(error(#""weights": "conv-f32.safetensors""#).hasPrefix("weights: \(Self.fixtures.path)/conv-f32.safetensors: no tensor weight (it holds encoder.conv.bias, encoder.conv.weight, other.weight); set weights_prefix"))
        #expect(error(#""weights": "conv-f32.safetensors", "weights_prefix": "other.""#).contains("tensor other.weight: expected shape [4][2][3] for Conv1d(2, 4, kernel_size=3), got [2][2]"))
        #expect(error(#""weights": "w-fortran.npy", "bias": "b.npy""#).hasSuffix("Fortran-order arrays are not supported; save with np.ascontiguousarray"))
        #expect(error(#""weights": "w-int.npy", "bias": "b.npy""#).hasSuffix("dtype '<i4' is not supported; save float32 or float64, little-endian ('<f4', '<f8')"))
        #expect(error(#""weights": "w.npy""#) == "bias: expected a .npy file with out_channels values (conv1d.bias is true), got nothing")
        #expect(error(#""weights": "b.npy", "bias": "b.npy""#).contains("tensor b.npy: expected shape [4][2][3]"))
        #expect(error(#""weights": "missing.safetensors""#).contains("missing.safetensors: No such file or directory"))
    }

    /// Hand-built files that lie: every one is a clear error, never a crash or a read past the end.
    @Test func malformedSafetensors() throws {
        func file(header: String, data: [UInt8] = [], length: UInt64? = nil) -> [UInt8] {
            let h = Array(header.utf8)
            return withUnsafeBytes(of: (length ?? UInt64(h.count)).littleEndian) { Array($0) } + h + data
        }
        func reason(_ bytes: [UInt8]) -> String {
            do {
                _ = try TensorFile.safetensors(bytes, path: "x")
                return "read"
            } catch {
                return error.reason
            }
        }
        #expect(reason([1, 2, 3]).contains("too short"))
        #expect(reason(file(header: "{}", length: 1 << 40)).contains("goes past the end of the file"))
        #expect(reason(file(header: #"{"w": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}}"#, data: [0, 0, 0])).contains("go past the 3 data bytes; the file is truncated"))
        #expect(reason(file(header: #"{"w": {"dtype": "F32", "shape": [3], "data_offsets": [0, 8]}}"#, data: Array(repeating: 0, count: 8))).contains("needs 12 bytes but data_offsets give 8"))
        #expect(reason(file(header: #"{"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}, "b": {"dtype": "F32", "shape": [2], "data_offsets": [4, 12]}}"#, data: Array(repeating: 0, count: 12))).contains("overlap"))
        #expect(reason(file(header: #"{"w": {"dtype": "I64", "shape": [1], "data_offsets": [0, 8]}}"#, data: Array(repeating: 0, count: 8))).contains("dtype I64 is not one of F16, BF16, F32, F64"))
        #expect(reason(file(header: #"{"w": {"dtype": "F32", "shape": [1], "data_offsets": [8, 4]}}"#, data: Array(repeating: 0, count: 8))).contains("begin ≤ end"))
        #expect(reason(file(header: "[1, 2")).contains("not valid JSON"))
        #expect(reason(file(header: #"{"w": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}}"#, data: [0, 0, 0x80, 0x3F])) == "read")
        // Every prefix of a valid file is refused cleanly.
        let valid = try Data(contentsOf: Self.fixtures.appendingPathComponent("conv-f32.safetensors"))
        for n in 0..<valid.count { #expect(reason(Array(valid.prefix(n))) != "read", "prefix \(n)") }
        let npy = try Data(contentsOf: Self.fixtures.appendingPathComponent("w.npy"))
        for n in 0..<npy.count {
            #expect(throws: TensorFileError.self) { try TensorFile.npy(Array(npy.prefix(n)), path: "w.npy") }
        }
    }

    /// Half precision, independent of the platform: subnormals, infinities, extremes.
    @Test func halfPrecision() {
        #expect(Tensor.halfToFloat(0x3C00) == 1)
        #expect(Tensor.halfToFloat(0xC000) == -2)
        #expect(Tensor.halfToFloat(0x7BFF) == 65504)
        #expect(Tensor.halfToFloat(0x0001) == 0x1p-24)
        #expect(Tensor.halfToFloat(0x7C00) == .infinity && Tensor.halfToFloat(0xFC00) == -.infinity)
        #expect(Tensor.halfToFloat(0x7E00).isNaN)
        #expect(Tensor.halfToFloat(0x8000).sign == .minus)
    }
}
