/// `torch.nn.Conv1d` applied to a whole signal.
///
/// ``forward(_:)-(Signal<T>)`` pads the input as `padding_mode` says and runs the engine over
/// the outputs in order, a tile of padded rows at a time (``Conv1dSegments`` with one segment;
/// more segments run on threads). ``StreamingConv1d`` runs the same engine on the same padded
/// samples piece by piece, so the two agree bit for bit.
public struct Conv1d<T: ConvScalar>: Sendable {
    /// Hyper-parameters.
    public let spec: Conv1dSpec
    /// Weights and bias.
    public let weights: Conv1dWeights<T>
    /// The engine that computes outputs, made from ``weights``.
    public let engine: Conv1dEngine<T>

    /// A convolution with given weights, on the engine `engine` chooses (`auto`: the one that
    /// suits the spec; see ``Conv1dEngines/choose(spec:)``), its direct sums adding terms as
    /// `arithmetic` says.
    public init(spec: Conv1dSpec, weights: Conv1dWeights<T>, engine choice: Conv1dEngineChoice = .auto,
                arithmetic: Conv1dArithmetic = .unfused) {
        self.spec = spec
        self.weights = weights
        engine = Conv1dEngine(spec: spec, weights: weights, choice: choice, arithmetic: arithmetic)
    }

    /// A convolution on a given engine (made from `weights` for `spec`).
    init(spec: Conv1dSpec, weights: Conv1dWeights<T>, engine: Conv1dEngine<T>) {
        self.spec = spec
        self.weights = weights
        self.engine = engine
    }

    /// A convolution on the FFT engine with a given partition plan rather than the one the
    /// cost model chooses (benchmarks and tests compare plans; each plan rounds its own
    /// way), or `nil` when the FFT engine cannot run `spec` or the plan's head covers the
    /// whole receptive field.
    public init?(spec: Conv1dSpec, weights: Conv1dWeights<T>, plan: FFTPartitionPlan) {
        guard let engine = FFTConv1dEngine(spec: spec, weights: weights, plan: plan) else { return nil }
        self.init(spec: spec, weights: weights, engine: .fft(engine))
    }

    /// A convolution with PyTorch's default initialisation drawn from `seed`.
    public init(spec: Conv1dSpec, seed: UInt64) {
        self.init(spec: spec, weights: Conv1dWeights(defaultInitFor: spec, seed: seed))
    }

    /// The output for an unbatched `(C, L)` input.
    /// - Throws: ``Conv1dError`` where PyTorch raises: wrong channel count, an input too short
    ///   for the padding mode or the receptive field.
    public func forward(_ x: Signal<T>) throws(Conv1dError) -> Signal<T> {
        try Conv1dSegments(self, input: x, maxSegments: 1).output()
    }

    /// The output for a batched `(N, C, L)` input: each item independently.
    public func forward(_ batch: SignalBatch<T>) throws -> SignalBatch<T> {
        try SignalBatch(batch.items.map(forward))
    }

    /// A stream that filters the signal in chunks, prepared for chunks of up to `maxFrames`.
    public func makeStream(maxFrames: Int = 4096) -> StreamingConv1d<T> {
        StreamingConv1d(self, maxFrames: maxFrames)
    }
}
