/// The interleaved S16 frames a test capture device delivers, and how far it has got: what
/// the scripted and the paced capture share.
struct CapturedSamples {
    let samples: [Int16]
    let channels: Int
    /// Frames delivered so far.
    private(set) var delivered = 0

    init(_ samples: [Int16], channels: Int) {
        (self.samples, self.channels) = (samples, channels)
    }

    /// Frames not yet delivered.
    var left: Int { samples.count / channels - delivered }

    /// Copies the next `frames` frames (at most ``left``) into `buffer`; returns how many.
    mutating func deliver(into buffer: UnsafeMutableRawPointer, frames: Int) -> Int {
        let n = min(frames, left)
        samples.withUnsafeBytes { src in
            buffer.copyMemory(from: src.baseAddress! + delivered * channels * 2, byteCount: n * channels * 2)
        }
        delivered += n
        return n
    }
}
