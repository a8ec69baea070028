import StreamConvIO
/// What the live loop needs of a device: ALSA's read/write/recover calls on interleaved
/// frames, returning frame counts or negative `errno` codes. ``PCM`` is the real one; tests
/// implement it to inject faults (`-EPIPE`, `-ESTRPIPE`, `-EAGAIN`, short reads, `-ENODEV`).
public protocol PCMDevice: AnyObject {
    /// The name as the user gave it (`hw:1,0`, `default`).
    var name: String { get }
    /// The negotiated sample format.
    var format: SampleEncoding { get }
    /// Channels per frame.
    var channels: Int { get }
    /// Frames per period.
    var periodFrames: Int { get }
    /// Frames in the device buffer.
    var bufferFrames: Int { get }
    /// Frames playback must hold before it starts (refilled with silence after an underrun).
    var startThreshold: Int { get }
    /// Reads up to `frames` frames into `buffer`: the count read (0 or more), or `-errno`.
    func read(_ buffer: UnsafeMutableRawPointer, frames: Int) -> Int
    /// Writes up to `frames` frames from `buffer`: the count written, or `-errno`.
    func write(_ buffer: UnsafeRawPointer, frames: Int) -> Int
    /// Writes `frames` frames of silence (to refill playback after an underrun): count or `-errno`.
    func writeSilence(frames: Int) -> Int
    /// Recovers from an xrun or suspend (`snd_pcm_recover`): 0 or `-errno`.
    func recover(_ error: Int) -> Int
    /// Starts a capture stream (after open or recovery): 0 or `-errno`.
    func start() -> Int
    /// Waits up to `milliseconds` for the device to be ready: 1 ready, 0 timed out, or `-errno`.
    func wait(milliseconds: Int) -> Int
    /// Plays what is queued, then stops (playback); stops at once (capture).
    func drain()
}
