/// A part of a convolution that runs on its own: some input channels in, some output channels
/// out, nothing shared with the other lanes. ``Conv1d/lanes(_:)`` cuts a convolution into
/// lanes so threads can run them side by side (`run --threads`).
///
/// A lane's outputs equal, bit for bit, the same channels of the whole convolution: every
/// output channel keeps its own weights, bias and input channels, summed in the same order,
/// on an engine of the same kind.
public struct Conv1dLane<T: ConvScalar>: Sendable {
    /// The lane's convolution, its channels renumbered from 0.
    public let conv: Conv1d<T>
    /// The input channels of the whole convolution the lane reads.
    public let inputChannels: Range<Int>
    /// The output channels of the whole convolution the lane writes.
    public let outputChannels: Range<Int>
}

extension Conv1d {
    /// This convolution cut into at most `count` lanes of near-equal work, in channel order.
    ///
    /// Groups are split between lanes when there are at least `count` of them (a stereo
    /// depthwise filter becomes one lane per channel); a single group's output channels are
    /// split when there is one group (every lane then reads every input channel); otherwise
    /// each group is a lane. One lane, this convolution itself, when nothing can be split.
    public func lanes(_ count: Int) -> [Conv1dLane<T>] {
        let whole = [Conv1dLane(conv: self, inputChannels: 0..<spec.inChannels, outputChannels: 0..<spec.outChannels)]
        let (groups, inPer, outPer) = (spec.groups, spec.inChannelsPerGroup, spec.outChannelsPerGroup)
        // What is dealt out: groups, or a lone group's output channels.
        let units = groups > 1 ? groups : spec.outChannels
        let lanes = min(count, units)
        guard lanes > 1 else { return whole }
        return (0..<lanes).map { lane in
            let (from, to) = (lane * units / lanes, (lane + 1) * units / lanes)
            let outputs = groups > 1 ? (from * outPer)..<(to * outPer) : from..<to
            let inputs = groups > 1 ? (from * inPer)..<(to * inPer) : 0..<spec.inChannels
            let sub = try! Conv1dSpec(
                inChannels: inputs.count, outChannels: outputs.count, kernelSize: spec.kernelSize,
                stride: spec.stride, padding: spec.padding, dilation: spec.dilation,
                groups: groups > 1 ? to - from : 1, bias: spec.bias, paddingMode: spec.paddingMode)
            let perOutput = inPer * spec.kernelSize
            let weight = Array(weights.weight[(outputs.lowerBound * perOutput)..<(outputs.upperBound * perOutput)])
            let bias = weights.bias.map { Array($0[outputs]) }
            let subWeights = try! Conv1dWeights(spec: sub, weight: weight, bias: bias)
            // Made like this convolution's engine (kind and plan), so a lane cannot land on another.
            let part = Conv1dEngine(spec: sub, weights: subWeights, matching: engine)
            return Conv1dLane(conv: Conv1d(spec: sub, weights: subWeights, engine: part), inputChannels: inputs, outputChannels: outputs)
        }
    }
}
