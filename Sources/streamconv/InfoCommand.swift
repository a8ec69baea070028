import ArgumentParser
import Foundation
import StreamConv
import StreamConvPresets

/// `streamconv info`: what a preset is.
struct InfoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info", abstract: "Describe a preset: its Conv1d, weights, latency, output length and memory.")

    @OptionGroup var presetOptions: PresetOptions

    /// Describes the preset from its spec alone: weights made by `init` are never drawn, so a
    /// preset of any size is described at once.
    func run() throws {
        let (preset, path) = try presetOptions.load()
        let spec = preset.spec
        print("name:          \(preset.name)")
        if !preset.description.isEmpty { print("description:   \(preset.description)") }
        print("file:          \(path)")
        print("conv1d:        \(spec)")
        print("padding:       \(spec.padLeft) left, \(spec.padRight) right (\(spec.paddingMode))")
        print("weight:        [\(spec.weightShape.map(String.init).joined(separator: "]["))]" + (spec.bias ? " + bias[\(spec.outChannels)]" : ", no bias"))
        switch preset.source {
        case .explicit: print("weights from:  the preset file")
        case let .initialization(seed): print("weights from:  PyTorch's default U(-√k, √k) init, seed \(seed)")
        case let .safetensors(path, prefix):
            _ = try preset.weights(as: Float.self)
            print("weights from:  \(path)" + (prefix.isEmpty ? "" : ", tensors \(prefix)weight" + (spec.bias ? ", \(prefix)bias" : "")) + " (checked)")
        case let .taps(path):
            _ = try preset.weights(as: Float.self)
            print("weights from:  \(path) (taps, checked)")
        case let .design(design):
            let rate = preset.sampleRate.map { "\($0) Hz" } ?? "the input's rate"
            print("weights from:  FIR design, \(design.kind.rawValue)" + (design.cutoff.isEmpty ? "" : " at \(design.cutoff.map { String(format: "%g", $0) }.joined(separator: "–")) Hz") + ", designed at \(rate)")
        case let .npy(weight, bias):
            _ = try preset.weights(as: Float.self)
            print("weights from:  \(weight)" + (bias.map { " + \($0)" } ?? "") + " (checked)")
        }
        if let rate = preset.sampleRate {
            // The preset decoder already refused a rate the stride does not divide.
            print("sample rate:   \(rate) Hz in, \(try spec.outputRate(inputRate: rate)) Hz out")
        }
        let latency = spec.latency
        let latencyText = preset.sampleRate.map { " (\(String(format: "%.2f", Double(latency) * 1000 / Double($0))) ms)" } ?? ""
        print("latency:       \(latency) input frames\(latencyText)")
        if spec.paddingMode == .reflect && spec.padLeft > latency {
            print("               the first output waits for \(spec.padLeft + 1) input frames (reflect padding)")
        }
        if spec.paddingMode == .circular && spec.padLeft > 0 {
            print("               circular padding: the first \((spec.padLeft + spec.stride - 1) / spec.stride) outputs are known only at the end of the input")
        }
        print("output length: floor((L + \(spec.padLeft + spec.padRight) - \(spec.receptiveField)) / \(spec.stride)) + 1 for an input of L frames, L ≥ \(spec.minimumInputLength)")
        let weights = spec.weightBytes(scalarSize: 4)
        let stream = Saturating.sum([weights, spec.streamBytes(maxFrames: 4096, scalarSize: 4)])
        print("memory:        weights \(ByteCount(bytes: weights).text); streaming in 4096-frame blocks \(ByteCount(bytes: stream).text) (Float)")
    }
}
