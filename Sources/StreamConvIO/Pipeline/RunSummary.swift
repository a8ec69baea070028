import Foundation

/// What a run did, for the one-line summary.
public struct RunSummary: Sendable {
    /// Frames read from the source.
    public var inputFrames: Int64
    /// Frames written to the sink.
    public var outputFrames: Int64
    /// Source rate in Hz.
    public var inputRate: Int
    /// Sink rate in Hz (input rate / stride; fractional only for raw-to-raw runs).
    public var outputRate: Double
    /// Source channels.
    public var inputChannels: Int
    /// Sink channels.
    public var outputChannels: Int
    /// ``Stage/latency`` in input frames.
    public var latencyFrames: Int
    /// Wall-clock seconds spent.
    public var seconds: Double
    /// Samples clipped by an integer output format.
    public var clippedSamples: Int
    /// NaN or ±Inf samples in the input.
    public var nonFiniteInput: Int = 0
    /// NaN output samples written as 0 by an integer format.
    public var nanWrittenAsZero: Int = 0
    /// Frames the input's header promised, when more than were read (a truncated file).
    public var promisedFrames: Int64?
    /// The output's largest magnitude (full scale 1), when it was metered (``MeteredSink``).
    public var outputPeak: Double?
    /// Samples beyond full scale in the output (``MeteredSink/overs``).
    public var overs = 0

    /// Seconds of input per second of processing.
    public var realTimeFactor: Double {
        seconds > 0 ? Double(inputFrames) / Double(inputRate) / seconds : .infinity
    }

    /// One line: frames in and out, latency, time, real-time factor, then what went wrong
    /// (clipping, non-finite samples).
    public var line: String {
        let latencyMs = Double(latencyFrames) * 1000 / Double(inputRate)
        var text = "\(inputFrames) frames in (\(inputChannels) ch @ \(inputRate) Hz) → \(outputFrames) frames out (\(outputChannels) ch @ \(String(format: "%g", outputRate)) Hz)"
        text += ", latency \(latencyFrames) frames (\(String(format: "%.2f", latencyMs)) ms)"
        text += ", \(String(format: "%.3f", seconds)) s, \(String(format: "%.1f", realTimeFactor))× real time"
        if let outputPeak {
            let dB = 20 * log10(outputPeak)
            text += outputPeak == 0 ? ", peak -inf dBFS (silent)" : ", peak \(String(format: "%+.2f", dB)) dBFS" + (outputPeak > 1 ? " (over full scale)" : "")
        }
        if clippedSamples > 0 { text += ", \(clippedSamples) samples clipped" }
        // A float or lossy output keeps what is over full scale: counted as clipping is,
        // since it clips wherever it becomes integers (a player, a DAC).
        if clippedSamples == 0 && overs > 0 { text += ", \(overs) samples over full scale (kept in this output; they clip where it is converted to integers)" }
        if nonFiniteInput > 0 { text += ", \(nonFiniteInput) non-finite input samples (NaN/Inf)" }
        if nanWrittenAsZero > 0 { text += ", \(nanWrittenAsZero) NaN output samples written as 0" }
        return text
    }

    /// The warning for a truncated input, if it was.
    public var truncationWarning: String? {
        guard let promisedFrames, promisedFrames > inputFrames else { return nil }
        return "warning: the input's header promises \(promisedFrames) frames but only \(inputFrames) could be read (truncated file?); --strict makes this an error"
    }
}
