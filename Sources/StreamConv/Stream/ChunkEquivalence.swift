/// Where a chunked run of a ``Stage`` first departed from the whole-signal output.
public struct ChunkMismatch: Error, Sendable, CustomStringConvertible {
    /// The chunk sizes the input was cut into.
    public let chunkSizes: [Int]
    /// What differed.
    public let detail: String

    public var description: String {
        let sizes = chunkSizes.count > 24
            ? chunkSizes.prefix(24).map(String.init).joined(separator: ",") + ",… (\(chunkSizes.count) chunks)"
            : chunkSizes.map(String.init).joined(separator: ",")
        return "chunks [\(sizes)]: \(detail)"
    }
}

/// Checks that a stage's output does not depend on how its input is cut.
///
/// Feeds the signal in the given or in random chunkings (1-frame chunks, empty chunks, sizes
/// unaligned to any stride, one whole chunk) and compares the concatenated output with the
/// expected whole-signal output **bit for bit** (`bitPattern`, so `-0` and `+0`, or two NaNs
/// with different payloads, count as different). When the whole-signal call throws, the
/// stream must throw an error with the same description, from `process` or `finish`. After every
/// chunk it also holds the stage to its own word: the stage's invariants, each `process` output
/// as long as ``Stage/outputFrameCount(afterProcessing:)`` said and within
/// ``Stage/outputBound(inputFrames:)``, and `finish` as ``Stage/finishFrameCounts()`` said and
/// within ``Stage/finishBound``.
public enum ChunkEquivalence {
    /// Feeds `signal` in chunks of `chunkSizes` (which must add up to its length), then
    /// finishes, and compares with `expected`. Resets `processor` first.
    /// - Returns: the first difference, or `nil` when the outputs are identical.
    public static func check<P: Stage & ~Copyable>(
        _ processor: inout P, signal: Signal<P.Scalar>,
        expected: Result<Signal<P.Scalar>, any Error>, chunkSizes: [Int]
    ) -> ChunkMismatch? {
        precondition(chunkSizes.reduce(0, +) == signal.frames, "chunk sizes must add up to the signal length")
        processor.reset()
        var pieces: [Signal<P.Scalar>] = []
        var streamed: Result<Signal<P.Scalar>, any Error>
        do {
            var at = 0
            for (index, size) in chunkSizes.enumerated() {
                let promised = processor.outputFrameCount(afterProcessing: size)
                let bound = processor.outputBound(inputFrames: size)
                let piece = try processor.process(signal.slice(at..<(at + size)))
                pieces.append(piece)
                at += size
                if let broken = processor.checkInvariants() {
                    return ChunkMismatch(chunkSizes: chunkSizes, detail: "after chunk \(index): invariant broken: \(broken)")
                }
                if piece.frames != promised || piece.frames > bound {
                    return ChunkMismatch(chunkSizes: chunkSizes, detail: "chunk \(index): \(piece.frames) output frames, but outputFrameCount said \(promised) and outputBound \(bound)")
                }
            }
            let promised = try? processor.finishFrameCounts()
            let bound = processor.finishBound
            let end = try processor.finish()
            if let broken = processor.checkInvariants() {
                return ChunkMismatch(chunkSizes: chunkSizes, detail: "after finish: invariant broken: \(broken)")
            }
            if promised.map({ $0 != (end.head.frames, end.tail.frames) }) ?? true || end.head.frames > bound.head || end.tail.frames > bound.tail {
                return ChunkMismatch(chunkSizes: chunkSizes, detail: "finish gave (\(end.head.frames), \(end.tail.frames)) frames, but finishFrameCounts said \(promised.map { "(\($0.head), \($0.tail))" } ?? "it throws") and finishBound (\(bound.head), \(bound.tail))")
            }
            streamed = .success(Signal.concatenating([end.head] + pieces + [end.tail]))
        } catch {
            streamed = .failure(error)
        }
        switch (expected, streamed) {
        case let (.failure(e), .failure(s)):
            return "\(e)" == "\(s)" ? nil
                : ChunkMismatch(chunkSizes: chunkSizes, detail: "whole-signal error \"\(e)\" but stream error \"\(s)\"")
        case let (.failure(e), .success):
            return ChunkMismatch(chunkSizes: chunkSizes, detail: "whole-signal call threw \"\(e)\" but the stream did not")
        case let (.success, .failure(s)):
            return ChunkMismatch(chunkSizes: chunkSizes, detail: "stream threw \"\(s)\" but the whole-signal call did not")
        case let (.success(e), .success(s)):
            return firstDifference(expected: e, actual: s).map { ChunkMismatch(chunkSizes: chunkSizes, detail: $0) }
        }
    }

    /// Checks `trials` random chunkings of `signal` (see ``randomChunking(length:using:)``).
    /// - Returns: the first mismatch found, or `nil`.
    public static func check<P: Stage & ~Copyable, G: RandomNumberGenerator>(
        _ processor: inout P, signal: Signal<P.Scalar>,
        expected: Result<Signal<P.Scalar>, any Error>, trials: Int, using rng: inout G
    ) -> ChunkMismatch? {
        for _ in 0..<trials {
            let sizes = randomChunking(length: signal.frames, using: &rng)
            if let mismatch = check(&processor, signal: signal, expected: expected, chunkSizes: sizes) {
                return mismatch
            }
        }
        return nil
    }

    /// A random way to cut `length` frames, drawn from several shapes: all 1-frame chunks,
    /// small random chunks (with empty ones mixed in), large random chunks, and one whole chunk.
    public static func randomChunking<G: RandomNumberGenerator>(length: Int, using rng: inout G) -> [Int] {
        guard length > 0 else { return Int.random(in: 0...1, using: &rng) == 0 ? [] : [0] }
        let style = Int.random(in: 0..<5, using: &rng)
        if style == 0 && length <= 4096 { return Array(repeating: 1, count: length) }
        if style == 1 { return [length] }
        let largest = style == 2 ? min(length, 7) : max(1, length / Int.random(in: 1...6, using: &rng))
        var sizes: [Int] = []
        var left = length
        while left > 0 {
            if Int.random(in: 0..<10, using: &rng) == 0 { sizes.append(0) }
            let size = Int.random(in: 1...min(largest, left), using: &rng)
            sizes.append(size)
            left -= size
        }
        return sizes
    }

    /// A description of the first sample where two signals differ bitwise, or `nil`.
    public static func firstDifference<T: ConvScalar>(expected: Signal<T>, actual: Signal<T>) -> String? {
        if expected.channels != actual.channels || expected.frames != actual.frames {
            return "expected \(expected.channels)×\(expected.frames) frames, got \(actual.channels)×\(actual.frames)"
        }
        for c in 0..<expected.channels {
            for i in 0..<expected.frames where expected[c, i].bitwiseValue != actual[c, i].bitwiseValue {
                return "channel \(c) frame \(i): expected \(expected[c, i]), got \(actual[c, i])"
            }
        }
        return nil
    }
}

extension BinaryFloatingPoint where RawSignificand: FixedWidthInteger {
    /// The encoding's bits, for bitwise comparison across `Float` and `Double`.
    var bitwiseValue: UInt64 {
        UInt64(truncatingIfNeeded: exponentBitPattern) << UInt64(Self.significandBitCount)
            | UInt64(truncatingIfNeeded: significandBitPattern)
            | (sign == .minus ? 1 << 63 : 0)
    }
}
