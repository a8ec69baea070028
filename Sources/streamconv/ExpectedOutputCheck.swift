import Foundation
import StreamConv
import StreamConvIO
import StreamConvPresets

/// `verify --input IN --expect OUT`: runs the filter on a given input and compares with a
/// given output (one PyTorch produced, say), in units of the float32 rounding bound
/// γₙ·Σ|terms| (Higham §3.1; n = terms per output), computed per output from the input and
/// the weights. Each of the two results is within γₙ·Σ|terms| of the exact sum, so they may
/// differ by twice that: a worst ratio above 2 fails.
struct ExpectedOutputCheck {
    let preset: Preset
    let input: String
    let expect: String
    /// The engine checked (`--engine`); the FFT engine is held to its own bound.
    var engine: Conv1dEngineChoice = .auto
    /// The arithmetic checked (`--arithmetic`): a fused term rounds once, so the same bound holds.
    var arithmetic: Conv1dArithmetic = .unfused

    /// Reads `.npy` ((C, L) or (1, C, L), float32 or float64) or any audio file libsndfile reads.
    static func signal(_ path: String) throws -> Signal<Double> {
        if path.lowercased().hasSuffix(".npy") {
            let tensor = try TensorFile.npy(contentsOf: path)
            var shape = tensor.shape
            if shape.count == 3 && shape[0] == 1 { shape.removeFirst() }
            guard shape.count == 2 else {
                throw CheckError("\(path): shape \(tensor.shape) is not (channels, frames) or (1, channels, frames)")
            }
            let values = tensor.values(as: Double.self)
            return Signal((0..<shape[0]).map { c in Array(values[(c * shape[1])..<((c + 1) * shape[1])]) })
        }
        let file = try SndFileSource(path: SystemPath.fromArgument(path))
        let x = try file.readAll()
        return Signal(x.channelArrays.map { $0.map(Double.init) })
    }

    /// The report line, and whether the output is within the bound.
    func run() throws -> (line: String, passed: Bool) {
        let x = try Self.signal(input)
        let expected = try Self.signal(expect)
        // A filter acting on each channel alone takes the input's channel count, as run does.
        let filter = try preset.resolve(channels: x.channels, engine: engine, arithmetic: arithmetic)
        let float = try filter.conv1d(as: Float.self)
        let spec = float.spec
        var y = try float.forward(Signal(x.channelArrays.map { $0.map { Float($0) } }))
        if !preset.keepsTail { y = y.slice(0..<min(y.frames, spec.outputsBeforeTail(inputLength: x.frames))) }
        guard y.channels == expected.channels, y.frames == expected.frames else {
            throw CheckError("\(expect) has shape (\(expected.channels), \(expected.frames)) but the filter gives (\(y.channels), \(y.frames)) for \(input)")
        }
        // The weights in Double, for the bounds (direct: no FFT spectra are made just to read them).
        let w = try preset.resolve(channels: x.channels, engine: .direct).conv1d(as: Double.self).weights
        let engine = float.engine.details
        if let normBound = engine.normBound {
            return compare(y, expected, bound: "on the FFT engine", units: String(format: "its bound %g·u·‖h‖₂·‖x‖₂", normBound),
                           bounds: normBounds(engine, spec: spec, weights: w, x: x))
        }
        // Σ|terms|: the same convolution with |weights| and |bias| on |x| (padding copies
        // input samples, so |padded x| is the padding of |x|).
        let magnitude = Conv1d(spec: spec, weights: try Conv1dWeights(spec: spec, weight: w.weight.map(abs), bias: w.bias.map { $0.map(abs) }), engine: .direct)
        let sums = try magnitude.forward(Signal(x.channelArrays.map { $0.map(abs) }))
        let n = Double(spec.inChannelsPerGroup * spec.kernelSize + (spec.bias ? 1 : 0))
        let u = Double(Float.unitRoundoff)
        let gamma = n * u / (1 - n * u)
        return compare(y, expected, bound: "", units: "the float32 bound γₙ·Σ|terms|") { c, t in gamma * sums[c, t] }
    }

    /// The worst |y − expected| in units of `bounds(channel, frame)` plus the expected value's
    /// own float32 rounding (u·|e|, it was stored in float32 too), and the report line. Each
    /// side within its bound: a ratio above 2 fails.
    func compare(_ y: Signal<Float>, _ expected: Signal<Double>, bound engine: String, units: String, bounds: (Int, Int) -> Double) -> (line: String, passed: Bool) {
        let u = Double(Float.unitRoundoff)
        var worst = (ratio: 0.0, channel: 0, frame: 0)
        for c in 0..<y.channels {
            for t in 0..<y.frames {
                let error = abs(Double(y[c, t]) - expected[c, t])
                let bound = bounds(c, t) + u * abs(expected[c, t])
                let ratio = error == 0 ? 0 : (bound > 0 ? error / bound : .infinity)
                if ratio > worst.ratio || ratio.isNaN { worst = (ratio, c, t) }
            }
        }
        let passed = worst.ratio <= 2
        let line = String(format: "%@: %d outputs × %d channels%@, worst difference %.3g of %@ (channel %d, frame %d); ",
                          preset.name, y.frames, y.channels, engine.isEmpty ? "" : " " + engine, worst.ratio, units, worst.channel, worst.frame)
            + (passed ? "within the bound (≤ 2)" : "beyond the bound (> 2): the filter or the expected output differs")
        return (line, passed)
    }

    /// The FFT engine's error is bounded against norms, not per term: B·u·‖h‖₂·‖x‖₂ over the
    /// samples from `reach` before an output's receptive field to its end
    /// (``Conv1dEngineDescription/normBound``).
    func normBounds(_ engine: Conv1dEngineDescription, spec: Conv1dSpec, weights w: Conv1dWeights<Double>, x: Signal<Double>) -> (Int, Int) -> Double {
        let length = x.frames
        let padded = spec.padLeft + length + spec.padRight
        // Prefix sums of x² over the padded signal, per input channel.
        let energy: [[Double]] = (0..<spec.inChannels).map { c in
            var sums = [0.0]
            sums.reserveCapacity(padded + 1)
            for j in 0..<padded {
                let v = spec.paddingMode.sourceIndex(padded: j, length: length, padLeft: spec.padLeft).map { Double(Float(x[c, $0])) } ?? 0
                sums.append(sums[j] + v * v)
            }
            return sums
        }
        let perFilter = spec.inChannelsPerGroup * spec.kernelSize
        let norms = (0..<spec.outChannels).map { o in
            w.weight[(o * perFilter)..<((o + 1) * perFilter)].reduce(0) { $0 + $1 * $1 }.squareRoot()
        }
        let scale = (engine.normBound ?? 0) * Double(Float.unitRoundoff)
        return { o, t in
            let g = o / spec.outChannelsPerGroup
            var window = 0.0
            for i in 0..<spec.inChannelsPerGroup {
                let e = energy[g * spec.inChannelsPerGroup + i]
                window += e[t + spec.receptiveField] - e[max(0, t - engine.reach)]
            }
            return scale * norms[o] * max(0, window).squareRoot()
        }
    }
}

/// An input or expected output that cannot be compared.
struct CheckError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
