import Foundation
import StreamConv
import StreamConvIO
import Testing

/// Per-output designs (issue 16, finding 5, part): the shipped 2- and 3-way crossovers are one
/// short preset each; each side's bands sum back to that side's input (the bands are
/// complementary linear-phase FIRs, a subtraction from the delta), each band passes what
/// its name says and nothing of the other input.
@Suite struct CrossoverTests {
    /// |H(f)| in dB of a response, by a plain DFT.
    static func decibels(_ h: [Double], _ f: Double, rate: Int) -> Double {
        var (re, im) = (0.0, 0.0)
        for (n, v) in h.enumerated() {
            re += v * cos(2 * .pi * f * Double(n) / Double(rate))
            im -= v * sin(2 * .pi * f * Double(n) / Double(rate))
        }
        return 20 * log10(max((re * re + im * im).squareRoot(), 1e-15))
    }

    @Test(arguments: [("crossover-2way", [(100.0, 0), (10000.0, 1)]), ("crossover-3way", [(100.0, 0), (1500.0, 1), (12000.0, 2)])])
    func bandsSumToTheInputAndSplitIt(preset: String, probes: [(Double, Int)]) throws {
        let dir = temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let bands = probes.count
        var rng = SeededGenerator(seed: 17)
        let x = (0..<2).map { _ in (0..<12000).map { _ in Float(rng.nextUnit() - 0.5) * 0.5 } }
        try writeFile(Signal(x), dir.appendingPathComponent("song.wav").path, rate: 44100)
        let r = try CLI.run(["run", "--preset", preset, "--in", "song.wav", "--out", "bands.wav", "--precision", "double", "--out-format", "double"], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        let (y, file) = try readFile(dir.appendingPathComponent("bands.wav").path)
        #expect(y.channels == 2 * bands && y.frames == 12000 && file.sampleRate == 44100)
        // Each side's bands sum to that side's input (in double, rounding only; the file
        // holds doubles read back as Float here, so within Float rounding of the sum).
        for side in 0..<2 {
            var worst = 0.0
            for n in 0..<12000 {
                let sum = (0..<bands).map { Double(y[side * bands + $0, n]) }.reduce(0, +)
                worst = max(worst, abs(sum - Double(x[side][n])))
            }
            #expect(worst < 1e-6, "\(preset) side \(side): bands sum off the input by \(worst)")
        }
        // An impulse on the left only: the right's bands stay silent; each left band passes
        // its probe frequency (within 0.1 dB) and stops the others' (below −60 dB).
        var impulse = [Float](repeating: 0, count: 8000)
        impulse[4000] = 1
        try writeFile(Signal([impulse, [Float](repeating: 0, count: 8000)]), dir.appendingPathComponent("imp.wav").path, rate: 44100)
        let i = try CLI.run(["run", "--preset", preset, "--in", "imp.wav", "--out", "imp-bands.wav", "--precision", "double", "--out-format", "double"], in: dir)
        #expect(i.status == 0, "\(i.stderr)")
        let (h, _) = try readFile(dir.appendingPathComponent("imp-bands.wav").path)
        for band in 0..<bands { #expect((0..<8000).allSatisfy { h[bands + band, $0] == 0 }, "right band \(band) silent") }
        for (band, (f, own)) in probes.enumerated() {
            precondition(own == band)
            let response = (0..<8000).map { Double(h[band, $0]) }
            #expect(abs(Self.decibels(response, f, rate: 44100)) < 0.1, "band \(band) at \(f) Hz")
            for (other, _) in probes.enumerated() where other != band {
                #expect(Self.decibels((0..<8000).map { Double(h[other, $0]) }, f, rate: 44100) < -60, "band \(other) at \(f) Hz")
            }
        }
    }

    /// Mistakes in `outputs` are one line naming the entry.
    @Test func outputsMistakes() throws {
        let dir = temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        func error(_ outputs: String, out: Int = 2) throws -> String {
            try Data(#"{"conv1d": {"in_channels": 2, "out_channels": \#(out), "kernel_size": 31, "padding": "same", "bias": false}, "outputs": \#(outputs)}"#.utf8)
                .write(to: dir.appendingPathComponent("x.json"))
            let r = try CLI.run(["info", "--preset", "x.json"], in: dir)
            #expect(r.status == 1)
            return r.stderr
        }
        let lp = #"{"type": "lowpass", "cutoff_hz": 1000}"#
        #expect(try error("[{\"input\": 0, \"design\": \(lp)}]").hasPrefix("Error: outputs: expected one entry per output channel (2), got 1"))
        #expect(try error("[{\"input\": 0, \"design\": \(lp)}, {\"input\": 1, \"design\": \(lp), \"subtract\": [0]}]").hasPrefix("Error: outputs[1].subtract[0]: expected an output of the same input (1), got output 0, of input 0"))
        #expect(try error("[{\"input\": 2, \"design\": \(lp)}, {\"input\": 1, \"design\": \(lp)}]").contains("outputs[0].input"))
    }

    /// Linkwitz-Riley-magnitude FIRs (LR4 at 1 kHz, 1023 taps): each within 0.1 dB of
    /// 1/(1 + (f/fc)^4) and its complement wherever that is above −20 dB, within 0.5 dB down
    /// to −40 dB (1023 taps resolve 47 Hz: the high-pass's steep low skirt), from 300 Hz up; −6.02
    /// dB at the crossover, and the pair, run as a 2-way crossover, sums to the input.
    @Test func linkwitzRileyPairs() throws {
        let dir = temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let lr = #"{"cutoff_hz": 1000, "order": 4, "window": "blackman"#
        try Data(("{\"conv1d\": {\"in_channels\": 1, \"out_channels\": 2, \"kernel_size\": 1023, \"padding\": \"same\", \"bias\": false}, \"outputs\": ["
            + "{\"input\": 0, \"design\": " + lr + "\", \"type\": \"linkwitz_riley_lowpass\"}}, "
            + "{\"input\": 0, \"design\": " + lr + "\", \"type\": \"linkwitz_riley_highpass\"}}]}").utf8).write(to: dir.appendingPathComponent("lr4.json"))
        var impulse = [Float](repeating: 0, count: 4000)
        impulse[2000] = 1
        try writeFile(Signal([impulse]), dir.appendingPathComponent("imp.wav").path)
        let r = try CLI.run(["run", "--preset", "lr4.json", "--in", "imp.wav", "--out", "lr.wav", "--precision", "double", "--out-format", "double"], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        let (h, _) = try readFile(dir.appendingPathComponent("lr.wav").path)
        let low = (0..<4000).map { Double(h[0, $0]) }, high = (0..<4000).map { Double(h[1, $0]) }
        for f in [300.0, 500, 700, 1000, 1400, 2000, 3000, 5000, 8000, 12000, 20000] {
            let q = pow(f / 1000, 4)
            for (response, expected) in [(low, 1 / (1 + q)), (high, q / (1 + q))] where 20 * log10(expected) > -40 {
                let tolerance = 20 * log10(expected) > -20 ? 0.1 : 0.5
                #expect(abs(Self.decibels(response, f, rate: 48000) - 20 * log10(expected)) < tolerance, "\(f) Hz")
            }
        }
        #expect(abs(Self.decibels(low, 1000, rate: 48000) + 6.02) < 0.05 && abs(Self.decibels(high, 1000, rate: 48000) + 6.02) < 0.05)
        let worst = (0..<4000).map { abs(low[$0] + high[$0] - ($0 == 2000 ? 1 : 0)) }.max()!
        #expect(worst < 1e-6, "the pair sums to the impulse within \(worst)")
    }
}
