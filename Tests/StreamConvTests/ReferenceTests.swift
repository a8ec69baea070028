import StreamConv
import Testing

/// Conv1d against the independent numpy reference (`scripts/reference_conv1d.py`).
///
/// Tolerance: recursive summation of n products (n = in_channels/groups · kernel_size, plus the
/// bias) in a precision with unit roundoff u errs by at most γ_{n+1} · Σ|terms|, γ_m = m·u/(1−m·u)
/// (Higham, Accuracy and Stability of Numerical Algorithms, §3.1). The fixture stores Σ|terms|
/// for every output. Float is checked against that bound; Double too, doubled, because the
/// float64 reference carries its own error of the same size.
@Suite struct ReferenceTests {
    static let cases = ReferenceCase.all

    @Test func fixturesCoverEveryParameter() {
        let specs = Self.cases.map(\.spec)
        #expect(Set(specs.map(\.paddingMode)) == Set(PaddingMode.allCases))
        #expect(Set(specs.map(\.stride)).isSuperset(of: [1, 2, 3, 4]))
        #expect(Set(specs.map(\.dilation)).isSuperset(of: [1, 2, 3, 4]))
        #expect(specs.contains { $0.padding == .same } && specs.contains { $0.padding == .valid })
        #expect(specs.contains { $0.groups == $0.inChannels && $0.outChannels == 2 * $0.inChannels && $0.groups > 1 })
        #expect(specs.contains { $0.bias } && specs.contains { !$0.bias })
        #expect(Self.cases.contains { $0.input[0].count == minimumLength($0.spec) })
        #expect(Self.cases.contains { $0.expected[0].count > 1024 }, "outputs spanning several kernel tiles")
    }

    func check<T: ConvScalar>(_ type: T.Type, factor: Double) throws {
        for fixture in Self.cases {
            let y = try fixture.conv(T.self).forward(fixture.signal(T.self))
            #expect(y.channels == fixture.expected.count)
            #expect(y.frames == fixture.expected[0].count, "\(fixture)")
            guard y.frames == fixture.expected[0].count else { continue }
            let n = Double(fixture.spec.inChannelsPerGroup * fixture.spec.kernelSize + 1)
            let u = Double(T.unitRoundoff)
            let gamma = factor * n * u / (1 - n * u)
            for o in 0..<y.channels {
                for t in 0..<y.frames {
                    let error = abs(Double(y[o, t]) - fixture.expected[o][t])
                    let bound = gamma * fixture.scale[o][t] + Double(T.leastNormalMagnitude)
                    #expect(error <= bound, "\(fixture) out[\(o)][\(t)] = \(y[o, t]), reference \(fixture.expected[o][t])")
                }
            }
        }
    }

    @Test func floatMatchesReference() throws { try check(Float.self, factor: 1) }
    @Test func doubleMatchesReference() throws { try check(Double.self, factor: 2) }

    @Test func streamingMatchesReferenceFixturesBitwise() throws {
        var rng = SeededGenerator(seed: 7)
        for fixture in Self.cases {
            let conv = try fixture.conv(Float.self)
            let x = fixture.signal(Float.self)
            var stream = conv.makeStream(maxFrames: 5)
            let mismatch = ChunkEquivalence.check(
                &stream, signal: x, expected: Result { try conv.forward(x) }, trials: 6, using: &rng)
            #expect(mismatch == nil, "\(fixture): \(mismatch?.description ?? "")")
        }
    }

    @Test func batchedForwardIsPerItem() throws {
        let fixture = Self.cases[5]
        let conv = try fixture.conv(Double.self)
        let a = fixture.signal(Double.self)
        var rng = SeededGenerator(seed: 3)
        let b = randomSignal(Double.self, channels: a.channels, frames: a.frames, using: &rng)
        let batch = try conv.forward(SignalBatch([a, b]))
        #expect(batch.shape == [2, fixture.spec.outChannels, fixture.expected[0].count])
        #expect(batch.items[0].bitwiseEquals(try conv.forward(a)))
        #expect(batch.items[1].bitwiseEquals(try conv.forward(b)))
    }
}
