import Foundation
import StreamConv
import StreamConvIO
import Testing

/// `run --precision double`: samples read and filtered in Double, written as Double, against
/// the numpy reference in float64 (issue 7).
@Suite struct DoublePrecisionTests {
    /// n for Conv1d(3, 2, 5) with bias: 3·5 products and the bias.
    let terms = 16

    @Test func doubleRunIsWithinTheDoubleBound() throws {
        let f = try Fixtures("double")
        defer { f.remove() }
        let reference = try f.rows("y.npy"), sums = try f.rows("abs.npy")
        var outputs: [Data] = []
        for block in ["4096", "1", "7", "whole"] {
            let r = try CLI.run(["run", "--preset", "preset.json", "--in", "x.wav", "--out", "d\(block).wav", "--precision", "double", "--out-format", "double", "--block", block], in: f.dir)
            #expect(r.status == 0 && r.stderr.contains(", computed in double"), "\(r.stderr)")
            outputs.append(try f.data("d\(block).wav"))
        }
        #expect(Set(outputs).count == 1, "every chunking writes the same bytes in double too")
        let double = worstRatio(try f.audio("d4096.wav"), reference, sums: sums, terms: terms, u: Double.unitRoundoff)
        #expect(double <= 2, "worst \(double) of the float64 bound")

        // The default float run is within the float32 bound but far outside the float64 one:
        // the comparison above can tell the two paths apart.
        let r = try CLI.run(["run", "--preset", "preset.json", "--in", "x.wav", "--out", "f.wav", "--out-format", "double"], in: f.dir)
        #expect(r.status == 0 && !r.stderr.contains("computed in double"))
        let y = try f.audio("f.wav")
        #expect(worstRatio(y, reference, sums: sums, terms: terms, u: Double(Float.unitRoundoff)) <= 2)
        #expect(worstRatio(y, reference, sums: sums, terms: terms, u: Double.unitRoundoff) > 1e6)
    }

    /// Raw f64 in and out carries the same Doubles as the files.
    @Test func rawF64MatchesTheFileRun() throws {
        let f = try Fixtures("double")
        defer { f.remove() }
        let x = try f.audio("x.wav")
        var raw = Data()
        for t in 0..<x[0].count {
            for c in 0..<3 { raw += withUnsafeBytes(of: x[c][t].bitPattern.littleEndian) { Data($0) } }
        }
        let file = try CLI.run(["run", "--preset", "preset.json", "--in", "x.wav", "--out", "d.wav", "--precision", "double", "--out-format", "double"], in: f.dir)
        #expect(file.status == 0)
        let piped = try CLI.run(["run", "--preset", "preset.json", "--in", "-", "--rate", "48000", "--out", "-", "--raw-format", "f64", "--precision", "double"], in: f.dir, input: raw)
        #expect(piped.status == 0, "\(piped.stderr)")
        let y = try f.audio("d.wav")
        var expected = Data()
        for t in 0..<y[0].count {
            for c in 0..<2 { expected += withUnsafeBytes(of: y[c][t].bitPattern.littleEndian) { Data($0) } }
        }
        #expect(piped.stdout == expected)
    }

    @Test func playbackStaysFloat() throws {
        let r = try CLI.run(["run", "--preset", "lowpass", "--in", "x.wav", "--playback", "null", "--precision", "double"])
        #expect(r.status == 64 && r.stderr.hasPrefix("Error: --precision double is for --out; --playback runs in float"), "\(r.stderr)")
    }
}
