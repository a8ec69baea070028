import ArgumentParser
import Foundation
import StreamConv
import StreamConvIO
import StreamConvPresets

/// `streamconv demo`: the built-in default job.
struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Synthesise a test signal, filter it with a shipped preset, and write both as WAV.",
        discussion: """
            Left channel: 1 kHz and 12 kHz tones; right channel: a logarithmic sweep from 20 Hz \
            to 20 kHz. Writes demo-input.wav and demo-output.wav (float, 48 kHz) and prints the \
            run summary and the level of each tone before and after the filter.
            """
    )

    @Option(help: "Preset to apply (a 2-channel preset for 48 kHz).")
    var preset = "lowpass-4k"

    @Option(help: "Seconds of signal.")
    var seconds = 4.0

    @Option(name: .customLong("dir"), help: "Folder to write the two files into.")
    var directory = "."

    func validate() throws {
        if !(seconds > 0.2 && seconds <= 3600) { throw ValidationError("--seconds must be between 0.2 and 3600, got \(seconds)") }
    }

    func run() throws {
        let (preset, url) = try PresetLibrary.standard().load(preset)
        let path = url.path
        let conv = try preset.conv1d(as: Float.self)
        let rate = preset.sampleRate ?? 48000
        let inputPath = URL(fileURLWithPath: directory).appendingPathComponent("demo-input.wav").path
        let outputPath = URL(fileURLWithPath: directory).appendingPathComponent("demo-output.wav").path
        guard conv.spec.inChannels == 2 else {
            throw ValidationError("the demo needs a 2-channel preset; \(preset.name) has in_channels=\(conv.spec.inChannels)")
        }

        let signal = Self.testSignal(rate: rate, seconds: seconds)
        try SndFileSink.writeFile(signal, to: inputPath, sampleFormat: .float, sampleRate: rate)

        let source = try SndFileSource(path: inputPath)
        try FilterPipeline.checkCompatible(source, spec: conv.spec, presetRate: preset.sampleRate)
        let outRate = try FilterPipeline.outputRate(inputRate: rate, stride: conv.spec.stride)
        let sink = try SndFileSink(
            path: outputPath, format: SndFileSink.chooseFormat(path: outputPath, inputFormat: source.format, sampleFormat: nil),
            channels: conv.spec.outChannels, sampleRate: outRate)
        let summary = try FilterPipeline.run(source: source, sink: sink, conv: conv, mode: .blocks(4096))

        print("preset:  \(preset.name) (\(path))")
        print("         \(conv.spec)")
        print("input:   \(inputPath)  (left: 1 kHz + 12 kHz tones, right: 20 Hz–20 kHz sweep)")
        print("output:  \(outputPath)")
        print("summary: \(summary.line)")
        let output = try SndFileSource(path: outputPath).readAll()
        for frequency in [1000.0, 12000.0] {
            let before = Self.level(signal.channel(0), frequency: frequency, rate: rate)
            let after = Self.level(output.channel(0), frequency: frequency, rate: outRate)
            print(String(format: "tone %5.0f Hz: %6.1f dBFS in, %6.1f dBFS out (%+.1f dB)", frequency, before, after, after - before))
        }
    }

    /// Left: two tones; right: a logarithmic sweep.
    static func testSignal(rate: Int, seconds: Double) -> Signal<Float> {
        let frames = Int(seconds * Double(rate))
        let r = Double(rate)
        let (f0, f1) = (20.0, 20000.0)
        let k = log(f1 / f0) / seconds
        let left = (0..<frames).map { i -> Float in
            let t = Double(i) / r
            return Float(0.3 * sin(2 * .pi * 1000 * t) + 0.3 * sin(2 * .pi * 12000 * t))
        }
        let right = (0..<frames).map { i -> Float in
            let t = Double(i) / r
            return Float(0.5 * sin(2 * .pi * f0 * (exp(k * t) - 1) / k))
        }
        return Signal([left, right])
    }

    /// The level of one frequency in dBFS (Goertzel over the middle of the signal, Hann-windowed),
    /// scaled so a full-scale sine reads 0 dBFS.
    static func level(_ x: [Float], frequency: Double, rate: Int) -> Double {
        let start = x.count / 4
        let n = x.count / 2
        let w = 2 * Double.pi * frequency / Double(rate)
        var (re, im) = (0.0, 0.0)
        for i in 0..<n {
            let hann = 0.5 - 0.5 * cos(2 * Double.pi * Double(i) / Double(n - 1))
            let v = Double(x[start + i]) * hann
            re += v * cos(w * Double(i))
            im -= v * sin(w * Double(i))
        }
        let amplitude = 2 * (re * re + im * im).squareRoot() / (Double(n) * 0.5)
        return 20 * log10(max(amplitude, 1e-12))
    }
}
