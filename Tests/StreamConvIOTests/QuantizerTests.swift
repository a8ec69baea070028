import Foundation
import StreamConv
@testable import StreamConvIO
import Testing

/// Float → integer conversion is streamconv's own, the same for every container (issue 5, item 3).
@Suite struct QuantizerTests {
    /// Halfway values go to the even code; expectations written by hand.
    @Test func roundsHalfToEven() {
        var q = Quantizer(bits: 16)
        let halves: [(Double, Int32)] = [(-3.5, -4), (-2.5, -2), (-1.5, -2), (-0.5, 0), (0.5, 0), (1.5, 2), (2.5, 2), (3.5, 4), (0.49, 0), (0.51, 1), (-0.51, -1)]
        for (lsb, code) in halves {
            #expect(q.code(Float(lsb / 32768), frame: 0, channel: 0) == code, "\(lsb) LSB")
        }
        #expect(q.clipped == 0)
    }

    @Test func clipsAndCountsAndWritesNaNAsZero() {
        var q = Quantizer(bits: 16)
        #expect(q.code(1.0, frame: 0, channel: 0) == 32767)
        #expect(q.code(-1.0, frame: 1, channel: 0) == -32768, "−1 is in range")
        #expect(q.code(-1.0001, frame: 2, channel: 1) == -32768)
        #expect(q.code(.infinity, frame: 3, channel: 0) == 32767)
        #expect(q.code(-.infinity, frame: 4, channel: 0) == -32768)
        #expect(q.clipped == 4)
        #expect(q.firstClip?.frame == 0 && q.firstClip?.channel == 0)
        #expect(q.code(.nan, frame: 5, channel: 0) == 0)
        #expect(q.notANumber == 1 && q.clipped == 4)
        var q24 = Quantizer(bits: 24)
        #expect(q24.code(Float(8_388_607.0 / 8_388_608.0), frame: 0, channel: 0) == 8_388_607)
        #expect(q24.leftAligned(-1, frame: 0, channel: 0) == Int32.min)
        var q32 = Quantizer(bits: 32)
        #expect(q32.code(0.5, frame: 0, channel: 0) == 1 << 30)
        #expect(q32.code(1, frame: 0, channel: 0) == Int32.max && q32.clipped == 1)
    }

    /// TPDF noise: in (−1, 1) LSB, mean 0, variance 1/6 (the triangular distribution's), the
    /// same for the same (frame, channel) whatever was asked before.
    @Test func triangularNoiseHasTheRightStatistics() {
        var (sum, squares) = (0.0, 0.0)
        let n = 200_000
        for i in 0..<n {
            let d = Quantizer.triangularNoise(frame: Int64(i), channel: i % 3)
            #expect(d > -1 && d < 1)
            sum += d
            squares += d * d
        }
        #expect(abs(sum / Double(n)) < 0.005)
        #expect(abs(squares / Double(n) - 1.0 / 6) < 0.005)
        #expect(Quantizer.triangularNoise(frame: 12345, channel: 1) == Quantizer.triangularNoise(frame: 12345, channel: 1))
        #expect(Quantizer.triangularNoise(frame: 12345, channel: 1) != Quantizer.triangularNoise(frame: 12345, channel: 0))
    }

    /// With TPDF dither a constant 0.25 LSB averages to 0.25 LSB (the error is independent of
    /// the signal); without, it always rounds to 0.
    @Test func ditherKeepsSubLSBLevels() {
        var plain = Quantizer(bits: 16)
        var dithered = Quantizer(bits: 16, dither: .tpdf)
        let x = Float(0.25 / 32768)
        var (a, b) = (0, 0)
        for i in 0..<100_000 {
            a += Int(plain.code(x, frame: Int64(i), channel: 0))
            b += Int(dithered.code(x, frame: Int64(i), channel: 0))
        }
        #expect(a == 0)
        #expect(abs(Double(b) / 100_000 - 0.25) < 0.01)
    }

    /// Every container stores the same codes: halfway values read back rounded half to even,
    /// and the mean error of a random signal is 0 (libsndfile 1.2.0's own WAV/AIFF conversion
    /// truncated toward −∞: −0.5 LSB).
    @Test(arguments: ["q.wav", "q.aiff", "q.flac", "q.caf", "q.au", "q.w64"])
    func everyContainerRoundsTheSameWay(name: String) throws {
        let dir = TemporaryFolder()
        defer { dir.cleanup() }
        let halves = (-20...20).map { Float((Double($0) + 0.5) / 32768) }
        var rng = SeededGenerator(seed: 3)
        let random = (0..<20000).map { _ in Float((rng.nextUnit() - 0.5) * 0.5) }
        _ = try writeFile(Signal([halves + random]), to: dir.path(name), format: .s16)
        let (y, _) = try readAll(dir.path(name))
        let codes = y.channel(0).map { Int(($0 * 32768).rounded()) }
        let expectedHalves = (-20...20).map { k -> Int in k % 2 == 0 ? k : k + 1 }
        #expect(Array(codes[0..<halves.count]) == expectedHalves)
        let errors = zip(codes[halves.count...], random).map { Double($0) - Double($1) * 32768 }
        let mean = errors.reduce(0, +) / Double(errors.count)
        #expect(abs(mean) < 0.02, "mean error \(mean) LSB")
        #expect(errors.allSatisfy { abs($0) <= 0.5 })
    }
}
