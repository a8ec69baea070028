import StreamConv

extension Preset {
    /// Tensors `prefix + "weight"` and `prefix + "bias"` of a `.safetensors` state dict as
    /// `spec`'s weights; the file is mapped once per preset (``StateDictCache``).
    func safetensorsWeights<T: ConvScalar>(path: String, prefix: String, spec: Conv1dSpec, as _: T.Type) throws(PresetError) -> Conv1dWeights<T> {
        let tensors = try stateDicts.stateDict(path)
        guard let weight = tensors.tensor(prefix + "weight") else {
            let names = tensors.names
            throw .weightsFile("\(path): no tensor \(prefix)weight (it holds \(names.prefix(12).joined(separator: ", "))\(names.count > 12 ? ", …" : "")); set weights_prefix to the layer's prefix, e.g. \"encoder.conv.\"")
        }
        let bias = spec.bias ? tensors.tensor(prefix + "bias") : nil
        if weight.shape == spec.weightShape && spec.bias && bias == nil {
            throw .weightsFile("\(path): no tensor \(prefix)bias, but conv1d.bias is true")
        }
        return try Self.checked(weight: weight, bias: bias, spec: spec, as: T.self)
    }

    /// A `.npy` weight (and bias) as `spec`'s weights.
    static func npyWeights<T: ConvScalar>(weight weightPath: String, bias biasPath: String?, spec: Conv1dSpec, as _: T.Type) throws(PresetError) -> Conv1dWeights<T> {
        let weight = try TensorFile.npy(contentsOf: weightPath)
        let bias = try biasPath.map { p throws(PresetError) -> Tensor in try TensorFile.npy(contentsOf: p) }
        return try Self.checked(weight: weight, bias: bias, spec: spec, as: T.self)
    }
}
