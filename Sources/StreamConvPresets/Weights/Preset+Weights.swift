import StreamConv

/// The weights of each source, in the sample type asked for.
extension Preset {
    /// The weights in sample type `T`, checked against ``spec``; a `design` preset is designed
    /// at `sampleRate` (default: the preset's `sample_rate`, else 48000), its length chosen
    /// there when a rule chooses it (see ``at(rate:)``).
    /// - Throws: ``PresetError`` when a number does not fit `T`.
    // Pre-specialised: called from the CLI, the generic body converted a long response one
    // sample at a time through witness tables.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func weights<T: ConvScalar>(as _: T.Type = T.self, sampleRate rate: Int? = nil) throws(PresetError) -> Conv1dWeights<T> {
        // at(rate:) changes only a design whose length follows the rate.
        if let rate, case let resolved = try at(rate: rate), resolved.spec != spec {
            return try resolved.weights(as: T.self, sampleRate: rate)
        }
        switch source {
        case let .impulseResponse(_, response, _): return try response.weights(spec: spec, as: T.self)
        case let .taps(path, soxAligned): return try Self.tapsWeights(path: path, spec: spec, soxAligned: soxAligned, as: T.self)
        case let .resampledTaps(_, taps):
            do {
                return try Conv1dWeights(spec: spec, weight: (0..<spec.outChannels).flatMap { _ in taps.reversed().map { T($0) } }, bias: nil)
            } catch {
                throw .conv1d(path: "taps", error)
            }
        case let .design(design): return try design.weights(spec: spec, rate: rate ?? sampleRate ?? Self.designRate, as: T.self)
        case let .perOutput(outputs): return try OutputDesign.weights(outputs, spec: spec, rate: rate ?? sampleRate ?? Self.designRate, as: T.self)
        case let .explicit(raw): return try raw.weights(spec: spec, as: T.self)
        case let .initialization(seed): return Conv1dWeights(defaultInitFor: spec, seed: seed)
        case let .safetensors(path, prefix): return try safetensorsWeights(path: path, prefix: prefix, spec: spec, as: T.self)
        case let .npy(weightPath, biasPath): return try Self.npyWeights(weight: weightPath, bias: biasPath, spec: spec, as: T.self)
        }
    }

    /// Runs a tensor-file read, reporting a malformed file as ``PresetError/tensors(_:)``.
    static func readingTensors<R>(_ body: () throws(TensorFileError) -> R) throws(PresetError) -> R {
        do {
            return try body()
        } catch {
            throw .tensors(error)
        }
    }

    /// A tensor file's bytes (tensor files may be larger than presets: up to 16 GiB).
    static func bytes(_ path: String) throws(PresetError) -> [UInt8] {
        try PresetLibrary.readRegularFile(Array(path.utf8), limit: 1 << 34, kind: "a tensor file")
    }

    /// Weights from tensors, their shapes checked against `spec`.
    static func checked<T: ConvScalar>(weight: Tensor, bias: Tensor?, spec: Conv1dSpec, as _: T.Type) throws(PresetError) -> Conv1dWeights<T> {
        if weight.shape != spec.weightShape {
            throw .weightsFile("tensor \(weight.name): expected shape \(shapeText(spec.weightShape)) for \(spec), got \(shapeText(weight.shape))")
        }
        if let bias, bias.shape != [spec.outChannels] {
            throw .weightsFile("tensor \(bias.name): expected shape [\(spec.outChannels)] (one per output channel), got \(shapeText(bias.shape))")
        }
        do {
            return try Conv1dWeights(spec: spec, weight: weight.values(as: T.self), bias: bias?.values(as: T.self))
        } catch {
            throw .conv1d(path: "weights", error)
        }
    }
}
