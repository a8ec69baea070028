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

/// An engine: computes runs of consecutive outputs of one convolution from padded samples.
///
/// Made from (spec, weights) by ``Conv1dEngines/make(spec:weights:choice:)``, it owns whatever
/// it derives from the weights (transformed or reordered taps). Each stream, and each
/// whole-signal call, gets its own ``Conv1dWorkspace`` from ``makeWorkspace(maxOutputs:)``,
/// made when the stream is prepared, so ``compute(input:inputStride:output:outputStride:first:count:workspace:)``
/// allocates nothing.
///
/// The contract that keeps streams bitwise equal to whole-signal calls: output `t`'s value
/// depends only on `t` and the padded samples it reads, never on how outputs are split
/// between calls. On one workspace, calls come in order: the first after
/// ``Conv1dWorkspace/reset()`` may start at any `first` (an engine takes the padded samples
/// before `first·stride` as zeros: no output from `first` on reads them), each later one at
/// the previous call's `first + count`; an engine may keep state between them (a block grid
/// fixed to absolute positions).
public protocol Conv1dEngine<Scalar>: Sendable {
    /// The sample type.
    associatedtype Scalar: ConvScalar

    /// What `info` and summaries call it (the ``Conv1dEngineChoice`` that names it).
    var name: String { get }

    /// Outputs a fresh workspace computes and throws away before the first output wanted, so
    /// that from there on its outputs equal bit for bit those of a workspace started earlier
    /// on the same samples: how far back an output's value can see past its receptive field.
    /// Time segments of one signal run on separate threads start this far back
    /// (``Conv1dSegments``). 0 when outputs depend on their receptive fields alone.
    var warmUp: Int { get }

    /// A workspace for calls of up to `maxOutputs` outputs. Allocates.
    func makeWorkspace(maxOutputs: Int) -> Conv1dWorkspace

    /// Computes outputs `first..<first + count`:
    /// `output[o·outputStride + j] = bias[o] + Σ_i Σ_k weight[o][i][k] · x[c(o,i)][(first + j)·stride + k·dilation]`
    /// in padded coordinates, `c(o,i)` being the `i`-th input channel of `o`'s group.
    ///
    /// Allocates nothing, takes no lock, never throws: safe on an audio thread.
    /// - Parameters:
    ///   - input: channel-major; `input[c·inputStride]` is padded sample `first·stride` of channel `c`.
    ///   - output: channel-major; at least `count` writable samples per output channel.
    ///   - workspace: one this engine made, for at least `count` outputs.
    func compute(
        input: UnsafePointer<Scalar>, inputStride: Int,
        output: UnsafeMutablePointer<Scalar>, outputStride: Int,
        first: Int64, count: Int, workspace: Conv1dWorkspace
    )
}

/// An engine's per-stream state and scratch memory. The direct engine needs none; an engine
/// with a block grid keeps its partial blocks here.
open class Conv1dWorkspace: @unchecked Sendable {
    /// An empty workspace.
    public init() {}

    /// Forgets the signal: the next call starts at output 0. Allocates nothing.
    open func reset() {}

    /// An independent copy, for a stream value that was copied (each copy keeps its own state).
    open func copy() -> Conv1dWorkspace { Conv1dWorkspace() }

    /// Takes over `other`'s state when a stream is prepared for larger chunks (a bigger
    /// workspace replaces the old one mid-stream).
    open func take(from other: Conv1dWorkspace) {}
}

/// Makes engines.
public enum Conv1dEngines {
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

    /// The engine for `weights` (already checked against `spec`).
    public static func make<T: ConvScalar>(spec: Conv1dSpec, weights: Conv1dWeights<T>, choice: Conv1dEngineChoice = .auto) -> any Conv1dEngine<T> {
        let resolved = choice == .auto ? choose(spec: spec).choice : choice
        if resolved == .fft, let engine = FFTConv1dEngine(spec: spec, weights: weights) { return engine }
        return DirectConv1dEngine(spec: spec, weights: weights)
    }

    /// Why the FFT engine cannot run `spec` (it then falls back to direct), or `nil` when it can.
    public static func fftUnsuitable(_ spec: Conv1dSpec) -> String? {
        if spec.stride != 1 { return "the FFT engine is for stride 1" }
        if spec.receptiveField <= FFTConv1dEngine<Float>.firstBlock {
            return "\(spec.receptiveField) taps fit the FFT engine's direct head"
        }
        return nil
    }
}
