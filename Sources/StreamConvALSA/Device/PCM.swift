import StreamConvIO
import CALSA

#if canImport(Glibc)
import Glibc
#endif

/// An open ALSA PCM, owned by this object and closed when it goes. Opened non-blocking: the
/// live loop waits with ``wait(milliseconds:)`` so a stalled device can be noticed.
public final class PCM: PCMDevice {
    /// Which way the samples flow.
    public enum Direction: String, Sendable {
        case capture, playback
    }

    /// What to ask the device for.
    public struct Settings: Sendable {
        public var format: SampleEncoding
        public var channels: Int
        public var rate: Int
        public var periodFrames: Int
        /// Frames in the device buffer; `nil`: 4 periods.
        public var bufferFrames: Int?

        public init(format: SampleEncoding, channels: Int, rate: Int, periodFrames: Int, bufferFrames: Int? = nil) {
            self.format = format
            self.channels = channels
            self.rate = rate
            self.periodFrames = periodFrames
            self.bufferFrames = bufferFrames
        }
    }

    public let name: String
    public let direction: Direction
    public let format: SampleEncoding
    public let channels: Int
    public let rate: Int
    public private(set) var periodFrames: Int
    public private(set) var bufferFrames: Int
    private let handle: OpaquePointer

    /// Opens `name` (`default`, `hw:1,0`, `plughw:1`, a name from an asoundrc) and sets it
    /// up: interleaved access, `settings`' format, channel count and exact rate, a period
    /// near `periodFrames` and a buffer of at least 3 periods.
    /// - Throws: ``ALSAError`` naming the setting the device refuses and what it offers.
    public init(name: String, direction: Direction, settings: Settings) throws(ALSAError) {
        let stream = direction == .capture ? SND_PCM_STREAM_CAPTURE : SND_PCM_STREAM_PLAYBACK
        streamconv_alsa_keep_library_errors()
        var pcm: OpaquePointer?
        let opened = snd_pcm_open(&pcm, name, stream, Int32(SND_PCM_NONBLOCK))
        guard opened == 0, let pcm else {
            let said = String(cString: streamconv_alsa_library_errors())
            if opened == -ENOENT {
                // ALSA's "Unknown PCM NAME" for the name itself says nothing ours does not;
                // for another name (a missing slave in an asoundrc) it says what is wrong.
                throw .unknownDevice(device: name, direction: direction.rawValue, library: said == "Unknown PCM \(name)" ? "" : said)
            }
            throw .call(device: name, direction: direction.rawValue, what: "cannot open", code: opened, library: said)
        }
        self.handle = pcm
        self.name = name
        self.direction = direction
        format = settings.format
        channels = settings.channels
        rate = settings.rate
        periodFrames = settings.periodFrames
        bufferFrames = settings.bufferFrames ?? 4 * settings.periodFrames
        try configure(settings)
    }

    deinit { snd_pcm_close(handle) }

    private func fail(_ what: String, _ code: Int32) -> ALSAError {
        .call(device: name, direction: direction.rawValue, what: what, code: code)
    }

    private func configure(_ settings: Settings) throws(ALSAError) {
        var hwp: OpaquePointer?
        snd_pcm_hw_params_malloc(&hwp)
        guard let hw = hwp else { throw fail("cannot allocate parameters", -ENOMEM) }
        defer { snd_pcm_hw_params_free(hw) }
        var code = snd_pcm_hw_params_any(handle, hw)
        if code < 0 { throw fail("cannot read the device's parameters", code) }
        code = snd_pcm_hw_params_set_access(handle, hw, SND_PCM_ACCESS_RW_INTERLEAVED)
        if code < 0 { throw fail("interleaved access refused", code) }
        if snd_pcm_hw_params_test_format(handle, hw, format.alsa) < 0 {
            let names = SampleEncoding.alsaNames
            let offered = names.filter { snd_pcm_hw_params_test_format(handle, hw, $0.encoding.alsa) == 0 }.map(\.name)
            throw .unsupported(device: name, direction: direction.rawValue, setting: "format \(format.alsaName ?? "\(format)")",
                               offered: offered.isEmpty ? "none of \(names.map(\.name).joined(separator: ", "))" : offered.joined(separator: ", "))
        }
        snd_pcm_hw_params_set_format(handle, hw, format.alsa)
        if snd_pcm_hw_params_test_channels(handle, hw, UInt32(channels)) < 0 {
            var low: UInt32 = 0, high: UInt32 = 0
            snd_pcm_hw_params_get_channels_min(hw, &low)
            snd_pcm_hw_params_get_channels_max(hw, &high)
            throw .unsupported(device: name, direction: direction.rawValue, setting: "\(channels) channels", offered: low == high ? "\(low)" : "\(low)–\(high)")
        }
        snd_pcm_hw_params_set_channels(handle, hw, UInt32(channels))
        if snd_pcm_hw_params_test_rate(handle, hw, UInt32(rate), 0) < 0 {
            var low: UInt32 = 0, high: UInt32 = 0
            var dir: Int32 = 0
            snd_pcm_hw_params_get_rate_min(hw, &low, &dir)
            snd_pcm_hw_params_get_rate_max(hw, &high, &dir)
            throw .unsupported(device: name, direction: direction.rawValue, setting: "rate \(rate)", offered: low == high ? "\(low)" : "\(low)–\(high) Hz")
        }
        snd_pcm_hw_params_set_rate(handle, hw, UInt32(rate), 0)
        var period = snd_pcm_uframes_t(periodFrames)
        var dir: Int32 = 0
        code = snd_pcm_hw_params_set_period_size_near(handle, hw, &period, &dir)
        if code < 0 { throw fail("period of \(periodFrames) frames refused", code) }
        var buffer = snd_pcm_uframes_t(max(bufferFrames, 3 * Int(period)))
        code = snd_pcm_hw_params_set_buffer_size_near(handle, hw, &buffer)
        if code < 0 { throw fail("buffer of \(bufferFrames) frames refused", code) }
        code = snd_pcm_hw_params(handle, hw)
        if code < 0 { throw fail("cannot apply the settings", code) }
        periodFrames = Int(period)
        bufferFrames = Int(buffer)

        var swp: OpaquePointer?
        snd_pcm_sw_params_malloc(&swp)
        guard let sw = swp else { throw fail("cannot allocate parameters", -ENOMEM) }
        defer { snd_pcm_sw_params_free(sw) }
        snd_pcm_sw_params_current(handle, sw)
        snd_pcm_sw_params_set_avail_min(handle, sw, period)
        // Playback starts once the buffer holds all but one period: enough to ride out a late period.
        let threshold = direction == .playback ? snd_pcm_uframes_t(max(Int(period), Int(buffer) - Int(period))) : 1
        snd_pcm_sw_params_set_start_threshold(handle, sw, threshold)
        code = snd_pcm_sw_params(handle, sw)
        if code < 0 { throw fail("cannot apply the software settings", code) }
        code = snd_pcm_prepare(handle)
        if code < 0 { throw fail("cannot prepare", code) }
    }

    /// Frames a playback buffer must hold before it starts.
    public var startThreshold: Int { max(periodFrames, bufferFrames - periodFrames) }

    public func read(_ buffer: UnsafeMutableRawPointer, frames: Int) -> Int {
        snd_pcm_readi(handle, buffer, snd_pcm_uframes_t(frames))
    }

    public func write(_ buffer: UnsafeRawPointer, frames: Int) -> Int {
        snd_pcm_writei(handle, buffer, snd_pcm_uframes_t(frames))
    }

    public func writeSilence(frames: Int) -> Int {
        // A zero sample is silence in every format used here (signed integers and float).
        let bytes = 256 * channels * format.bytes
        return withUnsafeTemporaryAllocation(byteCount: bytes, alignment: 16) { raw -> Int in
            raw.initializeMemory(as: UInt8.self, repeating: 0)
            var done = 0
            while done < frames {
                let n = snd_pcm_writei(handle, raw.baseAddress!, snd_pcm_uframes_t(min(256, frames - done)))
                if n < 0 { return n == -Int(EAGAIN) ? done : n }
                done += n
            }
            return done
        }
    }

    public func recover(_ error: Int) -> Int {
        Int(snd_pcm_recover(handle, Int32(error), 1))
    }

    public func start() -> Int {
        Int(snd_pcm_start(handle))
    }

    public func wait(milliseconds: Int) -> Int {
        Int(snd_pcm_wait(handle, Int32(milliseconds)))
    }

    public func drain() {
        if direction == .playback {
            snd_pcm_nonblock(handle, 0)
            snd_pcm_drain(handle)
        } else {
            snd_pcm_drop(handle)
        }
    }
}
