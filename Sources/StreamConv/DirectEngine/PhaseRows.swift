/// Scratch for a strided spec: each input channel split into its `stride` phases
/// (`phase p, sample j = x[j·stride + p]`), enough for `maxOutputs` outputs per call, in one
/// allocation. A class only so that ``Conv1dWorkspace`` can hold it beside its engine; the
/// workspace, non-copyable, is its one owner.
final class PhaseRows<Scalar: ConvScalar>: @unchecked Sendable {
    let spec: Conv1dSpec
    let maxOutputs: Int
    let phaseLength: Int
    let storage: ScalarBuffer<Scalar>
    /// Where tap (il, kk) of a group starts within the group's rows: the phase (kk·d) mod s
    /// of input channel il, ⌊kk·d/s⌋ samples in, for il < in/groups and kk < kernel_size.
    let tapOffsets: [Int]

    /// Samples per phase row for calls of up to `maxOutputs` outputs: a call reads
    /// (count − 1)·stride + R samples, so per phase at most count − 1 + ⌈R/stride⌉.
    static func rowLength(spec: Conv1dSpec, maxOutputs: Int) -> Int {
        maxOutputs + (spec.receptiveField + spec.stride - 1) / spec.stride
    }

    init(spec: Conv1dSpec, maxOutputs: Int) {
        self.spec = spec
        self.maxOutputs = max(1, maxOutputs)
        phaseLength = Self.rowLength(spec: spec, maxOutputs: self.maxOutputs)
        storage = ScalarBuffer(count: spec.inChannels * spec.stride * phaseLength)
        let (s, d, k, length) = (spec.stride, spec.dilation, spec.kernelSize, phaseLength)
        tapOffsets = (0..<spec.inChannelsPerGroup).flatMap { il in
            (0..<k).map { kk in (il * s + (kk * d) % s) * length + (kk * d) / s }
        }
    }

    /// Scratch of the same size: the phases are rebuilt by every call, so there is no state
    /// to carry, but a copied workspace may run on another thread and needs its own.
    func fresh() -> PhaseRows { PhaseRows(spec: spec, maxOutputs: maxOutputs) }
}
