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
            run summary and, for each tone, its level before and after the filter and the \
            filter's response there computed from its taps. A tone at or above the output's \
            Nyquist frequency (a decimating preset) cannot be measured in the output; only the \
            computed response is shown for it.
            """
    )

    @Option(help: "Preset to apply (a 2-channel preset for 48 kHz).", completion: ShellCompletion.preset)
    var preset = "lowpass-4k"

    @Option(parsing: .unconditional, help: "Seconds of signal.")
    var seconds = 4.0

    @Option(name: .customLong("dir"), help: "Folder to write the two files into.", completion: .directory)
    var directory = "."

    /// The tones of the left channel.
    static let tones = [1000.0, 12000.0]

    func validate() throws {
        if !(seconds >= 0.2 && seconds <= 3600) { throw ValidationError("--seconds must be between 0.2 and 3600, got \(seconds)") }
    }

    func run() throws {
        let (loaded, url) = try PresetLibrary.standard(impulseResponses: ImpulseResponseFile.reader).load(preset)
        // The demo signal is stereo: a filter acting on each channel alone is widened to it.
        let filter = try loaded.resolve(channels: 2)
        let (preset, spec, rate) = (filter.preset, filter.spec, filter.rate)
        guard spec.inChannels == 2 else {
            throw ValidationError("the demo needs a 2-channel or single-channel preset; \(preset.name) has in_channels=\(preset.spec.inChannels)")
        }
        let outRate = try FilterPipeline.outputRate(inputRate: rate, stride: spec.stride)
        let frames = Int(seconds * Double(rate))
        try MemoryBudget(option: nil).check(
            Saturating.sum([spec.weightBytes(scalarSize: 4), spec.streamBytes(maxFrames: 4096, scalarSize: 4),
                            spec.engineBytes(choice: .auto, maxFrames: 4096, scalarSize: 4), Saturating.product([frames, 16])]),
            for: "the demo with \(spec)")
        let conv = try filter.conv1d(as: Float.self)
        let folder = SystemPath.fromArgument(directory)
        let inputPath = folder.appending(Array("demo-input.wav".utf8))
        let outputPath = folder.appending(Array("demo-output.wav".utf8))

        let signal = Self.testSignal(rate: rate, seconds: seconds)
        let inputSink = try SndFileSink(path: inputPath, sampleFormat: .f32, channels: 2, sampleRate: rate, frames: Int64(signal.frames))
        try inputSink.write(signal)
        try inputSink.commit()

        let source = try SndFileSource(path: inputPath)
        try FilterPipeline.checkCompatible(source, spec: conv.spec, presetRate: preset.sampleRate)
        let format = try Container.outputFormat(path: outputPath, type: nil, input: source.format, sampleFormat: nil, channels: conv.spec.outChannels, rate: outRate)
        var settings = SndFileSink.Settings(format: format)
        settings.expectedFrames = Int64(try conv.spec.outputLength(inputLength: signal.frames))
        let sink = try SndFileSink(output: OutputFile(path: outputPath), settings: settings, channels: conv.spec.outChannels, sampleRate: outRate)
        let summary = try FilterPipeline.run(source: source, sink: sink, stage: conv.makeStream(maxFrames: 4096), mode: .blocks(4096), keepTail: preset.keepsTail)

        print("preset:  \(preset.name) (\(url.path))")
        print("         \(conv.spec)")
        print("input:   \(inputPath)  (left: 1 kHz + 12 kHz tones, right: 20 Hz–20 kHz sweep)")
        print("output:  \(outputPath)")
        print("summary: \(summary.line)")
        let output = try SndFileSource(path: outputPath).readAll()
        for line in Self.toneReport(input: signal.channel(0), output: output.channel(0), rate: rate, outputRate: outRate, conv: conv) {
            print(line)
        }
    }

    /// One line per tone: measured levels where the output can represent the tone (below
    /// 90% of its Nyquist frequency), and the response computed from the taps.
    static func toneReport(input: [Float], output: [Float], rate: Int, outputRate: Int, conv: Conv1d<Float>) -> [String] {
        tones.map { frequency in
            let before = level(input, frequency: frequency, rate: rate)
            let response = String(format: "filter response %+.1f dB", responseDB(conv, frequency: frequency, rate: rate))
            let nyquist = Double(outputRate) / 2
            guard frequency < 0.9 * nyquist else {
                return String(format: "tone %5.0f Hz: %6.1f dBFS in; at or above the output's Nyquist frequency (%.0f Hz), not measurable after decimation; %@",
                              frequency, before, nyquist, response)
            }
            let after = level(output, frequency: frequency, rate: outputRate)
            return String(format: "tone %5.0f Hz: %6.1f dBFS in, %6.1f dBFS out (%+.1f dB); %@", frequency, before, after, after - before, response)
        }
    }

    /// |H(f)| in dB from input channel 0 to output channel 0, from the taps:
    /// `Σ_k w[0][0][k]·e^(−iωk)` (a cross-correlation has the same magnitude response).
    static func responseDB(_ conv: Conv1d<Float>, frequency: Double, rate: Int) -> Double {
        let spec = conv.spec
        let w = 2 * Double.pi * frequency / Double(rate)
        var (re, im) = (0.0, 0.0)
        for k in 0..<spec.kernelSize {
            let tap = Double(conv.weights.weight(out: 0, in: 0, tap: k, spec: spec))
            let phase = w * Double(k * spec.dilation)
            re += tap * cos(phase)
            im -= tap * sin(phase)
        }
        return 20 * log10(max((re * re + im * im).squareRoot(), 1e-12))
    }

    /// Left: two tones; right: a logarithmic sweep.
    static func testSignal(rate: Int, seconds: Double) -> Signal<Float> {
        let frames = Int(seconds * Double(rate))
        let r = Double(rate)
        let (f0, f1) = (20.0, 20000.0)
        let k = log(f1 / f0) / seconds
        let left = (0..<frames).map { i -> Float in
            let t = Double(i) / r
            return Float(tones.map { 0.3 * sin(2 * .pi * $0 * t) }.reduce(0, +))
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
