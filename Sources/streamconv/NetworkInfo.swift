import ArgumentParser
import Foundation
import StreamConv
import StreamConvIO
import StreamConvPresets

extension InfoCommand {
    /// `info` of a network: the graph as a table (node, op, inputs, channels, rate, latency,
    /// parameters), then the totals.
    func describe(_ network: NetworkPreset, path: String) throws {
        let rate = rate ?? network.sampleRate ?? Preset.designRate
        if let channels, channels != network.inChannels {
            throw ValidationError("--channels \(channels): this network takes exactly \(network.inChannels) input channels")
        }
        if let fixed = network.sampleRate, fixed != rate { throw ValidationError("--rate \(rate): the network was trained at \(fixed) Hz") }
        let graph = try presetOptions.graph(network, as: Float.self, rate: rate)
        let summary = NetworkSummary(graph)
        if let plot {
            let responses = try Self.impulseResponses(try presetOptions.graph(network, as: Double.self, rate: rate), rate: rate)
            let svg = ResponsePlot.svg(title: "\(network.name): network of \(graph.nodes.count) nodes", responses: responses, rate: rate)
            let output = try OutputFile(path: SystemPath.fromArgument(plot))
            try output.write(Array(svg.utf8))
            try output.commit()
        }
        let outRate = summary.ratio.outputRate(inputRate: rate)
        let macsPerSecond = summary.multiplyAddsPerFrame * Double(rate)
        if json {
            let rows: [[String: Any]] = summary.rows.map { row in
                ["name": row.name, "op": row.op, "inputs": row.inputs, "in_channels": row.inputChannels, "out_channels": row.outputChannels,
                 "rate_ratio": row.ratio.description, "latency_frames": row.latency, "parameters": row.parameters,
                 "multiply_adds_per_frame": row.multiplyAdds, "detail": row.detail]
            }
            let facts: [String: Any] = [
                "name": network.name, "description": network.description, "in_channels": network.inChannels,
                "out_channels": graph.outputChannels, "sample_rate": rate, "output_rate": outRate, "rate_ratio": summary.ratio.description,
                "latency_frames": summary.latency, "latency_ms": Double(summary.latency) * 1000 / Double(rate),
                "receptive_field": summary.receptiveField, "parameters": summary.parameters,
                "multiply_adds_per_second": macsPerSecond, "nodes": rows,
            ]
            let data = try JSONSerialization.data(withJSONObject: facts, options: [.prettyPrinted, .sortedKeys])
            print(String(decoding: data, as: UTF8.self))
            return
        }
        print("name:          \(network.name)")
        if !network.description.isEmpty { print("description:   \(network.description)") }
        print("file:          \(path)")
        if let weights = network.weights { print("weights from:  \(weights) (every tensor checked)") }
        var table = [["node", "op", "inputs", "channels", "rate", "latency", "parameters", ""]]
        for row in summary.rows {
            table.append([row.name, row.op, row.inputs.joined(separator: ", "), "\(row.inputChannels) → \(row.outputChannels)",
                          row.ratio.description, String(format: "%g", row.latency), "\(row.parameters)", row.detail])
        }
        let widths = (0..<8).map { c in table.map { $0[c].count }.max()! }
        for row in table {
            print("  " + (0..<8).map { row[$0].padding(toLength: widths[$0], withPad: " ", startingAt: 0) }.joined(separator: "  ").trimmingCharacters(in: .whitespaces))
        }
        print("channels:      \(network.inChannels) in, \(graph.outputChannels) out")
        print("sample rate:   \(rate) Hz in, \(String(format: "%g", outRate)) Hz out" + (network.sampleRate != nil ? " (fixed by the preset)" : ""))
        print("latency:       \(summary.latency) input frames (\(String(format: "%.2f", Double(summary.latency) * 1000 / Double(rate))) ms)")
        print("receptive field: \(summary.receptiveField) input frames")
        print("parameters:    \(summary.parameters)")
        print("compute:       \(String(format: "%.3g", macsPerSecond)) multiply-adds per second of audio at \(rate) Hz")
    }
}

extension InfoCommand {
    /// The (output, input) responses of a linear, time-invariant network (the first 16 pairs):
    /// an impulse on each input channel in the middle of a signal twice the receptive field
    /// long, so every output it reaches is computed, and each output channel's whole output
    /// as the filter (the zeros and the shift around it leave the magnitude as it is).
    /// - Throws: ``PlotError`` naming the first node that is not linear or changes the rate.
    static func impulseResponses(_ graph: NetworkGraph<Double>, rate: Int) throws -> [FilterResponse] {
        for node in graph.nodes {
            switch node.op {
            case let .conv1d(conv) where conv.spec.stride == 1 && conv.spec.paddingMode == .zeros: continue
            case let .pad(_, _, mode, value) where mode == .zeros && value == 0: continue
            case .add, .cat, .slice, .delay, .pointwise(.gain): continue
            default:
                throw PlotError.notLinear(node: node.name, op: node.op.name)
            }
        }
        let field = NetworkSummary(graph).receptiveField
        let length = 2 * field + 1
        var responses: [FilterResponse] = []
        var network = Network(graph, maxFrames: 4096)
        outer: for i in 0..<graph.inputChannels {
            var x = Signal<Double>(channels: graph.inputChannels, frames: length)
            x[i, field] = 1
            let outputs = try network.forward(x).channelArrays
            for (o, taps) in outputs.enumerated() {
                if responses.count == 16 { break outer }
                responses.append(FilterResponse(output: o, input: i, taps: taps, dilation: 1, rate: rate))
            }
        }
        return responses
    }
}

extension VerifyCommand {
    /// `verify` of a network: random signals and chunkings, bit for bit against the
    /// whole-signal call, in Float and Double.
    func verify(_ network: NetworkPreset) throws {
        let rate = network.sampleRate ?? Preset.designRate
        if let input, let expect {
            let x = try ExpectedOutputCheck.signal(input)
            let expected = try ExpectedOutputCheck.signal(expect)
            let y: Signal<Double>
            if precision == .double {
                var net = Network(try presetOptions.graph(network, as: Double.self, rate: rate))
                y = try net.forward(x)
            } else {
                var net = Network(try presetOptions.graph(network, as: Float.self, rate: rate))
                y = Signal(try net.forward(Signal(x.channelArrays.map { $0.map { Float($0) } })).channelArrays.map { $0.map(Double.init) })
            }
            guard y.channels == expected.channels, y.frames == expected.frames else {
                throw CheckError("\(expect) has shape (\(expected.channels), \(expected.frames)) but the network gives (\(y.channels), \(y.frames)) for \(input)")
            }
            // Rounding compounds through layers and nonlinearities: the bound is relative to the
            // output's peak (what the PyTorch fixtures measure: ≤ 2e-5 in float32, ≤ 1e-12 in double).
            let tolerance = precision == .double ? 1e-10 : 1e-4
            var (worst, peak, at) = (0.0, 0.0, (0, 0))
            for c in 0..<y.channels {
                for t in 0..<y.frames {
                    peak = max(peak, expected[c, t].magnitude)
                    let e = (y[c, t] - expected[c, t]).magnitude
                    if e > worst || e.isNaN { (worst, at) = (e, (c, t)) }
                }
            }
            let relative = worst / max(peak, Double.leastNormalMagnitude)
            let passed = relative <= tolerance
            print(String(format: "%@: %d outputs × %d channels in %@, worst difference %.3g of the peak %.3g (channel %d, frame %d); ", network.name, y.frames, y.channels,
                         precision.rawValue, relative, peak, at.0, at.1) + (passed ? "within \(tolerance)" : "beyond \(tolerance): the network or the expected output differs"))
            if !passed { throw ExitCode(1) }
            return
        }
        let float = try presetOptions.graph(network, as: Float.self, rate: rate)
        let double = try presetOptions.graph(network, as: Double.self, rate: rate)
        let summary = NetworkSummary(float)
        // The shortest input some output needs; try lengths from there.
        let shortest = (1...max(1, summary.receptiveField * 4 + 64)).first { (try? float.outputLength(inputLength: $0)).map { $0 > 0 } ?? false } ?? 1
        let longest = Saturating.sum([shortest, max(2000, Saturating.product([4, summary.receptiveField]))])
        var rng = SeededGenerator(seed: seed)
        var checked = 0
        let bar = ProgressBar(counting: trials, unit: "trials", mode: progress)
        defer { bar.clear() }
        for trial in 1...max(1, trials) {
            bar.update(Int64(trial))
            let length = trial == 1 ? shortest : Int.random(in: shortest...longest, using: &rng)
            let maxFrames = [1, 7, 64, 4096].randomElement(using: &rng)!
            let sizes = ChunkEquivalence.randomChunking(length: length, using: &rng)
            let xd = Signal<Double>((0..<network.inChannels).map { _ in (0..<length).map { _ in Double.random(in: -1..<1, using: &rng) } })
            let xf = Signal<Float>(xd.channelArrays.map { $0.map { Float($0) } })
            var sf = Network(float, maxFrames: maxFrames)
            var sd = Network(double, maxFrames: maxFrames)
            let expectedF = Result { () throws(Conv1dError) in try sf.forward(xf) }.mapError { $0 as any Error }
            let expectedD = Result { () throws(Conv1dError) in try sd.forward(xd) }.mapError { $0 as any Error }
            let mismatch = ChunkEquivalence.check(&sf, signal: xf, expected: expectedF, chunkSizes: sizes)
                ?? ChunkEquivalence.check(&sd, signal: xd, expected: expectedD, chunkSizes: sizes)
            if let mismatch {
                throw VerifyFailure(preset: network.name, trial: trial, length: length, mismatch: mismatch)
            }
            checked += 1
        }
        print("\(network.name): \(checked)/\(trials) random chunkings matched the whole-signal call bit for bit (Float and Double, lengths \(shortest)–\(longest) frames, \(network.nodes.count) nodes)")
    }
}
