import StreamConv

extension ImpulseResponse {
    /// The response as `spec`'s weights: convolution with h is Conv1d's cross-correlation
    /// with h reversed.
    func weights<T: ConvScalar>(spec: Conv1dSpec, as _: T.Type) throws(PresetError) -> Conv1dWeights<T> {
        let weight = channels.flatMap { $0.reversed().map { T($0) } }
        do {
            return try Conv1dWeights(spec: spec, weight: weight, bias: nil)
        } catch {
            throw .conv1d(path: "impulse_response", error)
        }
    }
}
