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
    /// The first broken internal invariant, or `nil` (checked after every chunk).
    func checkInvariants() -> String?
}

extension StreamProcessor {
    /// A processor without internal checks.
    public func checkInvariants() -> String? { nil }
}

extension StreamingConv1d: StreamProcessor {}
