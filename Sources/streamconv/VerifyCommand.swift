import ArgumentParser
import StreamConv
import StreamConvPresets

/// `streamconv verify`: checks the chunking contract for one preset.
struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check that every chunking of random signals matches the whole-signal call bit for bit.",
        discussion: """
            Each trial draws a random signal (lengths from the shortest the filter accepts to \
            a few thousand frames) and a random chunking (1-frame chunks, empty chunks, sizes \
            unaligned to the stride, one whole chunk), streams it in Float and in Double, and \
            compares with Conv1d.forward. Exits 1 on the first difference.
            """
    )

    @OptionGroup var presetOptions: PresetOptions

    @Option(parsing: .unconditional, help: "Number of random signals and chunkings.")
    var trials = 100

    @Option(help: "Seed for the random signals and chunkings.")
    var seed: UInt64 = 1

    @Option(name: [.long, .customShort("i")], help: ArgumentHelp("An input to filter (.npy of shape (C, L) or (1, C, L), or an audio file); with --expect.", valueName: "file"), completion: .file(extensions: ["npy", "wav", "flac"]))
    var input: String?

    @Option(name: [.long, .customShort("e")], help: ArgumentHelp("The output expected for --input (e.g. PyTorch's), compared within float32 rounding.", valueName: "file"), completion: .file(extensions: ["npy", "wav", "flac"]))
    var expect: String?

    @Option(help: ArgumentHelp("With --input/--expect on a network: the arithmetic compared, float (tolerance 1e-4 of the peak) or double (1e-10).", valueName: "type"))
    var precision: Precision = .float

    @Option(name: .customLong("max-memory"), help: ArgumentHelp("Refuse plans needing more memory than this (e.g. 4G); default half the RAM.", valueName: "size"))
    var maxMemory: ByteCount?

    @Option(help: ArgumentHelp("Progress bar on stderr: auto (on a terminal, after a second), always, never.", valueName: "when"))
    var progress: ProgressMode = .auto

    func validate() throws {
        if (input == nil) != (expect == nil) { throw ValidationError("give --input and --expect together") }
        if trials < 1 { throw ValidationError("--trials must be at least 1, got \(trials)") }
        if trials > 1_000_000 { throw ValidationError("--trials must be at most 1000000, got \(trials)") }
    }

    func run() throws {
        let preset: Preset
        switch try presetOptions.loadDocument().document {
        case let .network(network):
            try verify(network)
            return
        case let .filter(loaded):
            preset = loaded
        }
        if let input, let expect {
            let (line, passed) = try ExpectedOutputCheck(preset: preset, input: input, expect: expect, engine: presetOptions.engine, arithmetic: presetOptions.arithmetic).run()
            print(line)
            if !passed { throw ExitCode(1) }
            return
        }
        let spec = preset.spec
        var rng = SeededGenerator(seed: seed)
        let shortest = spec.minimumInputLength
        let longest = Saturating.sum([shortest, max(2000, Saturating.product([4, spec.receptiveField]))])
        // Float and Double: weights, a stream, the signal, its padded copy and the output.
        let perScalar = Saturating.sum([
            spec.weightBytes(scalarSize: 1), spec.streamBytes(maxFrames: 4096, scalarSize: 1),
            spec.forwardBytes(inputLength: longest, scalarSize: 1), Saturating.product([3, longest, spec.inChannels + spec.outChannels]),
        ])
        // The engines once each, Float and Double (a trial's stream is made from them).
        let engines = Saturating.sum([4, 8].map { spec.engineBytes(choice: presetOptions.engine, maxFrames: 4096, scalarSize: $0) })
        try MemoryBudget(option: maxMemory).check(Saturating.sum([Saturating.product([perScalar, 12]), engines]), for: "verifying \(spec) on signals of up to \(longest) frames")
        let filter = try preset.resolve(engine: presetOptions.engine, arithmetic: presetOptions.arithmetic)
        let float = try filter.conv1d(as: Float.self)
        let double = try filter.conv1d(as: Double.self)
        var checked = 0
        let bar = ProgressBar(counting: trials, unit: "trials", mode: progress)
        defer { bar.clear() }
        for trial in 1...trials {
            bar.update(Int64(trial - 1))
            let length = trial == 1 ? shortest : Int.random(in: shortest...longest, using: &rng)
            let maxFrames = [1, 7, 64, 4096].randomElement(using: &rng)!
            let sizes = ChunkEquivalence.randomChunking(length: length, using: &rng)
            let xd = Signal<Double>((0..<spec.inChannels).map { _ in (0..<length).map { _ in Double.random(in: -1..<1, using: &rng) } })
            let xf = Signal<Float>(xd.channelArrays.map { $0.map { Float($0) } })
            var sf = float.makeStream(maxFrames: maxFrames)
            var sd = double.makeStream(maxFrames: maxFrames)
            let mismatch = ChunkEquivalence.check(&sf, signal: xf, expected: Result { try float.forward(xf) }, chunkSizes: sizes)
                ?? ChunkEquivalence.check(&sd, signal: xd, expected: Result { try double.forward(xd) }, chunkSizes: sizes)
            if let mismatch {
                throw VerifyFailure(preset: preset.name, trial: trial, length: length, mismatch: mismatch)
            }
            checked += 1
        }
        print("\(preset.name): \(checked)/\(trials) random chunkings matched the whole-signal call bit for bit (Float and Double, lengths \(shortest)–\(longest) frames, \(spec))")
    }
}

/// A chunking that did not match.
struct VerifyFailure: Error, CustomStringConvertible {
    let preset: String
    let trial: Int
    let length: Int
    let mismatch: ChunkMismatch

    var description: String {
        "\(preset): trial \(trial) (\(length) frames) differs from the whole-signal call: \(mismatch)"
    }
}
