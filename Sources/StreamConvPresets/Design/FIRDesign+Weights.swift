import StreamConv

extension FIRDesign {
    /// The design made at `rate` Hz as `spec`'s weights, every channel the same filter.
    func weights<T: ConvScalar>(spec: Conv1dSpec, rate: Int, as _: T.Type) throws(PresetError) -> Conv1dWeights<T> {
        let taps: [Double]
        do {
            taps = try self.taps(count: spec.kernelSize, rate: rate)
        } catch {
            throw .design(path: "design", expected: "a design that can be made", error)
        }
        let weight = (0..<spec.outChannels).flatMap { _ in taps.map { T($0) } }
        do {
            return try Conv1dWeights(spec: spec, weight: weight, bias: nil)
        } catch {
            throw .conv1d(path: "design", error)
        }
    }
}
