import StreamConv

extension ImpulseResponse {
    /// The response as `spec`'s weights: convolution with h is Conv1d's cross-correlation
    /// with h reversed.
    func weights<T: ConvScalar>(spec: Conv1dSpec, as _: T.Type) throws(PresetError) -> Conv1dWeights<T> {
        // weight[out][in] in row-major order: true stereo's out L takes L→L and R→L, out R
        // L→R and R→R; mono to stereo's out c takes channel c; otherwise one per channel.
        let order: [Int] = switch routing {
        case .perChannel, .monoToStereo: Array(channels.indices)
        case .trueStereo: [0, 2, 1, 3]
        }
        let weight = order.flatMap { channels[$0].reversed().map { T($0) } }
        do {
            return try Conv1dWeights(spec: spec, weight: weight, bias: nil)
        } catch {
            throw .conv1d(path: "impulse_response", error)
        }
    }
}
