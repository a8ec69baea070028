import Foundation

/// A progress bar on standard error, shown only when it is a terminal and the run has taken
/// more than a second; redrawn at most ten times a second and erased at the end.
final class ProgressBar {
    private let total: Int64?
    private let rate: Int
    private let start = ContinuousClock.now
    private var lastDraw: ContinuousClock.Instant?
    private let enabled: Bool
    private var drawn = false

    init(totalFrames: Int64?, sampleRate: Int) {
        total = totalFrames
        rate = sampleRate
        enabled = isatty(2) == 1
    }

    func update(_ frames: Int64) {
        guard enabled else { return }
        let now = ContinuousClock.now
        guard now - start > .seconds(1) else { return }
        if let lastDraw, now - lastDraw < .milliseconds(100) { return }
        lastDraw = now
        let elapsed = Self.seconds(now - start)
        let audio = Double(frames) / Double(rate)
        var line: String
        if let total, total > 0 {
            let fraction = min(1, Double(frames) / Double(total))
            let width = 30
            let filled = Int(fraction * Double(width))
            line = "[" + String(repeating: "=", count: filled) + String(repeating: " ", count: width - filled) + "]"
            line += String(format: " %3.0f%%  %.1f / %.1f s", fraction * 100, audio, Double(total) / Double(rate))
        } else {
            line = String(format: "%.1f s of audio", audio)
        }
        line += String(format: "  %.1f× real time", audio / max(elapsed, 1e-9))
        FileHandle.standardError.write(Data(("\r" + line + "\u{1B}[K").utf8))
        drawn = true
    }

    func clear() {
        if drawn { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
    }

    static func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
    }
}

/// Writes one line to standard error.
func printError(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}
