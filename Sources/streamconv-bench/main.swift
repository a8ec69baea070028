// streamconv-bench: throughput of the direct kernel, whole-signal against streamed.
//
// Baseline, measured in the same run for every configuration: one whole-signal
// `Conv1d.forward` call. Every other row prints its time as a ratio to that baseline
// (below 1 is faster). A second reference, "naive", is the textbook per-output scalar loop,
// to show what the direct kernel's output-tiled loop order buys.
// Run with scripts/bench (release build). Times are the median of several repetitions.
import Foundation
import StreamConv
import StreamConvPresets
import StreamConvTestSupport

struct Config {
    let name: String
    let spec: Conv1dSpec
    let frames: Int
}

func seconds(_ body: () throws -> Void) rethrows -> Double {
    let start = ContinuousClock.now
    try body()
    let d = ContinuousClock.now - start
    return Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
}

func median(_ repetitions: Int, _ body: () throws -> Void) rethrows -> Double {
    var times: [Double] = []
    for _ in 0..<repetitions { times.append(try seconds(body)) }
    return times.sorted()[times.count / 2]
}

/// The textbook loop: one output at a time, taps innermost (the bits test's reference).
func naive<T: ConvScalar>(_ conv: Conv1d<T>, _ x: Signal<T>) -> Signal<T> { try! PlainConvolution.forward(conv, x) }

func stream<T: ConvScalar>(_ conv: Conv1d<T>, _ x: Signal<T>, block: Int) throws -> Int {
    var s = conv.makeStream(maxFrames: block)
    var input = Signal<T>(channels: x.channels, capacity: block)
    var output = Signal<T>(channels: conv.spec.outChannels, capacity: s.maxOutputFramesPerChunk)
    var produced = 0
    var at = 0
    while at < x.frames {
        let n = min(block, x.frames - at)
        x.copyFrames(at..<(at + n), into: &input)
        try s.process(input, into: &output)
        produced += output.frames
        at += n
    }
    return produced + (try s.finish().tail.frames)
}

func run<T: ConvScalar>(_: T.Type, _ config: Config, blocks: [Int], withNaive: Bool) throws {
    let conv = Conv1d<T>(spec: config.spec, seed: 1)
    var rng = SeededGenerator(seed: 2)
    let x = Signal<T>((0..<config.spec.inChannels).map { _ in (0..<config.frames).map { _ in T(rng.nextUnit() - 0.5) } })
    var y = try conv.forward(x)
    let baseline = try median(5) { y = try conv.forward(x) }
    let macs = Double(y.frames * config.spec.outChannels * config.spec.inChannelsPerGroup * config.spec.kernelSize)
    let perSample = baseline / Double(config.frames) * 1e9
    print(String(format: "%-34@ %-6@ whole (baseline) %8.2f ms  %6.2f GMAC/s  %7.1f ns/input frame  %7.0f× real time at 48 kHz",
                 config.name as NSString, "\(T.self)" as NSString, baseline * 1000, macs / baseline / 1e9, perSample,
                 Double(config.frames) / 48000 / baseline))
    for block in blocks {
        let t = try median(block == 1 ? 1 : 3) { _ = try stream(conv, x, block: block) }
        print(String(format: "%-34@ %-6@ streamed, block %5d           ratio to baseline %.2f", "" as NSString, "" as NSString, block, t / baseline))
    }
    if withNaive {
        let t = median(1) { _ = naive(conv, x) }
        print(String(format: "%-34@ %-6@ naive per-output loop          ratio to baseline %.2f", "" as NSString, "" as NSString, t / baseline))
    }
}

let quick = CommandLine.arguments.contains("--quick")
let frames = quick ? 1 << 15 : 1 << 18
let configs = [
    Config(name: "FIR 63 taps, stereo depthwise, same",
           spec: try Conv1dSpec(inChannels: 2, outChannels: 2, kernelSize: 63, padding: .same, groups: 2, bias: false), frames: frames),
    Config(name: "FIR 255 taps, mono, same",
           spec: try Conv1dSpec(inChannels: 1, outChannels: 1, kernelSize: 255, padding: .same, bias: false), frames: frames),
    Config(name: "Conv1d(16, 33, 3, stride=2)",
           spec: try Conv1dSpec(inChannels: 16, outChannels: 33, kernelSize: 3, stride: 2), frames: frames / 8),
    Config(name: "Conv1d(64, 64, 7, dilation=4)",
           spec: try Conv1dSpec(inChannels: 64, outChannels: 64, kernelSize: 7, padding: .same, dilation: 4), frames: frames / 16),
    Config(name: "Conv1d(8, 8, 5, dilation=4, reflect)",
           spec: try Conv1dSpec(inChannels: 8, outChannels: 8, kernelSize: 5, padding: .same, dilation: 4, paddingMode: .reflect), frames: frames / 4),
]
if !CommandLine.arguments.contains("--workload") {
    print("streamconv-bench: \(frames) frames per FIR signal; times are medians; ratio = time / whole-signal time")
    for config in configs {
        try run(Float.self, config, blocks: [4096, 256, 64, 1], withNaive: true)
        try run(Double.self, config, blocks: [4096], withNaive: false)
    }
}

// Engines against each other on long FIRs (stereo depthwise, blocks of 256): the measured
// cost model behind `auto`. CPU time of this thread, median of 3.
func cpuSeconds(_ body: () throws -> Void) rethrows -> Double {
    var a = timespec(), b = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &a)
    try body()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &b)
    return Double(b.tv_sec - a.tv_sec) + Double(b.tv_nsec - a.tv_nsec) * 1e-9
}

if CommandLine.arguments.contains("--engines") {
    let seconds = quick ? 1 : 4
    print("engines: stereo depthwise FIR, \(seconds) s at 48 kHz, blocks of 256; CPU seconds, median of 3")
    for taps in [64, 128, 192, 256, 384, 512, 1024, 4096, 16384, 65536] {
        let spec = try Conv1dSpec(inChannels: 2, outChannels: 2, kernelSize: taps, padding: .samples(taps - 1), groups: 2, bias: false)
        var rng = SeededGenerator(seed: 9)
        let x = Signal<Float>((0..<2).map { _ in (0..<(48000 * seconds)).map { _ in Float(rng.nextUnit() - 0.5) } })
        let weights = Conv1dWeights<Float>(defaultInitFor: spec, seed: 1)
        var times: [String: Double] = [:]
        for engine in [Conv1dEngineChoice.direct, .fft] {
            let conv = Conv1d(spec: spec, weights: weights, engine: engine)
            if engine == .fft && conv.engine.name != "fft" { continue }
            if engine == .direct && taps > 16384 && !CommandLine.arguments.contains("--slow") { continue }
            var samples: [Double] = []
            for _ in 0..<3 { samples.append(try cpuSeconds { _ = try stream(conv, x, block: 256) }) }
            times[engine.rawValue] = samples.sorted()[1]
        }
        let d = times["direct"].map { String(format: "%8.3f s", $0) } ?? "       —  "
        let f = times["fft"].map { String(format: "%8.3f s", $0) } ?? "       —  "
        let ratio = times["direct"].flatMap { dt in times["fft"].map { String(format: "fft/direct %.2f", $0 / dt) } } ?? ""
        print(String(format: "%6d taps  direct %@  fft %@  %@", taps, d as NSString, f as NSString, ratio as NSString))
    }
}

// Per-call overhead of `process`: a 1-tap stereo stream (almost no arithmetic), blocks of 64
// frames, into a buffer made beforehand. Thread CPU time per call, median of 5.
if CommandLine.arguments.contains("--overhead") {
    let spec = try Conv1dSpec(inChannels: 2, outChannels: 2, kernelSize: 1, groups: 2, bias: false)
    let conv = Conv1d<Float>(spec: spec, seed: 1)
    var stream = conv.makeStream(maxFrames: 64)
    let input = Signal<Float>(channels: 2, frames: 64, repeating: 0.5)
    var output = Signal<Float>(channels: 2, capacity: stream.maxOutputFramesPerChunk)
    let calls = 200_000
    var samples: [Double] = []
    for _ in 0..<5 {
        samples.append(try cpuSeconds { for _ in 0..<calls { try stream.process(input, into: &output) } })
    }
    print(String(format: "overhead: %.0f ns per process call (1-tap stereo, 64-frame blocks)", samples.sorted()[2] / Double(calls) * 1e9))
}
// Machine-readable workloads for scripts/bench: `--workload NAME [--smoke]` prints one JSON
// object of thread CPU seconds, each the median of 5 runs after a warm-up run.
func workloadMedian(_ runs: Int, _ body: () throws -> Void) rethrows -> Double {
    try body()
    var samples: [Double] = []
    for _ in 0..<runs { samples.append(try cpuSeconds(body)) }
    return samples.sorted()[samples.count / 2]
}

func json(_ pairs: [(String, Double)]) -> String {
    "{" + pairs.map { "\"\($0.0)\": \($0.1)" }.joined(separator: ", ") + "}"
}

if let at = CommandLine.arguments.firstIndex(of: "--workload"), at + 1 < CommandLine.arguments.count {
    let smoke = CommandLine.arguments.contains("--smoke")
    let runs = smoke ? 1 : 5
    switch CommandLine.arguments[at + 1] {
    case "probe":
        // The machine's single-core peak for what the direct engine does: separate multiply
        // and add on this build's widest vectors, 12 independent chains (2 flops per lane), more
        // than the multiply and add latencies need to keep both units busy.
        typealias V = SIMD16<Float>
        let iterations = smoke ? 200_000 : 15_000_000
        var acc = (0..<12).map { V(repeating: Float($0) * 1e-3) }
        let m = V(repeating: 0.999_999), a = V(repeating: 1e-7)
        let t = workloadMedian(runs) {
            var (a0, a1, a2, a3, a4, a5) = (acc[0], acc[1], acc[2], acc[3], acc[4], acc[5])
            var (a6, a7, a8, a9, a10, a11) = (acc[6], acc[7], acc[8], acc[9], acc[10], acc[11])
            for _ in 0..<iterations {
                a0 = a0 * m + a; a1 = a1 * m + a; a2 = a2 * m + a; a3 = a3 * m + a
                a4 = a4 * m + a; a5 = a5 * m + a; a6 = a6 * m + a; a7 = a7 * m + a
                a8 = a8 * m + a; a9 = a9 * m + a; a10 = a10 * m + a; a11 = a11 * m + a
            }
            acc = [a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11]
        }
        let flops = Double(iterations) * 12 * 2 * Double(V.scalarCount)
        print(json([("seconds", t), ("gflops", flops / t / 1e9), ("checksum", Double(acc.map { $0.sum() }.reduce(0, +)))]))
    case "fir255":
        // The direct engine on the 255-tap FIR (stereo depthwise, 'same'), streamed in blocks.
        let frames = smoke ? 4800 : 48000 * 20
        let spec = try Conv1dSpec(inChannels: 2, outChannels: 2, kernelSize: 255, padding: .same, groups: 2, bias: false)
        let conv = Conv1d<Float>(spec: spec, seed: 1)
        var rng = SeededGenerator(seed: 2)
        let x = Signal<Float>((0..<2).map { _ in (0..<frames).map { _ in Float(rng.nextUnit() - 0.5) } })
        var pairs: [(String, Double)] = [("frames", Double(frames)), ("flops", 2 * 255 * 2 * Double(frames))]
        for block in [256, 1024, 4096] {
            pairs.append(("block\(block)", try workloadMedian(runs) { _ = try stream(conv, x, block: block) }))
        }
        print(json(pairs))
    case "dense", "strided":
        // B3: Conv1d(64, 64, 7, dilation=4), 20 s at 16 kHz, whole and in 160-frame blocks.
        // B4: Conv1d(16, 33, 3, stride=2), 20 s at 48 kHz, whole and in 960-frame blocks.
        let dense = CommandLine.arguments[at + 1] == "dense"
        let spec = dense
            ? try Conv1dSpec(inChannels: 64, outChannels: 64, kernelSize: 7, dilation: 4)
            : try Conv1dSpec(inChannels: 16, outChannels: 33, kernelSize: 3, stride: 2)
        let frames = (smoke ? 1 : 20) * (dense ? 16000 : 48000)
        let block = dense ? 160 : 960
        let conv = Conv1d<Float>(spec: spec, seed: 1)
        var rng = SeededGenerator(seed: 2)
        let x = Signal<Float>((0..<spec.inChannels).map { _ in (0..<frames).map { _ in Float(rng.nextUnit() - 0.5) } })
        let outputs = try spec.outputLength(inputLength: frames)
        let flops = 2 * Double(outputs * spec.outChannels * spec.inChannelsPerGroup * spec.kernelSize)
        var pairs: [(String, Double)] = [("frames", Double(frames)), ("flops", flops), ("block", Double(block))]
        // The dense layer also with `--arithmetic fused`, interleaved with the default.
        let fused = Conv1d<Float>(spec: spec, weights: conv.weights, arithmetic: .fused)
        for (suffix, conv) in dense ? [("", conv), ("_fused", fused)] : [("", conv)] {
            pairs.append(("whole" + suffix, try workloadMedian(runs) { _ = try conv.forward(x) }))
            pairs.append(("streamed" + suffix, try workloadMedian(runs) { _ = try stream(conv, x, block: block) }))
        }
        print(json(pairs))
    case "dense-kernel":
        // The direct kernel's rate alone on B3's layer: one chunk of N frames, processed again
        // and again (no input copy, no new output), in GFLOP/s, against `probe`'s peak;
        // `--workload dense-kernel 960 fused` with fused multiply-add.
        guard at + 2 < CommandLine.arguments.count, let n = Int(CommandLine.arguments[at + 2]), n > 0 else {
            print("dense-kernel needs a chunk size in frames: --workload dense-kernel 960")
            exit(2)
        }
        let arithmetic = at + 3 < CommandLine.arguments.count ? Conv1dArithmetic(rawValue: CommandLine.arguments[at + 3]) : .unfused
        guard let arithmetic else {
            print("dense-kernel's arithmetic is unfused or fused")
            exit(2)
        }
        let spec = try Conv1dSpec(inChannels: 64, outChannels: 64, kernelSize: 7, dilation: 4)
        let seeded = Conv1d<Float>(spec: spec, seed: 1)
        let conv = Conv1d<Float>(spec: spec, weights: seeded.weights, arithmetic: arithmetic)
        var rng = SeededGenerator(seed: 2)
        let x = Signal<Float>((0..<64).map { _ in (0..<n).map { _ in Float(rng.nextUnit() - 0.5) } })
        var st = conv.makeStream(maxFrames: n)
        var y = Signal<Float>(channels: 64, capacity: st.maxOutputFramesPerChunk)
        let calls = 300_000 / n
        let t = try workloadMedian(5) { for _ in 0..<calls { try st.process(x, into: &y) } }
        print(json([("gflops", Double(calls * n * 64 * 64 * 7 * 2) / t / 1e9)]))
    case "overhead":
        let spec = try Conv1dSpec(inChannels: 2, outChannels: 2, kernelSize: 1, groups: 2, bias: false)
        let conv = Conv1d<Float>(spec: spec, seed: 1)
        var stream = conv.makeStream(maxFrames: 64)
        let input = Signal<Float>(channels: 2, frames: 64, repeating: 0.5)
        var output = Signal<Float>(channels: 2, capacity: stream.maxOutputFramesPerChunk)
        let calls = smoke ? 2000 : 200_000
        let t = try workloadMedian(runs) { for _ in 0..<calls { try stream.process(input, into: &output) } }
        print(json([("ns_per_call", t / Double(calls) * 1e9)]))
    case "json":
        // An inline-weight preset of about 11.8 MB (Conv1d(128, 128, 55): 901,120 weights as
        // float32 shortest decimals): the JSON parse alone, and the whole preset with its
        // weights read as Float.
        let (cin, cout, k) = smoke ? (8, 8, 40) : (128, 128, 55)
        var rng = SeededGenerator(seed: 3)
        var text = "{\"name\": \"bench-json\", \"conv1d\": {\"in_channels\": \(cin), \"out_channels\": \(cout), \"kernel_size\": \(k)},\n\"weight\": ["
        for o in 0..<cout {
            text += o == 0 ? "[" : ",\n["
            for i in 0..<cin {
                text += (i == 0 ? "[" : ", [") + (0..<k).map { _ in "\(Float(rng.nextUnit() - 0.5) * 0.2)" }.joined(separator: ", ") + "]"
            }
            text += "]"
        }
        text += "],\n\"bias\": [" + (0..<cout).map { _ in "\(Float(rng.nextUnit() - 0.5))" }.joined(separator: ", ") + "]}\n"
        let bytes = Double(text.utf8.count)
        let parse = try workloadMedian(runs) { _ = try JSONValue.parse(text) }
        let load = try workloadMedian(runs) { _ = try Preset(json: text, defaultName: "bench").weights(as: Float.self) }
        print(json([("bytes", bytes), ("parse", parse), ("parse_mb_per_s", bytes / parse / 1e6), ("preset", load), ("preset_mb_per_s", bytes / load / 1e6)]))
    case "plan-costs":
        // The FFT engine's cost model (FFTCostModel): the transform pairs of every block size,
        // the direct head's cost per tap, then the engine itself on 1×1 filters of several
        // lengths under every candidate plan, from which the multiply-accumulate and per-class
        // constants are fitted by least squares; each plan's measured ns per frame is printed
        // beside the compiled-in model's, with the plan the model chooses marked.
        var pairsNs: [Double] = []
        for k in 6...15 {
            let size = 1 << k
            let fft = RealFFT<Float>(size: size)
            var input = [Float](repeating: 0.25, count: size), output = input
            var re = [Float](repeating: 0, count: size / 2 + 1), im = re
            let repetitions = max(4, (smoke ? 1 << 16 : 1 << 22) / size)
            let t = workloadMedian(runs) {
                for _ in 0..<repetitions {
                    fft.forward(input, re: &re, im: &im, order: .bitReversed)
                    fft.inverse(re: &re, im: &im, output: &output, order: .bitReversed)
                    input[0] = output[1] * 1e-9
                }
            }
            pairsNs.append(t / Double(repetitions) * 1e9)
        }
        print("transform pairs (2^6…2^15 points, ns): " + pairsNs.map { String(format: "%.0f", $0) }.joined(separator: " "))
        let frames = smoke ? 1 << 14 : 1 << 17
        let block = 256
        func engineNs(_ engine: Conv1dEngine<Float>, field: Int) -> Double {
            var rng = SeededGenerator(seed: 5)
            let x = (0..<(frames + field)).map { _ in Float(rng.nextUnit() - 0.5) }
            var y = [Float](repeating: 0, count: block)
            var ws = engine.makeWorkspace(maxOutputs: block)
            let t = workloadMedian(runs) {
                ws.reset()
                x.withUnsafeBufferPointer { xp in
                    y.withUnsafeMutableBufferPointer { yp in
                        var at = 0
                        while at < frames {
                            ws.compute(input: xp.baseAddress! + at, inputStride: x.count, output: yp.baseAddress!, outputStride: block, first: Int64(at), count: block)
                            at += block
                        }
                    }
                }
            }
            return t / Double(frames) * 1e9
        }
        let headSpec = try Conv1dSpec(inChannels: 1, outChannels: 1, kernelSize: 128)
        let headTap = engineNs(Conv1dEngine(spec: headSpec, weights: Conv1dWeights(defaultInitFor: headSpec, seed: 1), choice: .direct), field: 128) / 128
        print(String(format: "head: %.4f ns per tap", headTap))
        let model = FFTCostModel.measured
        var rows: [(field: Int, plan: FFTPartitionPlan, measured: Double, chosen: Bool)] = []
        for field in smoke ? [4096] : [1024, 4096, 16384, 65536, 262144] {
            let spec = try Conv1dSpec(inChannels: 1, outChannels: 1, kernelSize: field)
            let weights = Conv1dWeights<Float>(defaultInitFor: spec, seed: 1)
            let chosen = FFTPartitionPlan(spec: spec)
            for first in FFTPartitionPlan.firstBlocks {
                for growth in FFTPartitionPlan.growths {
                    let plan = FFTPartitionPlan(receptiveField: field, firstBlock: first, growth: growth)
                    if rows.contains(where: { $0.field == field && $0.plan.description == plan.description }) { continue }
                    guard let engine = FFTConv1dEngine(spec: spec, weights: weights, plan: plan) else { continue }
                    rows.append((field, plan, engineNs(.fft(engine), field: field), plan.description == chosen.description))
                }
            }
        }
        // measured − head = transformScale·F + binProduct·P + classFrame·C per row, fitted by
        // least squares on relative errors (each row weighted by 1/measured²).
        var normal = [[Double]](repeating: [Double](repeating: 0, count: 4), count: 3)
        for row in rows {
            var terms = [0.0, 0.0, 0.0]
            for cls in row.plan.classes {
                terms[0] += pairsNs[(2 * cls.size).trailingZeroBitCount - 6] / Double(cls.size)
                terms[1] += Double(cls.count) * Double(cls.size + 1) / Double(cls.size)
                terms[2] += 2
            }
            let rest = row.measured - Double(row.plan.firstBlock) * headTap
            let weight = 1 / (row.measured * row.measured)
            for i in 0..<3 {
                for j in 0..<3 { normal[i][j] += weight * terms[i] * terms[j] }
                normal[i][3] += weight * terms[i] * rest
            }
        }
        for i in 0..<3 {
            for k in (i + 1)..<3 {
                let f = normal[k][i] / normal[i][i]
                for j in i..<4 { normal[k][j] -= f * normal[i][j] }
            }
        }
        var fit = [0.0, 0.0, 0.0]
        for i in stride(from: 2, through: 0, by: -1) {
            fit[i] = (normal[i][3] - ((i + 1)..<3).reduce(0) { $0 + normal[i][$1] * fit[$1] }) / normal[i][i]
        }
        print(String(format: "fitted: transformScale %.3f, binProduct %.4f ns, classFrame %.3f ns", fit[0], fit[1], fit[2]))
        print("field    plan                                             measured  model  (ns/frame; * = the model's choice)")
        for row in rows {
            let plan = row.plan.description
            print(String(format: "%7d  %@  %7.2f  %6.2f %@", row.field, plan.padding(toLength: 48, withPad: " ", startingAt: 0) as NSString,
                         row.measured, model.nanosecondsPerFrame(row.plan, spec: try Conv1dSpec(inChannels: 1, outChannels: 1, kernelSize: row.field)), row.chosen ? "*" : ""))
        }
    case "fft":
        // The FFT engine's transform: a forward and an inverse real FFT of each size, in ns per
        // pair (scripts/bench sets them beside FFTW's measured plans), in the bit-reversed
        // order the engine keeps its spectra in ("nM") and in natural order ("natural_nM").
        var pairs: [(String, Double)] = []
        let orders: [(RealFFT<Float>.SpectrumOrder, String)] = [(.bitReversed, "n"), (.natural, "natural_n")]
        for (order, prefix) in orders { for size in [256, 1024, 4096, 16384, 32768] {
            let fft = RealFFT<Float>(size: size)
            var rng = SeededGenerator(seed: UInt64(size))
            var input = (0..<size).map { _ in Float(rng.nextUnit() - 0.5) }
            var re = [Float](repeating: 0, count: size / 2 + 1), im = re
            var output = [Float](repeating: 0, count: size)
            let repetitions = max(4, (smoke ? 1 << 17 : 1 << 23) / size)
            let t = workloadMedian(runs) {
                input.withUnsafeMutableBufferPointer { x in
                    re.withUnsafeMutableBufferPointer { r in
                        im.withUnsafeMutableBufferPointer { m in
                            output.withUnsafeMutableBufferPointer { y in
                                for _ in 0..<repetitions {
                                    fft.forward(x.baseAddress!, re: r.baseAddress!, im: m.baseAddress!, order: order)
                                    fft.inverse(re: r.baseAddress!, im: m.baseAddress!, output: y.baseAddress!, order: order)
                                    x[0] = y[1] * 1e-9
                                }
                            }
                        }
                    }
                }
            }
            pairs.append(("\(prefix)\(size)", t / Double(repetitions) * 1e9))
        } }
        print(json(pairs))
    case "tcn", "encdec":
        print(json(try BenchNetworks.workload(CommandLine.arguments[at + 1], smoke: smoke, runs: runs)))
    case "network-overhead":
        // A 10-node network of almost no arithmetic: ns per chunk at 1, 64 and 160 frames.
        print(json(try [1, 64, 160].map { ("block\($0)", try BenchNetworks.overheadPerChunk(block: $0, smoke: smoke, runs: runs)) }))
    default:
        print("unknown workload \(CommandLine.arguments[at + 1])")
        exit(2)
    }
}
