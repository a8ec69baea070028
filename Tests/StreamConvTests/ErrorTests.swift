@testable import StreamConv
import Testing

/// Every error PyTorch raises, raised here with the numbers involved, by the whole-signal and
/// the streaming path alike.
@Suite struct ErrorTests {
    @Test func groupsMustDivideChannels() {
        #expect(throws: Conv1dError.groupsDoNotDivide(channels: "in_channels", count: 3, groups: 2)) {
            try Conv1dSpec(inChannels: 3, outChannels: 4, kernelSize: 3, groups: 2)
        }
        #expect(throws: Conv1dError.groupsDoNotDivide(channels: "out_channels", count: 3, groups: 2)) {
            try Conv1dSpec(inChannels: 4, outChannels: 3, kernelSize: 3, groups: 2)
        }
    }

    @Test func sameRefusedWithStride() {
        #expect(throws: Conv1dError.sameWithStride(stride: 2)) {
            try Conv1dSpec(inChannels: 1, outChannels: 1, kernelSize: 3, stride: 2, padding: .same)
        }
    }

    @Test(arguments: ["in_channels", "out_channels", "kernel_size", "stride", "dilation", "groups"])
    func nonPositiveSizesRefused(parameter: String) {
        var p = ["in_channels": 2, "out_channels": 2, "kernel_size": 3, "stride": 1, "dilation": 1, "groups": 1]
        p[parameter] = parameter == "kernel_size" ? -1 : 0
        #expect(throws: Conv1dError.nonPositive(parameter: parameter, value: p[parameter]!)) {
            try Conv1dSpec(
                inChannels: p["in_channels"]!, outChannels: p["out_channels"]!, kernelSize: p["kernel_size"]!,
                stride: p["stride"]!, dilation: p["dilation"]!, groups: p["groups"]!)
        }
    }

    @Test func absurdSizesAreErrorsNotOverflows() {
        let limit = Conv1dSpec.maximumSize
        #expect(throws: Conv1dError.tooLarge(parameter: "kernel_size", value: 1 << 40, limit: limit)) {
            try Conv1dSpec(inChannels: 1, outChannels: 1, kernelSize: 1 << 40)
        }
        #expect(throws: Conv1dError.tooLarge(parameter: "padding", value: Int.max, limit: limit)) {
            try Conv1dSpec(inChannels: 1, outChannels: 1, kernelSize: 1, padding: .samples(Int.max))
        }
        #expect(throws: Conv1dError.tooLarge(parameter: "receptive field dilation·(kernel_size−1)+1", value: 65536 * 65535 + 1, limit: limit)) {
            try Conv1dSpec(inChannels: 1, outChannels: 1, kernelSize: 65536, dilation: 65536)
        }
        #expect(throws: Conv1dError.self) { try Conv1dSpec(inChannels: 70000, outChannels: 70000, kernelSize: 1) }
        // Three factors each below 2^31 overflow 64 bits together: an error, not a trap.
        let huge = Int(Int32.max)
        #expect(throws: Conv1dError.tooLarge(parameter: "weight count out_channels·in_channels/groups·kernel_size", value: Int.max, limit: limit)) {
            try Conv1dSpec(inChannels: huge, outChannels: huge, kernelSize: huge)
        }
        #expect(Conv1dError.tooLarge(parameter: "x", value: Int.max, limit: limit).description == "x is beyond 2^63, more than the \(limit) this implementation supports")
    }

    @Test func negativePaddingRefused() {
        #expect(throws: Conv1dError.negativePadding(-1)) {
            try Conv1dSpec(inChannels: 1, outChannels: 1, kernelSize: 3, padding: .samples(-1))
        }
    }

    /// Runs both paths on `length` samples and expects `error` from each (from `finish` when streaming).
    func expectBoth(_ spec: Conv1dSpec, length: Int, _ error: Conv1dError) throws {
        let conv = Conv1d<Float>(spec: spec, seed: 1)
        let x = Signal<Float>(channels: spec.inChannels, frames: length, repeating: 0.5)
        #expect(throws: error) { try conv.forward(x) }
        var stream = conv.makeStream(maxFrames: 2)
        _ = try stream.process(x)
        #expect(throws: error) { try stream.finish() }
        if length > 0 { #expect(error.description.contains("\(length)"), "message names the input length: \(error)") }
    }

    @Test func kernelWiderThanPaddedInput() throws {
        let spec = try Conv1dSpec(inChannels: 1, outChannels: 1, kernelSize: 5, padding: .samples(1))
        try expectBoth(spec, length: 2, .inputTooShort(paddedLength: 4, receptiveField: 5, inputLength: 2))
        let dilated = try Conv1dSpec(inChannels: 1, outChannels: 1, kernelSize: 3, dilation: 4)
        try expectBoth(dilated, length: 8, .inputTooShort(paddedLength: 8, receptiveField: 9, inputLength: 8))
    }

    @Test func reflectPaddingMustBeShorterThanInput() throws {
        let spec = try Conv1dSpec(inChannels: 2, outChannels: 1, kernelSize: 1, padding: .samples(3), paddingMode: .reflect)
        try expectBoth(spec, length: 3, .reflectPaddingTooLarge(left: 3, right: 3, inputLength: 3))
        try expectBoth(spec, length: 1, .reflectPaddingTooLarge(left: 3, right: 3, inputLength: 1))
        // 'same' pads asymmetrically: the right side alone can be too wide.
        let same = try Conv1dSpec(inChannels: 1, outChannels: 1, kernelSize: 4, padding: .same, paddingMode: .reflect)
        #expect(same.padLeft == 1 && same.padRight == 2)
        try expectBoth(same, length: 2, .reflectPaddingTooLarge(left: 1, right: 2, inputLength: 2))
    }

    @Test func circularPaddingMayWrapOnce() throws {
        let spec = try Conv1dSpec(inChannels: 1, outChannels: 1, kernelSize: 1, padding: .samples(4), paddingMode: .circular)
        try expectBoth(spec, length: 3, .circularPaddingTooLarge(left: 4, right: 4, inputLength: 3))
        // Exactly the input length is allowed, as in PyTorch.
        let conv = Conv1d<Float>(spec: spec, seed: 1)
        #expect(try conv.forward(Signal(channels: 1, frames: 4, repeating: 1)).frames == 12)
    }

    @Test func wrongChannelCount() throws {
        let spec = try Conv1dSpec(inChannels: 16, outChannels: 33, kernelSize: 3, stride: 2)
        let conv = Conv1d<Float>(spec: spec, seed: 1)
        let error = Conv1dError.channelMismatch(expected: 16, got: 8, groups: 1)
        #expect(throws: error) { try conv.forward(Signal(channels: 8, frames: 50)) }
        var stream = conv.makeStream()
        #expect(throws: error) { try stream.process(Signal(channels: 8, frames: 50)) }
        #expect(error.description.contains("16") && error.description.contains("8"))
    }

    /// The spec's minimum length is the first length validation accepts (test formula kept independent).
    @Test func minimumInputLengthIsTheBoundary() throws {
        var rng = SeededGenerator(seed: 21)
        for _ in 0..<300 {
            let spec = randomSpec(using: &rng)
            #expect(spec.minimumInputLength == minimumLength(spec))
            #expect(throws: Conv1dError.self) { try spec.validateInputLength(spec.minimumInputLength - 1) }
            try spec.validateInputLength(spec.minimumInputLength)
        }
    }

    @Test func emptyInput() throws {
        let spec = try Conv1dSpec(inChannels: 1, outChannels: 1, kernelSize: 1, padding: .samples(2))
        try expectBoth(spec, length: 0, .emptyInput)
    }

    @Test func weightAndBiasShapes() throws {
        let spec = try Conv1dSpec(inChannels: 16, outChannels: 33, kernelSize: 3)
        let nested = [[[Float]]](repeating: [[Float]](repeating: [0, 0, 0, 0], count: 16), count: 33)
        let error = Conv1dError.weightShape(expected: [33, 16, 3], got: [33, 16, 4])
        #expect(throws: error) { try Conv1dWeights(spec: spec, weight: nested, bias: nil) }
        #expect(error.description == "weight: expected [33][16][3], got [33][16][4]")
        let flat = [Float](repeating: 0, count: 33 * 16 * 3)
        #expect(throws: Conv1dError.biasShape(expected: 33, got: nil)) { try Conv1dWeights(spec: spec, weight: flat, bias: nil) }
        #expect(throws: Conv1dError.biasShape(expected: 33, got: 2)) { try Conv1dWeights(spec: spec, weight: flat, bias: [1, 2]) }
        let noBias = try Conv1dSpec(inChannels: 16, outChannels: 33, kernelSize: 3, bias: false)
        #expect(throws: Conv1dError.biasShape(expected: nil, got: 33)) {
            try Conv1dWeights(spec: noBias, weight: flat, bias: [Float](repeating: 0, count: 33))
        }
    }

    @Test func raggedBatch() throws {
        #expect(throws: Conv1dError.raggedBatch(index: 1, expected: [1, 4], got: [1, 5])) {
            try SignalBatch<Float>([Signal(channels: 1, frames: 4), Signal(channels: 1, frames: 5)])
        }
    }

    @Test func streamUsageErrors() throws {
        let spec = try Conv1dSpec(inChannels: 1, outChannels: 1, kernelSize: 3)
        var stream = Conv1d<Float>(spec: spec, seed: 1).makeStream(maxFrames: 8)
        var tooSmall = Signal<Float>(channels: 1, capacity: 2)
        #expect(throws: Conv1dError.outputCapacity(needed: 6, capacity: 2)) {
            try stream.process(Signal(channels: 1, frames: 8), into: &tooSmall)
        }
        _ = try stream.process(Signal(channels: 1, frames: 8))
        _ = try stream.finish()
        #expect(throws: Conv1dError.streamFinished) { try stream.process(Signal(channels: 1, frames: 1)) }
        #expect(throws: Conv1dError.streamFinished) { try stream.finish() }
        stream.reset()
        #expect(try stream.process(Signal(channels: 1, frames: 3)).frames == 1)
    }
}

/// Memory estimates from the spec alone, with independent arithmetic (issue 5, items 2, 23).
@Suite struct MemoryEstimateTests {
    @Test func estimatesCountWhatIsAllocated() throws {
        let spec = try Conv1dSpec(inChannels: 4, outChannels: 6, kernelSize: 5, stride: 2, padding: .samples(3), dilation: 2, groups: 2)
        // weight 6·2·5 + bias 6 = 66 floats.
        #expect(spec.weightBytes(scalarSize: 4) == 66 * 4)
        // padded 3+100+3 = 106 frames × 4 channels, outputs (106−9)/2+1 = 49 × 6 channels.
        #expect(spec.forwardBytes(inputLength: 100, scalarSize: 8) == (106 * 4 + 49 * 6) * 8)
        // History 2·(8+64) (the kept samples and a chunk, mirrored), zeros padding keeps 2,
        // scratch 3 → 149 frames × 4; outputs (6+64)/2+1 = 36 × 6.
        #expect(spec.streamBytes(maxFrames: 64, scalarSize: 4) == (149 * 4 + 36 * 6) * 4)
    }

    /// The engines' memory, estimated from the spec before anything is made, is what the
    /// engine and a stream then hold, counted from their buffers: the FFT engine's spectra,
    /// tables and partition state, a strided direct engine's phase rows, a circular head's
    /// workspace; Float and Double; random shapes, long and short.
    @Test func engineEstimatesCountWhatEnginesHold() throws {
        var rng = SeededGenerator(seed: 61)
        for trial in 0..<40 {
            let layouts = [(1, 1, 1), (2, 2, 2), (2, 4, 1), (3, 3, 3)]
            let (cin, cout, groups) = layouts.randomElement(using: &rng)!
            let spec = try Conv1dSpec(
                inChannels: cin, outChannels: cout, kernelSize: [3, 200, 1100, 5000, 20000].randomElement(using: &rng)!,
                stride: [1, 1, 2].randomElement(using: &rng)!, padding: .samples(Int.random(in: 0...300, using: &rng)),
                dilation: [1, 1, 3].randomElement(using: &rng)!, groups: groups,
                paddingMode: PaddingMode.allCases.randomElement(using: &rng)!)
            let choice = Conv1dEngineChoice.allCases.randomElement(using: &rng)!
            let maxFrames = [1, 64, 4096].randomElement(using: &rng)!
            func held<T: ConvScalar>(_: T.Type) -> Int {
                let conv = Conv1d<T>(spec: spec, weights: Conv1dWeights(defaultInitFor: spec, seed: 1), engine: choice)
                let stream = conv.makeStream(maxFrames: maxFrames)
                return conv.engine.derivedBytes + stream.engineBytes
            }
            #expect(spec.engineBytes(choice: choice, maxFrames: maxFrames, scalarSize: 4) == held(Float.self), "\(trial): \(spec) \(choice) \(maxFrames)")
            #expect(spec.engineBytes(choice: choice, maxFrames: maxFrames, scalarSize: 8) == held(Double.self), "\(trial): \(spec) \(choice) \(maxFrames) Double")
        }
        // A 65,536-tap filter's spectra dominate: far more than its weights.
        let long = try Conv1dSpec(inChannels: 2, outChannels: 2, kernelSize: 65536, groups: 2, bias: false)
        #expect(long.engineBytes(choice: .auto, maxFrames: 256, scalarSize: 4) > 4 * long.weightBytes(scalarSize: 4))
    }

    @Test func absurdSpecsSaturateInsteadOfTrapping() throws {
        let padded = try Conv1dSpec(inChannels: 1, outChannels: 1, kernelSize: 3, padding: .samples(2_000_000_000))
        #expect(padded.streamBytes(maxFrames: 4096, scalarSize: 4) > 16_000_000_000)
        let wide = try Conv1dSpec(inChannels: 1 << 30, outChannels: 1, kernelSize: 1, dilation: 1)
        #expect(wide.streamBytes(maxFrames: Int.max, scalarSize: 8) == Int.max)
        #expect(Saturating.product([1 << 40, 1 << 40]) == Int.max && Saturating.sum([Int.max, 1]) == Int.max)
    }
}

/// The core's own square root (it must not need libm) is the IEEE one, bit for bit.
@Suite struct ExactSquareRootTests {
    @Test func matchesTheHardwareSquareRoot() {
        var rng = SeededGenerator(seed: 4)
        let samples = Array(0...5000) + (0..<20000).map { _ in Int(rng.next() >> 33) } + [Int(Int32.max), 1 << 40, (1 << 52) - 1, 1 << 62]
        for n in samples {
            #expect(ExactSquareRoot.of(n).bitPattern == Double(n).squareRoot().bitPattern, "√\(n)")
        }
    }
}

/// Bit-exactness is judged on bits: `==` equates 0 and −0 and never equates NaNs.
@Suite struct BitwiseEqualityTests {
    @Test func zeroSignsAndNaNsAreToldApart() {
        let plus = Signal<Float>([[0, 1]])
        let minus = Signal<Float>([[-0.0, 1]])
        #expect(plus == minus)
        #expect(!plus.bitwiseEquals(minus))
        let nan = Signal<Double>([[.nan]])
        #expect(nan != nan)
        #expect(nan.bitwiseEquals(nan))
        #expect(!nan.bitwiseEquals(Signal([[Double(nan: 1, signaling: false)]])))
    }
}
