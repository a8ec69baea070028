/// The sample types a convolution runs in: `Float` and `Double`.
///
/// Everything in the core is generic over this protocol instead of being written twice;
/// the hot kernel is pre-specialised for both conforming types so a caller in another
/// module never runs the unspecialised generic code.
public protocol ConvScalar: BinaryFloatingPoint, SIMDScalar, Codable, Sendable, CustomStringConvertible
where RawSignificand: FixedWidthInteger {
    /// The unit roundoff, half the distance from 1 to the next representable value.
    /// Tolerances against an exact reference are written in multiples of it.
    static var unitRoundoff: Self { get }

    /// Parses a decimal number straight into this type, so a float32 weight written as its
    /// shortest decimal form comes back as the same bits (no rounding through `Double`).
    init?(decimal text: Substring)

    /// The vector the direct engine accumulates outputs in: 64 bytes (16 Floats, 8 Doubles),
    /// one AVX-512 register, two AVX2 or four SSE registers.
    associatedtype Lanes: SIMD where Lanes.Scalar == Self
}

extension Float: ConvScalar {
    public typealias Lanes = SIMD16<Float>
    /// 2⁻²⁴.
    public static var unitRoundoff: Float { Float.ulpOfOne / 2 }
    /// Correctly rounded from the decimal text.
    public init?(decimal text: Substring) { self.init(text) }
}

extension Double: ConvScalar {
    public typealias Lanes = SIMD8<Double>
    /// 2⁻⁵³.
    public static var unitRoundoff: Double { Double.ulpOfOne / 2 }
    /// Correctly rounded from the decimal text.
    public init?(decimal text: Substring) { self.init(text) }
}
