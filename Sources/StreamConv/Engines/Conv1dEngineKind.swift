/// Which engine computes a convolution's outputs: `Conv1d(spec:weights:engine:)`,
/// `run --engine`. Chosen from the spec and this choice only, never from a block size, so a
/// whole-signal call and every chunking of a stream run the same arithmetic.
public enum Conv1dEngineChoice: String, Sendable, CaseIterable, CustomStringConvertible {
    /// The engine that suits the spec (see ``Conv1dEngines/choose(spec:)``): FFT for long
    /// filters at stride 1, direct otherwise.
    case auto
    /// The convolution sum, output by output, in a fixed order (``DirectConv1dEngine``).
    case direct
    /// Partitioned FFT convolution with a direct head, for long filters at stride 1
    /// (``FFTConv1dEngine``); other specs fall back to direct.
    case fft

    public var description: String { rawValue }
}

/// The engines there are: what a ``Conv1dEngine`` is.
public enum Conv1dEngineKind: String, Sendable, CaseIterable, CustomStringConvertible {
    /// ``DirectConv1dEngine``.
    case direct
    /// ``FFTConv1dEngine``.
    case fft

    public var description: String { rawValue }

    /// The choice that names this engine.
    public var choice: Conv1dEngineChoice { self == .direct ? .direct : .fft }
}

/// What an engine says of itself, for `info` and `verify`.
public struct Conv1dEngineDescription: Sendable, Equatable {
    /// The engine.
    public let kind: Conv1dEngineKind
    /// How its direct sums add their terms.
    public let arithmetic: Conv1dArithmetic
    /// Its blocks, for the FFT engine: "head 256 + 15×256 + 14×2048 + …"; `nil` for direct.
    public let layout: String?
    /// The FFT engine's error bound in units of u·‖h‖₂·‖x‖₂ (``FFTConv1dEngine/errorBound``),
    /// with x the padded samples from ``reach`` before an output's receptive field to its
    /// end; `nil` for the direct engine, whose error is the per-term γₙ·Σ|terms|.
    public let normBound: Double?
    /// How far before an output's receptive field its error can reach (the largest block).
    public let reach: Int
    /// Outputs a fresh workspace computes and throws away to agree bit for bit with one
    /// started earlier (``Conv1dEngine/warmUp``).
    public let warmUp: Int
}
