import Foundation

import ArgumentParser
import StreamConvIO

/// `--progress`: when to draw the progress bar.
enum ProgressMode: String, ExpressibleByArgument, CaseIterable {
    /// On a terminal, once the run has taken more than a second.
    case auto
    /// From the start, terminal or not.
    case always
    /// Never.
    case never
}

/// A progress bar on standard error: by default only when it is a terminal and the run has
/// taken more than a second; redrawn at most ten times a second and erased at the end.
final class ProgressBar {
    private let total: Int64?
    private let rate: Int
    private let start = ContinuousClock.now
    private var lastDraw: ContinuousClock.Instant?
    private let enabled: Bool
    private let delay: Duration
    private var drawn = false
    /// Counts things (`"trials"`) instead of audio frames.
    private let unit: String?

    init(totalFrames: Int64?, sampleRate: Int, mode: ProgressMode = .auto) {
        total = totalFrames
        rate = sampleRate
        unit = nil
        enabled = mode == .always || mode == .auto && isatty(2) == 1
        delay = mode == .always ? .zero : .seconds(1)
    }

    /// A bar counting `total` things called `unit`.
    init(counting total: Int, unit: String, mode: ProgressMode = .auto) {
        self.total = Int64(total)
        rate = 1
        self.unit = unit
        enabled = mode == .always || mode == .auto && isatty(2) == 1
        delay = mode == .always ? .zero : .seconds(1)
    }

    func update(_ frames: Int64) {
        guard enabled else { return }
        let now = ContinuousClock.now
        guard now - start >= delay else { return }
        if let lastDraw, now - lastDraw < .milliseconds(100) { return }
        lastDraw = now
        let elapsed = (now - start).inSeconds
        if let unit, let total {
            let fraction = min(1, Double(frames) / Double(max(1, total)))
            let filled = Int(fraction * 30)
            let bar = "[" + String(repeating: "=", count: filled) + String(repeating: " ", count: 30 - filled) + "]"
            StandardError.write("\r" + bar + String(format: " %3.0f%%  %lld / %lld ", fraction * 100, frames, total) + unit + "\u{1B}[K")
            drawn = true
            return
        }
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
        StandardError.write("\r" + line + "\u{1B}[K")
        drawn = true
    }

    func clear() {
        if drawn { StandardError.write("\r\u{1B}[K") }
    }
}
