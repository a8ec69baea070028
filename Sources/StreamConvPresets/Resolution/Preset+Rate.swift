import StreamConv

/// A preset at an input's rate and channel count: the pieces ``Preset/resolve(rate:channels:engine:)`` is made of.
extension Preset {
    /// This preset as it runs at `rate` Hz: a design whose length comes from Kaiser's formula
    /// gets that rate's `kernel_size` (a higher rate needs more taps for the same transition
    /// in Hz); any other preset is returned unchanged.
    /// - Throws: when the length rule gives no usable length at `rate`.
    public func at(rate: Int) throws(PresetError) -> Preset {
        guard case let .design(design) = source, design.kaiserLength != nil else { return self }
        let count: Int
        do {
            count = try design.length(rate: rate)
        } catch {
            throw .design(path: "design", expected: "a design that can be made at \(rate) Hz", error)
        }
        guard count != spec.kernelSize else { return self }
        var copy = self
        copy.spec = try Self.respec(spec, kernelSize: count, padding: design.phase == .minimum ? .samples((count - 1) * spec.dilation) : spec.padding,
                                    context: "with kernel_size \(count) from Kaiser's formula at \(rate) Hz: ")
        return copy
    }

    /// `spec` with another kernel size and padding, everything else kept; a spec the core
    /// refuses is reported at `conv1d` with `context` saying what made it.
    static func respec(_ spec: Conv1dSpec, kernelSize: Int, padding: Conv1dPadding, context: String = "") throws(PresetError) -> Conv1dSpec {
        do {
            return try Conv1dSpec(inChannels: spec.inChannels, outChannels: spec.outChannels, kernelSize: kernelSize, stride: spec.stride,
                                  padding: padding, dilation: spec.dilation, groups: spec.groups, bias: spec.bias, paddingMode: spec.paddingMode)
        } catch {
            throw .conv1d(path: "conv1d", error, context: context)
        }
    }

    /// The convolution this preset describes (a `design` preset designed at `sampleRate`).
    /// With `channels`, a filter that acts on each channel alone (in = out = 1, or depthwise
    /// with one filter per channel) is widened to that many channels, each filtered
    /// independently with the same weights, as sox's `fir` does; see ``spec(forChannels:)``.
    /// On `engine`, adding terms as `arithmetic` says.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func conv1d<T: ConvScalar>(
        as _: T.Type = T.self, sampleRate: Int? = nil, channels: Int? = nil, engine: Conv1dEngineChoice = .auto,
        arithmetic: Conv1dArithmetic = .unfused
    ) throws(PresetError) -> Conv1d<T> {
        if let sampleRate, case let resolved = try at(rate: sampleRate), resolved.spec != spec {
            return try resolved.conv1d(as: T.self, sampleRate: sampleRate, channels: channels, engine: engine, arithmetic: arithmetic)
        }
        let base = try weights(as: T.self, sampleRate: sampleRate)
        guard let channels, channels != spec.inChannels, let wide = spec(forChannels: channels) else {
            return Conv1d(spec: spec, weights: base, engine: engine, arithmetic: arithmetic)
        }
        // Channel 0's filter for every channel: the same weights, the same summation order.
        let perChannel = spec.kernelSize
        let weight = (0..<channels).flatMap { _ in base.weight[0..<perChannel] }
        let bias = base.bias.map { b in (0..<channels).map { _ in b[0] } }
        do {
            return Conv1d(spec: wide, weights: try Conv1dWeights(spec: wide, weight: Array(weight), bias: bias), engine: engine, arithmetic: arithmetic)
        } catch {
            throw .conv1d(path: "conv1d", error)
        }
    }

    /// Whether this filter takes an input with any channel count, filtering each channel
    /// alone (``spec(forChannels:)``); false when the input must have `in_channels`.
    public var acceptsAnyChannels: Bool { spec(forChannels: spec.inChannels + 1) != nil }

    /// The spec widened to `channels` channels when this filter acts on each channel alone:
    /// a single-channel filter (in = out = 1), or a depthwise design (one identical filter
    /// per channel); `nil` for any other filter, whose channel count must match.
    public func spec(forChannels channels: Int) -> Conv1dSpec? {
        let single = spec.inChannels == 1 && spec.outChannels == 1
        var depthwiseDesign = false
        if case .design = source { depthwiseDesign = spec.groups == spec.inChannels && spec.outChannels == spec.inChannels }
        guard channels >= 1, single || depthwiseDesign else { return nil }
        return try? Conv1dSpec(
            inChannels: channels, outChannels: channels, kernelSize: spec.kernelSize, stride: spec.stride,
            padding: spec.padding, dilation: spec.dilation, groups: channels, bias: spec.bias, paddingMode: spec.paddingMode)
    }
}
