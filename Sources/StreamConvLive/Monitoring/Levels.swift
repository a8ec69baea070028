/// Peak and RMS per output channel, since the start and over the last metering interval
/// (a fixed number of output frames, so the intervals fall on the same frames in every run).
public struct Levels: Sendable, Equatable {
    /// Peak per channel since the start (linear, 1 = full scale).
    public var peaks: [Float]
    /// RMS per channel since the start (linear).
    public var rms: [Double]
    /// Peak per channel over the last completed interval (after the run: the last one,
    /// complete or not); empty before the first interval completes.
    public var intervalPeaks: [Float]
    /// RMS per channel over the same interval.
    public var intervalRMS: [Double]
    /// The interval's first output frame.
    public var intervalStart: Int64
    /// The interval's length in output frames (0: none yet).
    public var intervalFrames: Int

    /// Levels with nothing measured.
    public init(channels: Int) {
        peaks = [Float](repeating: 0, count: channels)
        rms = [Double](repeating: 0, count: channels)
        intervalPeaks = []
        intervalRMS = []
        intervalStart = 0
        intervalFrames = 0
    }
}
