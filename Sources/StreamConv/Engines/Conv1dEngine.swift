/// The engine that computes a convolution's outputs from padded samples: one of a closed
/// set, each owning what it derives from the weights (transformed or reordered taps).
///
/// Made from (spec, weights) and a ``Conv1dEngineChoice``; every stream and every
/// whole-signal call gets its own ``Conv1dWorkspace`` from ``makeWorkspace(maxOutputs:)``,
/// which binds the engine to state of its own type, so a computation never meets another
/// engine's state.
///
/// The contract that keeps streams bitwise equal to whole-signal calls: output `t`'s value
/// depends only on `t` and the padded samples it reads, never on how outputs are split
/// between calls. On one workspace, calls come in order: the first after
/// ``Conv1dWorkspace/reset()`` may start at any `first` (an engine takes the padded samples
/// before `first·stride` as zeros: no output from `first` on reads them), each later one at
/// the previous call's `first + count`; an engine may keep state between them (a block grid
/// fixed to absolute positions).
public enum Conv1dEngine<Scalar: ConvScalar>: Sendable {
    /// The convolution sum, output by output.
    case direct(DirectConv1dEngine<Scalar>)
    /// Zero-latency partitioned FFT convolution.
    case fft(FFTConv1dEngine<Scalar>)

    /// The engine `choice` names for `weights` (already checked against `spec`): `auto` as
    /// ``Conv1dEngines/choose(spec:)`` says; the FFT engine falls back to direct where it
    /// cannot run the spec (``Conv1dEngines/fftUnsuitable(_:)``). Direct sums add their terms
    /// as `arithmetic` says.
    public init(spec: Conv1dSpec, weights: Conv1dWeights<Scalar>, choice: Conv1dEngineChoice = .auto, arithmetic: Conv1dArithmetic = .unfused) {
        if Conv1dEngines.resolve(spec: spec, choice: choice) == .fft,
           let engine = FFTConv1dEngine(spec: spec, weights: weights, arithmetic: arithmetic) {
            self = .fft(engine)
        } else {
            self = .direct(DirectConv1dEngine(spec: spec, weights: weights, arithmetic: arithmetic))
        }
    }

    /// An engine for `spec` (a part of `other`'s convolution: some of its channels) made the
    /// way `other` was: the same kind, the same arithmetic and, for the FFT engine, the same partition plan, so
    /// each output has the bits it has in `other`'s convolution. A plan chosen for the part
    /// alone could differ, since the cost model weighs channel counts.
    public init(spec: Conv1dSpec, weights: Conv1dWeights<Scalar>, matching other: Conv1dEngine) {
        if case let .fft(engine) = other,
           let part = FFTConv1dEngine(spec: spec, weights: weights, plan: engine.plan, arithmetic: other.arithmetic) {
            self = .fft(part)
        } else {
            self = .direct(DirectConv1dEngine(spec: spec, weights: weights, arithmetic: other.arithmetic))
        }
    }

    /// How its direct sums add their terms.
    public var arithmetic: Conv1dArithmetic {
        switch self {
        case let .direct(engine): engine.arithmetic
        case let .fft(engine): engine.arithmetic
        }
    }

    /// Which engine this is.
    public var kind: Conv1dEngineKind {
        switch self {
        case .direct: .direct
        case .fft: .fft
        }
    }

    /// What `info` and summaries call it.
    public var name: String { kind.rawValue }

    /// Outputs a fresh workspace computes and throws away before the first output wanted, so
    /// that from there on its outputs equal bit for bit those of a workspace started earlier
    /// on the same samples: how far back an output's value can see past its receptive field.
    /// Time segments of one signal run on separate threads start this far back
    /// (``Conv1dSegments``). 0 when outputs depend on their receptive fields alone.
    public var warmUp: Int {
        switch self {
        case .direct: 0
        case let .fft(engine): engine.warmUp
        }
    }

    /// The engine's account of itself: kind, blocks, error bound.
    public var details: Conv1dEngineDescription {
        switch self {
        case let .direct(engine):
            Conv1dEngineDescription(kind: .direct, arithmetic: engine.arithmetic, layout: nil, normBound: nil, reach: 0, warmUp: 0)
        case let .fft(engine):
            Conv1dEngineDescription(kind: .fft, arithmetic: engine.arithmetic, layout: engine.layout, normBound: engine.errorBound,
                                    reach: engine.reach, warmUp: engine.warmUp)
        }
    }

    /// A workspace for calls of up to `maxOutputs` outputs. Allocates.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func makeWorkspace(maxOutputs: Int) -> Conv1dWorkspace<Scalar> {
        switch self {
        case let .direct(engine): Conv1dWorkspace(.direct(engine, engine.makePhaseRows(maxOutputs: maxOutputs)))
        case let .fft(engine): Conv1dWorkspace(.fft(engine, FFTState(engine: engine)))
        }
    }

    /// Bytes the engine holds besides the weights it was made from (the FFT engine's filter
    /// spectra, FFT tables and its head's taps), counted from what it holds.
    public var derivedBytes: Int {
        switch self {
        case .direct: 0
        case let .fft(engine): engine.spectrumBytes
        }
    }
}

/// The rules that pick an engine.
public enum Conv1dEngines {
    /// The engine `choice` gives `spec`: `auto` as ``choose(spec:)`` says, and direct where
    /// the FFT engine cannot run the spec (``fftUnsuitable(_:)``).
    public static func resolve(spec: Conv1dSpec, choice: Conv1dEngineChoice) -> Conv1dEngineKind {
        let resolved = choice == .auto ? choose(spec: spec).choice : choice
        return resolved == .fft && fftUnsuitable(spec) == nil ? .fft : .direct
    }

    /// Bytes the engine `choice` resolves to for `spec` allocates, before it is made: what it
    /// derives from the weights, and one workspace for calls of up to each of `workspaces`
    /// outputs (``Conv1dSpec/engineBytes(choice:maxFrames:scalarSize:)`` counts a stream's).
    public static func estimatedBytes(spec: Conv1dSpec, choice: Conv1dEngineChoice, scalarSize: Int, workspaces: [Int]) -> Int {
        switch resolve(spec: spec, choice: choice) {
        case .fft:
            return FFTConv1dEngine<Float>.estimatedBytes(spec: spec, scalarSize: scalarSize, streams: workspaces.count)
        case .direct:
            return Saturating.sum(workspaces.map { DirectConv1dEngine<Float>.phaseRowBytes(spec: spec, maxOutputs: $0, scalarSize: scalarSize) })
        }
    }

    /// The engine `auto` picks for `spec`, and why (for `info`).
    public static func choose(spec: Conv1dSpec) -> (choice: Conv1dEngineChoice, reason: String) {
        if spec.stride != 1 {
            return (.direct, "stride \(spec.stride): the FFT engine is for stride 1")
        }
        // Direct costs kernel_size multiply-adds per output; the FFT engine's cost grows with
        // the receptive field (dilation's zeros included) only logarithmically.
        if spec.kernelSize < fftThreshold {
            return (.direct, "\(spec.kernelSize) taps < \(fftThreshold): direct costs less")
        }
        return (.fft, "\(spec.kernelSize) taps ≥ \(fftThreshold) at stride 1: the FFT engine costs less (its error bound: README, Engines)")
    }

    /// The taps per filter from which `auto` picks the FFT engine: `streamconv-bench --engines`
    /// measured FFT at 1.06× direct's CPU time at 512 taps and 0.57× at 1024 (native build;
    /// 0.60× and 0.32× in the portable build); 1024 leaves room for machines where direct
    /// does relatively better.
    public static let fftThreshold = 1024

    /// Why the FFT engine cannot run `spec` (it then falls back to direct), or `nil` when it can.
    public static func fftUnsuitable(_ spec: Conv1dSpec) -> String? {
        if spec.stride != 1 { return "the FFT engine is for stride 1" }
        if spec.receptiveField <= FFTPartitionPlan.firstBlocks[0] {
            return "\(spec.receptiveField) taps fit the FFT engine's direct head"
        }
        return nil
    }
}
