import StreamConv

/// A sink that passes everything on to another and keeps the output's peak: the largest
/// magnitude written (NaN skipped), measured before any quantisation, so an over in a lossy
/// or float output is seen as an integer output's clipping is.
public final class MeteredSink: AudioSink {
    private let sink: any AudioSink
    /// The largest |sample| written so far.
    public private(set) var peak: Double = 0
    /// Samples written beyond full scale (|x| > 1), which a float or lossy output keeps and
    /// an integer one clips (and counts itself).
    public private(set) var overs = 0
    public var clippedSamples: Int { sink.clippedSamples }
    public var nanWrittenAsZero: Int { sink.nanWrittenAsZero }

    /// Meters what goes into `sink`.
    public init(_ sink: any AudioSink) { self.sink = sink }

    public func write(_ signal: Signal<Float>) throws(IOError) {
        measure(signal)
        try sink.write(signal)
    }

    public func write(_ signal: Signal<Double>) throws(IOError) {
        measure(signal)
        try sink.write(signal)
    }

    private func measure<T: ConvScalar>(_ signal: Signal<T>) {
        var largest = T.zero
        var beyond = 0
        signal.withUnsafeBufferPointer { samples in
            for c in 0..<signal.channels {
                let row = c * signal.capacity
                for i in 0..<signal.frames {
                    let m = samples[row + i].magnitude
                    if m > largest { largest = m }
                    if m > 1 { beyond += 1 }
                }
            }
        }
        peak = max(peak, Double(largest))
        overs += beyond
    }

    public func commit() throws(IOError) { try sink.commit() }
    public func abandon() { sink.abandon() }
}
