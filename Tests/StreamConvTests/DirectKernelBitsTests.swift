import StreamConv
import StreamConvTestSupport
import Testing

/// The direct engine keeps one summation order per output (bias, then input channel and tap
/// ascending, a rounded multiply then a rounded add per term), whatever path computes it:
/// register blocks of eight channels, four or one, vectors or single outputs. This test writes that
/// order as the plainest loop and demands the same bits for every output (issue 8).
@Suite struct DirectKernelBitsTests {
    func plainLoop<T: ConvScalar>(_ conv: Conv1d<T>, _ x: Signal<T>) throws -> Signal<T> { try PlainConvolution.forward(conv, x) }

    func check<T: ConvScalar>(_: T.Type, seed: UInt64) throws {
        var rng = SeededGenerator(seed: seed)
        // Channel layouts that reach the eight- and four-channel blocks (out per group ≥ 8,
        // ≥ 4, and 12 = 8 + 4), lengths that leave every kind of remainder, and dilations that
        // make loads unaligned.
        let layouts = [(1, 1, 1), (2, 2, 2), (3, 4, 1), (4, 9, 1), (6, 12, 3), (8, 8, 2), (5, 7, 1),
                       (9, 16, 1), (4, 24, 2), (3, 13, 1)]
        for _ in 0..<60 {
            let (cin, cout, groups) = layouts.randomElement(using: &rng)!
            let spec = try Conv1dSpec(
                inChannels: cin, outChannels: cout, kernelSize: Int.random(in: 1...40, using: &rng),
                stride: [1, 1, 1, 2, 3].randomElement(using: &rng)!, padding: .samples(Int.random(in: 0...5, using: &rng)),
                dilation: Int.random(in: 1...3, using: &rng), groups: groups, bias: Bool.random(using: &rng),
                paddingMode: PaddingMode.allCases.randomElement(using: &rng)!)
            let length = max(minimumLength(spec), spec.receptiveField) + Int.random(in: 0...300, using: &rng)
            let conv = Conv1d<T>(spec: spec, seed: rng.next())
            let x = randomSignal(T.self, channels: cin, frames: length, using: &rng)
            let y = try conv.forward(x)
            let expected = try plainLoop(conv, x)
            #expect(y.bitwiseEquals(expected), "\(spec) L=\(length) \(T.self)")
        }
    }

    @Test func floatOutputsHaveThePlainLoopsBits() throws { try check(Float.self, seed: 81) }
    @Test func doubleOutputsHaveThePlainLoopsBits() throws { try check(Double.self, seed: 82) }
}
