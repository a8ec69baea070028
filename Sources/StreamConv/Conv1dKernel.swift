/// The engine that computes a run of consecutive outputs from an already padded, contiguous
/// piece of signal. ``Conv1d`` and ``StreamingConv1d`` both call it, which is what makes a
/// chunked stream bitwise equal to the whole-signal call: the same engine, the same order.
///
/// A replacement engine (SIMD direct, partitioned FFT) must keep one rule: each output's value
/// depends only on the samples it reads, never on `count` or on where the run starts, so that
/// splitting a run into pieces cannot change a bit.
public protocol Conv1dKernel<Scalar>: Sendable {
    /// The sample type.
    associatedtype Scalar: ConvScalar

    /// Computes outputs `j = 0..<count`:
    /// `output[o·outputStride + j] = bias[o] + Σ_i Σ_k weight[o][i][k] · input[c(o,i)·inputStride + j·stride + k·dilation]`,
    /// where `c(o,i)` is the `i`-th input channel of `o`'s group.
    ///
    /// Allocates nothing, takes no lock, never throws: safe on an audio thread.
    /// - Parameters:
    ///   - input: channel-major samples; `input[c·inputStride]` is the first sample the first output reads.
    ///   - output: channel-major; at least `count` writable samples per output channel.
    func compute(
        input: UnsafePointer<Scalar>, inputStride: Int,
        output: UnsafeMutablePointer<Scalar>, outputStride: Int, count: Int
    )
}
