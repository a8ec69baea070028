import StreamConv

extension ExplicitWeights {
    /// The numbers as written, read straight into `T` (never through `Double`), as `spec`'s weights.
    func weights<T: ConvScalar>(spec: Conv1dSpec, as _: T.Type) throws(PresetError) -> Conv1dWeights<T> {
        var values: [T] = []
        values.reserveCapacity(weight.count)
        for (i, text) in weight.enumerated() {
            guard let value = T(decimal: text), value.isFinite else {
                let k = spec.kernelSize, m = spec.inChannelsPerGroup
                throw .invalid(path: "weight[\(i / (k * m))][\(i / k % m)][\(i % k)]", expected: "a finite \(T.self)", got: String(text))
            }
            values.append(value)
        }
        var biasValues: [T]?
        if let bias {
            biasValues = []
            for (i, text) in bias.enumerated() {
                guard let value = T(decimal: text), value.isFinite else {
                    throw .invalid(path: "bias[\(i)]", expected: "a finite \(T.self)", got: String(text))
                }
                biasValues!.append(value)
            }
        }
        do {
            return try Conv1dWeights(spec: spec, weight: values, bias: biasValues)
        } catch {
            throw .conv1d(path: "weight", error)
        }
    }
}
