/// How the direct sums (the direct engine's, and the FFT engine's direct head's) multiply and
/// add: `run --arithmetic`. Either way every output is bias, then input channel and tap
/// ascending, in the same order in every path, so streams stay bitwise equal to whole-signal
/// calls.
public enum Conv1dArithmetic: String, Sendable, CaseIterable, CustomStringConvertible {
    /// Each product rounded, then each sum (`a + w·x` as two roundings): the same bits from
    /// every CPU and every build, with or without fused multiply-add in the hardware. The default.
    case unfused
    /// Each term as one fused multiply-add (`fma(w, x, a)`, one rounding): about twice the
    /// multiply-adds per cycle where the CPU has FMA, and bits that differ from `unfused`'s
    /// (each within the same error bound). A correctly rounded fma is defined everywhere, so
    /// the bits are still the same on every CPU; a CPU or build without FMA instructions gets
    /// them slowly (in software).
    case fused

    public var description: String { rawValue }
}
