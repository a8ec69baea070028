import Foundation
import StreamConv
import StreamConvALSA
import StreamConvLive

/// The stats of a live run, as one line for people and one JSON object for tools: frames,
/// xruns, stalls, levels, clipping, mean load, the per-period filter time (median, 99th
/// percentile, worst), late blocks, latency.
struct LiveReport {
    /// The stage's latency, in input frames.
    let latency: Int
    /// The stage's output frames per input frame.
    let ratio: FrameRatio
    let captureRate: Int
    /// Frames one read waits for.
    let capturePeriod: Int
    /// Frames queued in the playback device, in output frames (nil without playback).
    let playbackBuffer: Int?
    let counters: LiveCounters
    /// The filter's name, for the deadline warning and the JSON.
    var filterName = ""
    /// The swaps' control side, which knows the filter running now (`nil`: no swaps).
    var swapper: FilterSwapper?

    /// The filter running now.
    var activeFilter: String { swapper?.activeName ?? filterName }

    /// Filter latency + capture period + playback buffer, in input frames.
    var latencyFrames: Int {
        latency + capturePeriod + (playbackBuffer.map { $0 * ratio.inputs / ratio.outputs } ?? 0)
    }

    /// The numbers of one moment.
    struct Snapshot {
        var framesIn = 0, framesOut = 0, captureXruns = 0, playbackXruns = 0, stalls = 0, suspends = 0
        var clipped = 0, dropped = 0, lateBlocks = 0, periods = 0, overruns = 0
        var worstFrame = 0
        var meanLoad = 0.0, medianLoad = 0.0, p99Load = 0.0, worstLoad = 0.0
        var levels: Levels?
    }

    func snapshot(outcome: LiveOutcome?) -> Snapshot {
        let c = counters
        var s = Snapshot()
        s.framesIn = c.framesIn.load(ordering: .relaxed)
        s.framesOut = c.framesOut.load(ordering: .relaxed)
        (s.captureXruns, s.playbackXruns) = (c.captureXruns.load(ordering: .relaxed), c.playbackXruns.load(ordering: .relaxed))
        (s.stalls, s.suspends) = (c.stalls.load(ordering: .relaxed), c.suspends.load(ordering: .relaxed))
        (s.clipped, s.dropped) = (c.clipped.load(ordering: .relaxed), c.dropped.load(ordering: .relaxed))
        s.lateBlocks = c.lateBlocks
        let audioNanos = Double(s.framesIn) * 1e9 / Double(captureRate)
        s.meanLoad = audioNanos > 0 ? Double(c.busyNanos.load(ordering: .relaxed)) / audioNanos * 100 : 0
        let loads = c.periodLoads.snapshot()
        (s.periods, s.overruns) = (loads.periods, loads.overruns)
        (s.medianLoad, s.p99Load) = (loads.percentile(0.5), loads.percentile(0.99))
        s.worstLoad = Double(c.worstLoadPPM.load(ordering: .relaxed)) / 1e4
        s.worstFrame = c.worstPeriodFrame.load(ordering: .relaxed)
        if let levels = outcome?.levels ?? c.levels?.snapshot() { s.levels = levels }
        return s
    }

    func line(final: Bool, outcome: LiveOutcome?) -> String {
        let s = snapshot(outcome: outcome)
        var text = (final ? "live: " : "live (running): ") + "\(s.framesIn) frames in, \(s.framesOut) frames out"
        text += ", xruns \(s.captureXruns) capture / \(s.playbackXruns) playback"
        text += ", \(s.stalls) stalls, \(s.suspends) suspends"
        if let levels = s.levels {
            func channels(_ peaks: [Float], _ rms: [Double]) -> String {
                zip(peaks, rms).enumerated().map { index, level in
                    String(format: "ch%d %.1f/%.1f dBFS", index + 1, Self.dB(Double(level.0)), Self.dB(level.1))
                }.joined(separator: " ")
            }
            text += ", peak/RMS"
            if levels.intervalFrames > 0 {
                text += String(format: " over the last %.2f s: ", intervalSeconds(levels.intervalFrames)) + channels(levels.intervalPeaks, levels.intervalRMS) + ";"
            }
            text += " since start: " + channels(levels.peaks, levels.rms)
        }
        if s.clipped > 0 { text += ", \(s.clipped) samples clipped" }
        if s.dropped > 0 { text += ", \(s.dropped) output frames dropped (the file writer fell behind)" }
        text += String(format: ", load %.1f%% mean; filter time per period %.1f%% median, %.1f%% 99th percentile, %.1f%% worst period",
                       s.meanLoad, s.medianLoad, s.p99Load, s.worstLoad)
        text += ", \(s.lateBlocks) late blocks"
        if swapper != nil { text += ", filter \(activeFilter)" }
        text += String(format: ", latency %d frames (%.2f ms)", latencyFrames, Double(latencyFrames) * 1000 / Double(captureRate))
        return text
    }

    /// The same numbers as one JSON object (a line of `--json-stats`).
    func json(final: Bool, outcome: LiveOutcome?) -> String {
        let s = snapshot(outcome: outcome)
        var fields: [(String, String)] = [
            ("final", final ? "true" : "false"), ("filter", Self.quoted(activeFilter)),
            ("period", "\(capturePeriod)"), ("rate", "\(captureRate)"),
            ("frames_in", "\(s.framesIn)"), ("frames_out", "\(s.framesOut)"),
            ("capture_xruns", "\(s.captureXruns)"), ("playback_xruns", "\(s.playbackXruns)"),
            ("stalls", "\(s.stalls)"), ("suspends", "\(s.suspends)"),
            ("clipped", "\(s.clipped)"), ("dropped", "\(s.dropped)"),
            ("load_mean_percent", Self.number(s.meanLoad)),
            ("period_median_percent", Self.number(s.medianLoad)), ("period_p99_percent", Self.number(s.p99Load)),
            ("worst_period_percent", Self.number(s.worstLoad)), ("worst_period_frame", "\(s.worstFrame)"),
            ("periods", "\(s.periods)"), ("periods_over_deadline", "\(s.overruns)"),
            ("late_blocks", "\(s.lateBlocks)"), ("latency_frames", "\(latencyFrames)"),
        ]
        if let swapper { fields.append(("swaps", "\(swapper.swapsTaken)")) }
        if let levels = s.levels {
            if levels.intervalFrames > 0 {
                fields.append(("interval_start_frame", "\(levels.intervalStart)"))
                fields.append(("interval_frames", "\(levels.intervalFrames)"))
                fields.append(("interval_peak_dbfs", "[" + levels.intervalPeaks.map { Self.number(Self.dB(Double($0))) }.joined(separator: ",") + "]"))
                fields.append(("interval_rms_dbfs", "[" + levels.intervalRMS.map { Self.number(Self.dB($0)) }.joined(separator: ",") + "]"))
            }
            fields.append(("peak_dbfs", "[" + levels.peaks.map { Self.number(Self.dB(Double($0))) }.joined(separator: ",") + "]"))
            fields.append(("rms_dbfs", "[" + levels.rms.map { Self.number(Self.dB($0)) }.joined(separator: ",") + "]"))
        }
        return "{" + fields.map { "\"\($0.0)\":\($0.1)" }.joined(separator: ",") + "}"
    }

    /// One line when the filter is not keeping up (a period over its deadline, or a block the
    /// audio thread had to wait for), naming the filter and the period; `nil` while it is.
    func deadlineWarning() -> String? {
        let s = snapshot(outcome: nil)
        guard s.overruns > 0 || s.lateBlocks > 0 else { return nil }
        return String(format: "warning: %@ at period %d is not keeping up: %d of %d periods over their deadline (worst period %.0f%%), %d late blocks; try a larger --period",
                      activeFilter, capturePeriod, s.overruns, s.periods, s.worstLoad, s.lateBlocks)
    }

    /// Output frames as seconds of output.
    func intervalSeconds(_ frames: Int) -> Double {
        Double(frames) * Double(ratio.inputs) / (Double(captureRate) * Double(ratio.outputs))
    }

    static func dB(_ linear: Double) -> Double { 20 * log10(max(linear, 1e-10)) }

    static func number(_ x: Double) -> String { x.isFinite ? String(format: "%.3f", x) : "null" }

    static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
