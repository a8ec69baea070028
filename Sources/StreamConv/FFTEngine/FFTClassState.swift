/// One partition class's state, in one allocation: per input channel the last four input
/// blocks (a ring of 4N: the one filling, and the two a block step reads, which may still be
/// in use on a worker thread while the next ones fill) and the spectra of the last m blocks
/// (the frequency-domain delay line, split re/im), per output channel the output ring, and
/// scratch for one spectrum and 2N reals. Rows start on 64-byte boundaries.
final class FFTClassState<Scalar: ConvScalar>: @unchecked Sendable {
    /// Block size N, partitions m, ring slots.
    let size: Int, count: Int, ring: Int
    let buffer: ScalarBuffer<Scalar>
    /// [input channel][4N]: block b in slot b mod 4.
    let blocks: UnsafeMutablePointer<Scalar>
    /// [input channel][slot][bin], split.
    let delayRe: UnsafeMutablePointer<Scalar>, delayIm: UnsafeMutablePointer<Scalar>
    /// [output channel][ring].
    let rings: UnsafeMutablePointer<Scalar>
    /// Scratch: one spectrum and 2N reals.
    let accRe: UnsafeMutablePointer<Scalar>, accIm: UnsafeMutablePointer<Scalar>, time: UnsafeMutablePointer<Scalar>

    /// The pieces' lengths in scalars, each rounded up to whole lines of `line` scalars.
    private static func pieces(size: Int, count: Int, ring: Int, spec: Conv1dSpec, line: Int) -> [Int] {
        let bins = size + 1
        return [spec.inChannels * inputSlots * size, spec.inChannels * count * bins, spec.inChannels * count * bins,
                spec.outChannels * ring, bins, bins, 2 * size].map { ($0 + line - 1) / line * line }
    }

    /// Scalars of 64-byte lines of `lineScalars` each that one class's state holds: the
    /// memory estimate, before any engine is made.
    static func scalars(size: Int, count: Int, ring: Int, spec: Conv1dSpec, lineScalars: Int) -> Int {
        pieces(size: size, count: count, ring: ring, spec: spec, line: lineScalars).reduce(0, +)
    }

    /// Input blocks kept per channel: the step of block b reads b − 1 and b while b + 1 and
    /// b + 2 fill, so the writer of block b' waits only for the step of b' − 3.
    static var inputSlots: Int { 4 }

    private static var line: Int { max(1, 64 / MemoryLayout<Scalar>.stride) }

    private init(size: Int, count: Int, ring: Int, spec: Conv1dSpec, buffer: consuming ScalarBuffer<Scalar>) {
        (self.size, self.count, self.ring) = (size, count, ring)
        let lengths = Self.pieces(size: size, count: count, ring: ring, spec: spec, line: Self.line)
        var starts: [Int] = []
        var at = 0
        for length in lengths {
            starts.append(at)
            at += length
        }
        precondition(at <= buffer.count, "FFT class buffer too small")
        let base = buffer.base
        (blocks, delayRe, delayIm, rings) = (base + starts[0], base + starts[1], base + starts[2], base + starts[3])
        (accRe, accIm, time) = (base + starts[4], base + starts[5], base + starts[6])
        self.buffer = buffer
        self.spec = spec
    }

    private let spec: Conv1dSpec

    convenience init(plan: FFTConv1dEngine<Scalar>.PartitionClass, spec: Conv1dSpec) {
        let buffer = ScalarBuffer<Scalar>(count: Self.pieces(size: plan.size, count: plan.count, ring: plan.ring, spec: spec, line: Self.line).reduce(0, +))
        self.init(size: plan.size, count: plan.count, ring: plan.ring, spec: spec, buffer: buffer)
    }

    /// The same state in new memory. Allocates.
    func copy() -> FFTClassState {
        FFTClassState(size: size, count: count, ring: ring, spec: spec, buffer: buffer.copy())
    }
}
