import CSoxr

/// libsoxr, for a response recorded or designed at another rate than the signal's: the
/// whole response in one call (`soxr_oneshot`), very high quality (`SOXR_VHQ`: 28-bit
/// precision, linear phase, flat to 91.3% of the lower Nyquist frequency), in Double.
public enum SoxrResampler {
    /// The quality's name, for summaries.
    public static let quality = "libsoxr VHQ"

    /// `channels` (equal lengths) at `from` Hz, resampled to `to` Hz: each channel
    /// ⌈length · to / from⌉ samples long, time 0 kept at sample 0 (libsoxr removes its own
    /// filter's delay). Amplitudes are the signal's (a sine keeps its level); scaling a
    /// response so its gain stays the same is the caller's.
    /// - Throws: ``IOError/io(path:reason:)`` with libsoxr's message.
    public static func resample(_ channels: [[Double]], from: Int, to: Int, name: String) throws(IOError) -> [[Double]] {
        guard let length = channels.first?.count, length > 0, from > 0, to > 0 else { return channels.map { _ in [] } }
        let count = channels.count
        let outLength = Int((Double(length) * Double(to) / Double(from)).rounded(.up))
        var input = [Double](repeating: 0, count: length * count)
        for (c, samples) in channels.enumerated() {
            for (i, x) in samples.enumerated() { input[i * count + c] = x }
        }
        var output = [Double](repeating: 0, count: outLength * count)
        var io = soxr_io_spec(SOXR_FLOAT64_I, SOXR_FLOAT64_I)
        var quality = soxr_quality_spec(UInt(SOXR_VHQ), 0)
        var done = 0
        let failure: soxr_error_t? = input.withUnsafeBytes { inBytes in
            output.withUnsafeMutableBytes { outBytes in
                soxr_oneshot(Double(from), Double(to), UInt32(count), inBytes.baseAddress, length, nil,
                             outBytes.baseAddress, outLength, &done, &io, &quality, nil)
            }
        }
        if let failure {
            throw .io(path: name, reason: "cannot resample from \(from) Hz to \(to) Hz: libsoxr: \(String(cString: failure))")
        }
        return (0..<count).map { c in (0..<done).map { output[$0 * count + c] } }
    }
}
