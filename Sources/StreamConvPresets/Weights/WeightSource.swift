/// Where a preset's weights come from. Each kind of preset is one case, so a new source
/// (safetensors files, FIR design) is a new case and a new branch in ``Preset/weights(as:)``.
public enum WeightSource: Sendable {
    /// `weight` and `bias` written in the preset.
    case explicit(ExplicitWeights)
    /// `init: {"seed": N}`: PyTorch's default initialisation from a seeded generator.
    case initialization(seed: UInt64)
    /// `weights: "…safetensors"`: tensors `prefix + "weight"` and `prefix + "bias"` of a state_dict.
    case safetensors(path: String, prefix: String)
    /// `weights: "w.npy"` and, when the layer has one, `bias: "b.npy"`.
    case npy(weight: String, bias: String?)
    /// `design: {…}`: a FIR designed at the input's rate.
    case design(FIRDesign)
    /// `taps: "fir.txt"`: one coefficient per line (`#` comments), as sox's `fir` reads them.
    /// `soxAligned`: an even count under `padding: "same"`, run with a zero tap appended
    /// (the spec one longer) so the output lands where sox's `fir` puts it: sox compensates
    /// ⌊(N−1)/2⌋ frames of delay, PyTorch's `'same'` on the reversed taps would ⌈(N−1)/2⌉.
    case taps(path: String, soxAligned: Bool = false)
    /// `impulse_response: "room.wav"`: a recorded response, read when the preset was loaded;
    /// `tail: false` drops the outputs past the input's end.
    case impulseResponse(path: String, response: ImpulseResponse, tail: Bool)
    /// A taps file made for another rate, resampled to the input's (``Preset/resampled(to:with:)``):
    /// its taps in the file's order (the impulse response's), an odd count centred as
    /// `padding: "same"` centres them.
    case resampledTaps(path: String, taps: [Double])
    /// `outputs: [{input, design, subtract}]`: a design per output channel, each from one
    /// input channel (crossovers, per-channel equalisation), made at the input's rate.
    case perOutput([OutputDesign])
}

/// Weights as written in a preset: the exact decimal text of each number, in PyTorch's
/// row-major order, so they can be parsed straight into `Float` or `Double`.
public struct ExplicitWeights: Sendable {
    /// `weight[o][i][k]` texts, flattened.
    public var weight: [Substring]
    /// `bias` texts, or `nil`.
    public var bias: [Substring]?
}
