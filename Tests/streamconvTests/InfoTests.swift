import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import StreamConv
import StreamConvPresets
import Testing

/// Collects the SVG root's attributes and every response polyline, and the elements the
/// plot's structure is checked by: panels, markers, polylines of every kind, the title.
final class SVGReader: NSObject, XMLParserDelegate {
    var root: [String: String] = [:]
    var curves: [[(Double, Double)]] = []
    var panels: [[String: String]] = []
    var markers: [[String: String]] = []
    var lines: [(attributes: [String: String], points: [(Double, Double)])] = []
    var title: (attributes: [String: String], text: String)?
    private var inTitle = false

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        if inTitle { title?.text += string }
    }

    func parser(_ parser: XMLParser, didEndElement element: String, namespaceURI: String?, qualifiedName: String?) {
        if element == "text" { inTitle = false }
    }

    func parser(_ parser: XMLParser, didStartElement element: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
        if element == "svg" { root = attributes }
        if element == "g", attributes["class"] == "panel" { panels.append(attributes) }
        if element == "line", attributes["class"] == "marker" { markers.append(attributes) }
        if element == "text", attributes["class"] == "title" { title = (attributes, ""); inTitle = true }
        if element == "polyline", let points = attributes["points"] {
            lines.append((attributes, points.split(separator: " ").map { pair in
                let xy = pair.split(separator: ",").map { Double($0)! }
                return (xy[0], xy[1])
            }))
        }
        if element == "polyline", attributes["class"] == "response", let points = attributes["points"] {
            curves.append(points.split(separator: " ").map { pair in
                let xy = pair.split(separator: ",").map { Double($0)! }
                return (xy[0], xy[1])
            })
        }
    }
}

/// `info` validates and describes a preset: JSON facts and an SVG response plot (issue 7).
@Suite struct InfoTests {
    /// |H(f)| in dB of taps, computed here.
    func decibels(_ taps: [Double], _ f: Double, rate: Int) -> Double {
        var re = 0.0, im = 0.0
        for (k, t) in taps.enumerated() {
            re += t * cos(2 * .pi * f * Double(k) / Double(rate))
            im -= t * sin(2 * .pi * f * Double(k) / Double(rate))
        }
        return 20 * log10(max((re * re + im * im).squareRoot(), 1e-12))
    }

    /// The shipped minimum-phase presets (issue 16, finding 6): no latency, `info` says what
    /// is saved, and a run puts the impulse response's energy at the impulse, not 2047
    /// frames later, with the linear design's magnitude (its gain at 1 kHz and the cutoff).
    @Test(arguments: [("dc-blocker-minphase", "dc-blocker", 4095, 10.0), ("highpass-100-minphase", "highpass-100", 2047, 100.0)])
    func minimumPhasePresetsSaveTheLatency(preset: String, linear: String, taps: Int, cutoff: Double) throws {
        let dir = temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let info = try CLI.run(["info", "--preset", preset, "--rate", "48000", "--json"], in: dir)
        #expect(info.status == 0, "\(info.stderr)")
        let facts = try #require(JSONSerialization.jsonObject(with: info.stdout) as? [String: Any])
        #expect(facts["latency_frames"] as? Int == 0 && facts["phase"] as? String == "minimum" && facts["keeps_tail"] as? Bool == false)
        #expect(facts["latency_saved_frames"] as? Int == (taps - 1) / 2, "\(facts)")
        let text = try CLI.run(["info", "--preset", preset], in: dir)
        #expect(text.out.contains("minimum phase: \((taps - 1) / 2) frames (") && text.out.contains("less than the linear-phase design"), "\(text.out)")
        // An impulse at frame 5000 of a 48 kHz mono file, through both (the linear response
        // reaches 2047 frames either side of it).
        let (frames, at) = (12000, 5000)
        var x = [Float](repeating: 0, count: frames)
        x[at] = 0.5
        try writeFile(Signal([x]), dir.appendingPathComponent("impulse.wav").path)
        var outputs: [Signal<Float>] = []
        for name in [preset, linear] {
            let r = try CLI.run(["run", "--preset", name, "--in", "impulse.wav", "--out", "\(name).wav"], in: dir)
            #expect(r.status == 0, "\(r.stderr)")
            outputs.append(try readFile(dir.appendingPathComponent("\(name).wav").path).0)
        }
        let (minimum, linearOut) = (outputs[0], outputs[1])
        #expect(minimum.frames == frames && linearOut.frames == frames)
        // Nothing before the impulse (causal); the largest output right at it, where the
        // linear design's is (K − 1)/2 frames later than its first.
        #expect((0..<at).allSatisfy { minimum[0, $0] == 0 })
        let peak = (0..<frames).max { abs(minimum[0, $0]) < abs(minimum[0, $1]) }!
        #expect(peak >= at && peak < at + 10, "peak at \(peak)")
        // (a Hann window's end taps are 0, so the first non-zero output is one frame later)
        let first = (0..<frames).first { linearOut[0, $0] != 0 }!
        #expect(first == at - (taps - 1) / 2 || first == at - (taps - 1) / 2 + 1, "linear response starts at \(first)")
        // The same magnitude: the responses' DFTs at 1 kHz and the cutoff agree within
        // 0.05 dB (float32 runs of taps whose magnitudes agree to 0.01 dB).
        for f in [1000.0, cutoff] {
            let a = decibels((0..<frames).map { Double(minimum[0, $0]) }, f, rate: 48000)
            let b = decibels((0..<frames).map { Double(linearOut[0, $0]) }, f, rate: 48000)
            #expect(abs(a - b) < 0.05, "\(f) Hz: \(a) vs \(b) dB")
        }
    }

    @Test func jsonAndPlotMatchTheTaps() throws {
        let dir = temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try CLI.run(["info", "--preset", "lowpass", "--rate", "44100", "--plot", "lp.svg", "--json"], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        let facts = try #require(try JSONSerialization.jsonObject(with: r.stdout) as? [String: Any])
        #expect(facts["kernel_size"] as? Int == 255 && facts["latency_frames"] as? Int == 127 && facts["sample_rate"] as? Int == 44100)
        let taps = try PresetLibrary(folders: [CLI.repository.appendingPathComponent("presets")]).load("lowpass").preset
            .weights(as: Double.self, sampleRate: 44100).weight
        let responses = try #require(facts["responses"] as? [[String: Any]])
        let gains = try #require(responses.first?["gain_db"] as? [String: Double])
        #expect(abs(gains["1000"]! - decibels(taps, 1000, rate: 44100)) < 1e-9)
        let corner = try #require((responses.first?["minus_3db_hz"] as? [Double])?.first)
        #expect(abs(decibels(taps, corner, rate: 44100) + 3) < 0.05, "−3 dB at \(corner) Hz")

        // The SVG is XML, and its curve is the response: points mapped back through the axes.
        let data = try Data(contentsOf: dir.appendingPathComponent("lp.svg"))
        let reader = SVGReader()
        let parser = XMLParser(data: data)
        parser.delegate = reader
        #expect(parser.parse(), "the SVG parses as XML")
        let a = reader.root.mapValues { Double($0) ?? .nan }
        let curve = try #require(reader.curves.first)
        #expect(curve.count > 100)
        func frequency(_ x: Double) -> Double {
            a["data-f-low"]! * pow(a["data-f-high"]! / a["data-f-low"]!, (x - a["data-left"]!) / (a["data-right"]! - a["data-left"]!))
        }
        for (x, y) in curve {
            let db = a["data-db-top"]! - (y - a["data-top"]!) / (a["data-bottom"]! - a["data-top"]!) * (a["data-db-top"]! - a["data-db-bottom"]!)
            // Points are written to 0.01 px: the response anywhere within that rounding.
            let around = [x - 0.005, x, x + 0.005].map { max(a["data-db-bottom"]!, decibels(taps, frequency($0), rate: 44100)) }
            // A notch's bottom lies between the samples, below them: only its top is bounded.
            #expect((db >= around.min()! - 0.05 || around.min()! < -120) && db <= around.max()! + 0.05, "\(frequency(x)) Hz: plotted \(db) dB, response \(around) dB")
        }
    }

    /// Plots worth reading (issue 16, finding 9), checked on the SVG's structure and looked
    /// at as PNG (rsvg-convert, where installed):
    /// - a comb (`echo-250ms`: notches every 4 Hz) is drawn through its full range in every
    ///   stretch of 20 px from 100 Hz up: +3.52 dB (1 + 0.5) and −6.02 dB (1 − 0.5), within
    ///   0.1 dB (400 log-spaced points sampled it into noise);
    /// - a −150 dB Kaiser stopband lies above the floor, not on it;
    /// - the two identical channels of a stereo preset have different dash patterns;
    /// - the long title fits the width; four panels (magnitude, phase, group delay,
    ///   impulse); −3 dB and cutoff markers where the design has them.
    @Test func plotsAreWorthReading() throws {
        let dir = temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        func plot(_ args: [String], _ name: String) throws -> SVGReader {
            let r = try CLI.run(["info"] + args + ["--plot", name], in: dir)
            #expect(r.status == 0, "\(r.stderr)")
            let reader = SVGReader()
            let parser = XMLParser(data: try Data(contentsOf: dir.appendingPathComponent(name)))
            parser.delegate = reader
            #expect(parser.parse(), "\(name) parses as XML")
            return reader
        }
        // The comb.
        let comb = try plot(["--preset", "echo-250ms"], "comb.svg")
        let a = comb.root.mapValues { Double($0) ?? .nan }
        func db(_ y: Double) -> Double { a["data-db-top"]! - (y - a["data-top"]!) / (a["data-bottom"]! - a["data-top"]!) * (a["data-db-top"]! - a["data-db-bottom"]!) }
        func x(_ f: Double) -> Double { a["data-left"]! + (a["data-right"]! - a["data-left"]!) * log10(f / a["data-f-low"]!) / log10(a["data-f-high"]! / a["data-f-low"]!) }
        let magnitude = comb.lines.filter { $0.attributes["class"] == "response" }.flatMap(\.points)
        for start in stride(from: x(100), to: a["data-right"]! - 20, by: 20) {
            let window = magnitude.filter { $0.0 >= start && $0.0 < start + 20 }.map { db($0.1) }
            #expect(abs((window.max() ?? 0) - 20 * log10(1.5)) < 0.1 && abs((window.min() ?? 0) - 20 * log10(0.5)) < 0.1,
                    "\(start) px: \(window.min() ?? .nan)…\(window.max() ?? .nan) dB")
        }
        #expect(Set(comb.panels.compactMap { $0["data-kind"] }) == ["magnitude", "phase", "group-delay", "impulse"])
        for kind in ["phase", "group-delay", "impulse"] {
            #expect(comb.lines.contains { $0.attributes["class"] == kind && $0.points.count > 10 }, "\(kind) curve")
        }
        // A deep stopband.
        try Data(#"{"conv1d": {"in_channels": 1, "out_channels": 1, "padding": "same", "bias": false}, "design": {"type": "lowpass", "cutoff_hz": 4000, "window": "kaiser", "attenuation_db": 150, "transition_hz": 2000}}"#.utf8)
            .write(to: dir.appendingPathComponent("deep.json"))
        let deep = try plot(["--preset", "deep.json"], "deep.svg")
        let d = deep.root.mapValues { Double($0) ?? .nan }
        let stop = deep.lines.filter { $0.attributes["class"] == "response" }.flatMap(\.points)
        // The stopband's ripple peaks (about −150 dB) stand 20 dB or more above the floor;
        // only its notches, which go to −∞, reach it.
        func dbOf(_ y: Double) -> Double { d["data-db-top"]! - (y - d["data-top"]!) / (d["data-bottom"]! - d["data-top"]!) * (d["data-db-top"]! - d["data-db-bottom"]!) }
        func hzOf(_ x: Double) -> Double { d["data-f-low"]! * pow(d["data-f-high"]! / d["data-f-low"]!, (x - d["data-left"]!) / (d["data-right"]! - d["data-left"]!)) }
        let stopband = stop.filter { hzOf($0.0) > 7000 }.map { dbOf($0.1) }
        #expect(!stopband.isEmpty && stopband.max()! < -140 && stopband.max()! > d["data-db-bottom"]! + 20,
                "floor \(d["data-db-bottom"]!) dB, stopband peaks \(stopband.max() ?? .nan) dB")
        let cutoff = try #require(deep.markers.first { $0["data-kind"] == "cutoff" })
        #expect(cutoff["data-hz"] == "4000.0")
        let corner = try #require(deep.markers.first { $0["data-kind"] == "minus3db" }.flatMap { $0["data-hz"] }.flatMap(Double.init))
        #expect(abs(corner - 4000) < 1000, "−3 dB at \(corner)")
        // Identical channels, a long title.
        let stereo = try plot(["--preset", "decimate-2x"], "stereo.svg")
        let curves = stereo.lines.filter { $0.attributes["class"] == "response" }
        #expect(Set(curves.map { $0.attributes["data-output"]! }) == ["0", "1"])
        #expect(Set(curves.map { $0.attributes["stroke-dasharray"] ?? "solid" }).count == 2, "two line styles")
        let title = try #require(stereo.title)
        let size = Double(title.attributes["font-size"]!)!
        #expect(title.text.count > 90 && Double(title.text.count) * 0.6 * size <= Double(stereo.root["width"]!)! - 40, "\(title.text.count) characters at \(size) px")
        if (try? CLI.shell("command -v rsvg-convert >/dev/null"))?.status == 0 {
            for name in ["comb", "deep", "stereo"] {
                let png = try CLI.shell("rsvg-convert -o \(name).png \(name).svg && head -c 24 \(name).png | od -An -tx1", in: dir)
                #expect(png.status == 0 && png.out.replacingOccurrences(of: " ", with: "").replacingOccurrences(of: "\n", with: "").hasPrefix("89504e470d0a1a0a"), "\(name).png: \(png.stderr)")
            }
        }
    }

    /// A linear network's plot is its impulse's response: a chain of the low-pass with itself
    /// is drawn at twice the low-pass's dB (from its taps, computed here);
    /// a network with an activation is refused in one line, with no file written.
    @Test func linearNetworkPlotIsItsResponse() throws {
        let dir = temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        try #"{"in_channels": 1, "network": [{"name": "t", "op": "tanh"}]}"#.write(to: dir.appendingPathComponent("tanh.json"), atomically: true, encoding: .utf8)
        let r = try CLI.run(["info", "--preset", "lowpass", "--preset", "lowpass", "--rate", "44100", "--plot", "chain.svg"], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        let taps = try PresetLibrary(folders: [CLI.repository.appendingPathComponent("presets")]).load("lowpass").preset
            .weights(as: Double.self, sampleRate: 44100).weight
        let reader = SVGReader()
        let parser = XMLParser(data: try Data(contentsOf: dir.appendingPathComponent("chain.svg")))
        parser.delegate = reader
        #expect(parser.parse(), "the SVG parses as XML")
        let a = reader.root.mapValues { Double($0) ?? .nan }
        let curve = try #require(reader.curves.first)
        #expect(curve.count > 100 && reader.curves.count == 1)
        func frequency(_ x: Double) -> Double {
            a["data-f-low"]! * pow(a["data-f-high"]! / a["data-f-low"]!, (x - a["data-left"]!) / (a["data-right"]! - a["data-left"]!))
        }
        var checked = 0
        for (x, y) in curve {
            let db = a["data-db-top"]! - (y - a["data-top"]!) / (a["data-bottom"]! - a["data-top"]!) * (a["data-db-top"]! - a["data-db-bottom"]!)
            let around = [x - 0.005, x, x + 0.005].map { max(a["data-db-bottom"]!, 2 * decibels(taps, frequency($0), rate: 44100)) }
            #expect(db >= around.min()! - 0.05 && db <= around.max()! + 0.05, "\(frequency(x)) Hz: plotted \(db) dB, chain \(around) dB")
            checked += 1
        }
        #expect(checked > 100)
        let refused = try CLI.run(["info", "--preset", "tanh.json", "--plot", "t.svg"], in: dir)
        #expect(refused.status != 0 && refused.stderr.contains("node 't' (tanh) is not a linear") && refused.stderr.split(separator: "\n").count == 1, "\(refused.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("t.svg").path))
    }

    @Test func textSummaryAndRefusals() throws {
        let text = try CLI.run(["info", "--preset", "speech-band", "--channels", "6"])
        #expect(text.status == 0)
        #expect(text.out.contains("conv1d:        Conv1d(6, 6, kernel_size=1023, padding='same', groups=6, bias=False)"), "\(text.out)")
        #expect(text.out.contains("response:      out 0 ← in 0: 50 Hz") && text.out.contains("; −3 dB at "), "\(text.out)")
        let wrongRate = try CLI.run(["info", "--preset", "lowpass-4k", "--rate", "44100"])
        #expect(wrongRate.status == 64 && wrongRate.stderr.hasPrefix("Error: --rate 44100: the preset was made for 48000 Hz"))
        let wrongChannels = try CLI.run(["info", "--preset", "mid-side", "--channels", "3"])
        #expect(wrongChannels.status == 64 && wrongChannels.stderr.hasPrefix("Error: --channels 3: this preset takes exactly 2 input channels"))
    }

    /// A design without kernel_size gets its length from Kaiser's formula at the input's rate:
    /// 965 taps at 96 kHz (scipy.signal.kaiserord(80, 500 / 48000)[0]), 483 at 48 kHz.
    @Test func kaiserLengthAtTheInputsRate() throws {
        let dir = temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        try #"""
            {"conv1d": {"in_channels": 1, "out_channels": 1, "padding": "same", "bias": false},
             "design": {"type": "lowpass", "cutoff_hz": 4000, "window": "kaiser", "attenuation_db": 80, "transition_hz": 500}}
            """#.write(to: dir.appendingPathComponent("k.json"), atomically: true, encoding: .utf8)
        let info = try CLI.run(["info", "--preset", "k.json", "--rate", "96000", "--json"], in: dir)
        let facts = try #require(try JSONSerialization.jsonObject(with: info.stdout) as? [String: Any])
        #expect(facts["kernel_size"] as? Int == 965 && facts["latency_frames"] as? Int == 482, "\(facts)")
        let text = try CLI.run(["info", "--preset", "k.json"], in: dir)
        #expect(text.out.contains("483 taps at 48000 Hz by Kaiser's formula (80 dB, 500 Hz transition)"), "\(text.out)")
        // "same" padding keeps an impulse in place: the output is the 965-tap response centred on it.
        var impulse = [Float](repeating: 0, count: 2000)
        impulse[1000] = 1
        try writeFile(Signal([impulse, impulse]), dir.appendingPathComponent("in.wav").path, rate: 96000)
        let run = try CLI.run(["run", "--preset", "k.json", "--in", "in.wav", "--out", "out.wav"], in: dir)
        #expect(run.status == 0 && run.stderr.contains("latency 482 frames"), "\(run.stderr)")
        let (y, _) = try readFile(dir.appendingPathComponent("out.wav").path)
        let conv = try Preset(json: String(contentsOf: dir.appendingPathComponent("k.json"), encoding: .utf8), defaultName: "k").conv1d(as: Float.self, sampleRate: 96000)
        let h = conv.weights.weight
        #expect(h.count == 965)
        for c in 0..<2 {
            let row = y.channel(c)
            #expect((0..<965).allSatisfy { row[1000 - 482 + $0] == h[964 - $0] }, "channel \(c) is the reversed taps around the impulse")
        }
    }
}
