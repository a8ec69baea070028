import Foundation
import StreamConv
import StreamConvIO
import Synchronization
import Testing

/// Filter swaps in `streamconv live`, end to end through ALSA's file plugin fed from a FIFO
/// at the pace of the clock: SIGHUP with a broken preset is refused in one line and the old
/// filter keeps running; `load PRESET` on the --control FIFO swaps, and the output file is
/// the old filter's offline output before the fade and the new one's after, bit for bit.
@Suite(.serialized) struct LiveSwapTests {
    let dir = temporaryFolder()

    /// Stderr of a running process, as it arrives.
    final class Collected: Sendable {
        let text = Mutex("")
        func wait(for needle: String, seconds: Double) -> Bool {
            let deadline = Date().addingTimeInterval(seconds)
            while Date() < deadline {
                if text.withLock({ $0.contains(needle) }) { return true }
                usleep(10_000)
            }
            return false
        }
    }

    /// A decaying-noise impulse response preset `name`.json of `taps` taps.
    func writeResponse(_ name: String, taps: Int, seed: UInt64) throws {
        var rng = SeededGenerator(seed: seed)
        let ir = (0..<taps).map { n in Float(rng.nextUnit() - 0.5) * 0.2 * Float(exp(-Double(n) / Double(taps / 4))) }
        try writeFile(Signal(interleaved: ir, channels: 1), dir.appendingPathComponent("\(name).wav").path)
        try Data(#"{"name": "\#(name)", "impulse_response": "\#(name).wav"}"#.utf8).write(to: dir.appendingPathComponent("\(name).json"))
    }

    func offline(_ preset: String, _ input: Data, _ out: String) throws -> Signal<Float> {
        let r = try CLI.run(["run", "--preset", preset, "--in", "-", "--raw-format", "s16", "--rate", "48000", "--channels", "2", "--out", out, "--out-format", "float"], in: dir, input: input)
        #expect(r.status == 0, "\(r.stderr)")
        return try readFile(dir.appendingPathComponent(out).path).0
    }

    @Test(arguments: [(3000, 64, 20.0), (65536, 64, 50.0)])
    func sighupAndControlFIFO(taps: Int, period: Int, crossfadeMs: Double) throws {
        defer { try? FileManager.default.removeItem(at: dir) }
        let frames = 96_000
        var rng = SeededGenerator(seed: 9)
        let input = Data((0..<(frames * 2)).flatMap { _ in withUnsafeBytes(of: Int16(truncatingIfNeeded: Int(rng.next() >> 50) - 8192).littleEndian) { Array($0) } })
        try writeResponse("room-a", taps: taps, seed: 1)
        try writeResponse("room-b", taps: taps, seed: 2)
        let (expectedA, expectedB) = (try offline("room-a.json", input, "a.wav"), try offline("room-b.json", input, "b.wav"))
        let fifo = dir.appendingPathComponent("capture.fifo").path
        let controlPath = dir.appendingPathComponent("control.fifo").path
        #expect(mkfifo(fifo, 0o600) == 0 && mkfifo(controlPath, 0o600) == 0)
        try Data(#"pcm.pacedcap { type file; slave.pcm "null"; file "/dev/null"; infile "\#(fifo)"; format "raw" }"#.utf8)
            .write(to: dir.appendingPathComponent(".asoundrc"))

        let process = CLI.process(["live", "--preset", "room-a.json", "--capture", "pacedcap", "--channels", "2", "--out", "live.wav", "--frames", "\(frames)",
                                   "--format", "S16_LE", "--period", "\(period)", "--out-format", "float", "--stats", "0.05",
                                   "--control", controlPath, "--crossfade", "\(crossfadeMs)", "--json-stats", "stats.jsonl"],
                                  in: dir, environment: ["HOME": dir.path])
        let errors = Pipe()
        process.standardError = errors
        let collected = Collected()
        errors.fileHandleForReading.readabilityHandler = { handle in
            let data = handle.availableData
            collected.text.withLock { $0 += String(decoding: data, as: UTF8.self) }
        }
        try process.run()
        let writer = pacedFIFOWriter(fifo: fifo, input: input, period: period)
        writer.start()
        // Running (the stats lines come after the signal handlers are in place), and past
        // the start (where a long filter's first blocks may be late, swap or not).
        #expect(collected.wait(for: "live (running)", seconds: 20))
        let deadline = Date().addingTimeInterval(20)
        while collected.text.withLock({ $0.components(separatedBy: "live (running)").count }) < 12 && Date() < deadline { usleep(10_000) }
        // A broken preset on SIGHUP: refused, the old filter goes on.
        try Data("{not json".utf8).write(to: dir.appendingPathComponent("room-a.json"))
        kill(process.processIdentifier, SIGHUP)
        #expect(collected.wait(for: "refused", seconds: 5), "\(collected.text.withLock { $0 })")
        // Then another filter through the control FIFO.
        let control = try #require(FileHandle(forWritingAtPath: controlPath))
        try control.write(contentsOf: Data("load room-b.json\n".utf8))
        try control.close()
        #expect(collected.wait(for: "swapped to", seconds: 10), "\(collected.text.withLock { $0 })")
        process.waitUntilExit()
        errors.fileHandleForReading.readabilityHandler = nil
        let rest = errors.fileHandleForReading.readDataToEndOfFile()
        let stderr = collected.text.withLock { $0 } + String(decoding: rest, as: UTF8.self)
        #expect(process.terminationStatus == 0, "\(stderr)")

        let lines = stderr.split(separator: "\n").map(String.init)
        let refusals = lines.filter { $0.contains("refused") }
        #expect(refusals.count == 1 && refusals[0].hasPrefix("live: swap to room-a.json refused: ") && refusals[0].hasSuffix("; still running room-a"), "\(refusals)")
        let swapped = try #require(lines.first { $0.hasPrefix("live: swapped to room-b at output frame ") }, "\(stderr)")
        let fade = Int((crossfadeMs / 1000 * 48000).rounded())
        #expect(swapped.hasSuffix("(crossfade of \(fade) frames)"), "\(swapped)")
        let at = try #require(Int(swapped.dropFirst("live: swapped to room-b at output frame ".count).prefix { $0.isNumber }))
        #expect(at > 0 && at + fade < frames)
        #expect(lines.last { $0.hasPrefix("live: ") }?.contains("filter room-b") == true, "\(stderr)")

        let (live, _) = try readFile(dir.appendingPathComponent("live.wav").path)
        #expect(live.frames == expectedA.frames)
        #expect(live.slice(0..<at).bitwiseEquals(expectedA.slice(0..<at)), "before the fade at \(at)")
        #expect(live.slice((at + fade)..<live.frames).bitwiseEquals(expectedB.slice((at + fade)..<live.frames)), "after the fade at \(at)")
        let json = try String(contentsOf: dir.appendingPathComponent("stats.jsonl"), encoding: .utf8).split(separator: "\n")
        let objects = try json.map { try #require(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
        let last = try #require(objects.last)
        #expect(last["filter"] as? String == "room-b" && last["swaps"] as? Int == 1, "\(last)")
        let before = try #require(objects.last { $0["swaps"] as? Int == 0 })
        #expect(before["filter"] as? String == "room-a")
        // The swap's target: no late block from the swap on (building, joining, catching up
        // and the fade, with both filters' workers running).
        let (lateBefore, lateAfter) = (before["late_blocks"] as? Int ?? -1, last["late_blocks"] as? Int ?? -1)
        #expect(lateAfter == lateBefore, "late blocks \(lateBefore) before the swap, \(lateAfter) at the end")
        print("swap \(taps) taps @ \(period): late blocks \(lateBefore) before the swap, \(lateAfter) at the end; worst period \(last["worst_period_percent"] ?? "?")%, xruns \(last["capture_xruns"] ?? "?")")
    }
}
