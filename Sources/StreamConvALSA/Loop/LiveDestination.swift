import StreamConvLive

/// Where filtered frames go.
public enum LiveDestination {
    /// A playback device, written from the audio thread.
    case playback(any PCMDevice)
    /// A ring another thread drains into a file or a pipe.
    case ring(FrameRing)
}
