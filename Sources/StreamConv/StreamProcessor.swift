/// Something that filters a signal arriving in chunks: what ``ChunkEquivalence`` checks.
///
/// The full output is `finish().head`, then every `process` output in order, then
/// `finish().tail`; for a chunk-invariant processor it does not depend on how the input was cut.
public protocol StreamProcessor {
    /// The sample type.
    associatedtype Scalar: ConvScalar
    /// Filters the next chunk.
    mutating func process(_ chunk: Signal<Scalar>) throws -> Signal<Scalar>
    /// Ends the signal and returns what is left.
    mutating func finish() throws -> StreamEnd<Scalar>
    /// Forgets the signal so a new one can start.
    mutating func reset()
}

extension StreamingConv1d: StreamProcessor {}
