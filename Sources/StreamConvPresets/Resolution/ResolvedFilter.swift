import StreamConv

/// A preset made concrete for one input: the rate it runs at, the channels it takes, the
/// engine and arithmetic asked for. ``Preset/resolve(rate:channels:engine:arithmetic:)`` makes one; every subcommand
/// builds its filter from it, so they all read a preset the same way.
public struct ResolvedFilter: Sendable {
    /// The preset at ``rate`` (a design whose length follows the rate has that rate's length).
    public let preset: Preset
    /// The input rate.
    public let rate: Int
    /// The hyper-parameters for the input: the preset's, or widened to its channels.
    public let spec: Conv1dSpec
    /// The input's channel count when a filter that acts on each channel alone was widened
    /// to it (as sox's `fir` does), else `nil`.
    public let broadcast: Int?
    /// The engine asked for.
    public let engine: Conv1dEngineChoice
    /// How its direct sums add their terms.
    public let arithmetic: Conv1dArithmetic

    /// The preset's name.
    public var name: String { preset.name }
    /// See ``Preset/keepsTail``.
    public var keepsTail: Bool { preset.keepsTail }
    /// The rate the weights are fixed to when it is not ``rate`` (the input is at another rate).
    public var rateMismatch: Int? { preset.fixedRate.flatMap { $0 == rate ? nil : $0 } }

    /// The convolution in sample type `T`: the weights read (a design designed at ``rate``),
    /// widened to ``broadcast`` channels, on ``engine`` with ``arithmetic``.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func conv1d<T: ConvScalar>(as _: T.Type = T.self) throws(PresetError) -> Conv1d<T> {
        try preset.conv1d(as: T.self, sampleRate: rate, channels: broadcast, engine: engine, arithmetic: arithmetic)
    }
}

extension Preset {
    /// This preset for an input at `rate` Hz with `channels` channels, run on `engine` with `arithmetic`.
    ///
    /// `rate` defaults to the preset's `sample_rate`, else ``designRate``; a design whose
    /// length follows the rate gets that rate's length (``at(rate:)``); with `resampler`, an
    /// impulse response or taps file made at another rate is resampled to it
    /// (``resampled(to:with:)``). A filter that acts on
    /// each channel alone is widened to `channels` (``spec(forChannels:)``); any other keeps
    /// its spec, so the caller compares ``ResolvedFilter/spec``'s channels with the input's and
    /// says what to do. Nothing is read or allocated beyond the preset: the weights are read by
    /// ``ResolvedFilter/conv1d(as:)``.
    /// - Throws: when the length rule gives no usable length at `rate`.
    public func resolve(rate: Int? = nil, channels: Int? = nil, engine: Conv1dEngineChoice = .auto,
                        arithmetic: Conv1dArithmetic = .unfused, resampler: ResponseResampler? = nil) throws(PresetError) -> ResolvedFilter {
        let rate = rate ?? sampleRate ?? Self.designRate
        var atRate = try at(rate: rate)
        if let resampler { atRate = try atRate.resampled(to: rate, with: resampler) }
        var spec = atRate.spec
        var broadcast: Int?
        if let channels, channels != spec.inChannels, let wide = atRate.spec(forChannels: channels) {
            spec = wide
            broadcast = channels
        }
        return ResolvedFilter(preset: atRate, rate: rate, spec: spec, broadcast: broadcast, engine: engine, arithmetic: arithmetic)
    }
}
