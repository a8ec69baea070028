import StreamConv
import StreamConvTestSupport
import Testing

/// The direct engine keeps one summation order per output (bias, then input channel and tap
/// ascending, a rounded multiply then a rounded add per term), whatever path computes it:
/// register blocks of eight channels, four or one, vectors or single outputs. This test writes that
/// order as the plainest loop and demands the same bits for every output (issue 8); with
/// `--arithmetic fused`, the same order with one fused multiply-add per term (issue 15).
@Suite struct DirectKernelBitsTests {
    func check<T: ConvScalar>(_: T.Type, seed: UInt64, arithmetic: Conv1dArithmetic = .unfused) throws {
        var rng = SeededGenerator(seed: seed)
        // Channel layouts that reach the eight- and four-channel blocks (out per group ≥ 8,
        // ≥ 4, and 12 = 8 + 4), lengths that leave every kind of remainder, and dilations that
        // make loads unaligned.
        let layouts = [(1, 1, 1), (2, 2, 2), (3, 4, 1), (4, 9, 1), (6, 12, 3), (8, 8, 2), (5, 7, 1),
                       (9, 16, 1), (4, 24, 2), (3, 13, 1)]
        var differs = 0
        for _ in 0..<60 {
            let (cin, cout, groups) = layouts.randomElement(using: &rng)!
            let spec = try Conv1dSpec(
                inChannels: cin, outChannels: cout, kernelSize: Int.random(in: 1...40, using: &rng),
                stride: [1, 1, 1, 2, 3].randomElement(using: &rng)!, padding: .samples(Int.random(in: 0...5, using: &rng)),
                dilation: Int.random(in: 1...3, using: &rng), groups: groups, bias: Bool.random(using: &rng),
                paddingMode: PaddingMode.allCases.randomElement(using: &rng)!)
            let length = max(minimumLength(spec), spec.receptiveField) + Int.random(in: 0...300, using: &rng)
            let seeded = Conv1d<T>(spec: spec, seed: rng.next())
            let conv = Conv1d<T>(spec: spec, weights: seeded.weights, engine: .direct, arithmetic: arithmetic)
            let x = randomSignal(T.self, channels: cin, frames: length, using: &rng)
            let y = try conv.forward(x)
            let expected = try PlainConvolution.forward(conv, x, fused: arithmetic == .fused)
            #expect(y.bitwiseEquals(expected), "\(spec) L=\(length) \(T.self) \(arithmetic)")
            if !y.bitwiseEquals(try PlainConvolution.forward(conv, x, fused: arithmetic != .fused)) { differs += 1 }
        }
        // The two arithmetics give other bits (so each check above tells them apart).
        #expect(differs > 40, "\(differs) of 60 convolutions differ between fused and unfused")
    }

    @Test func floatOutputsHaveThePlainLoopsBits() throws { try check(Float.self, seed: 81) }
    @Test func doubleOutputsHaveThePlainLoopsBits() throws { try check(Double.self, seed: 82) }
    @Test func fusedFloatOutputsHaveThePlainFusedLoopsBits() throws { try check(Float.self, seed: 83, arithmetic: .fused) }
    @Test func fusedDoubleOutputsHaveThePlainFusedLoopsBits() throws { try check(Double.self, seed: 84, arithmetic: .fused) }
}
