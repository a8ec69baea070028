import Foundation
import StreamConvALSA
import StreamConvIO

#if canImport(Glibc)
import Glibc
#endif

/// A capture device that plays a script: each read delivers frames from `samples` or returns
/// an injected fault.
public final class ScriptedCapture: PCMDevice {
    public enum Step { case frames(Int), fault(Int32), silentFor(milliseconds: Int) }
    public let name = "scripted"
    public let format: SampleEncoding = .s16
    public let channels: Int
    public let periodFrames: Int
    public let bufferFrames: Int
    public let startThreshold = 1
    private var source: CapturedSamples
    private var script: [Step]
    private var step = 0
    public private(set) var recoveries: [Int] = []
    private var quietUntil: ContinuousClock.Instant?

    public init(samples: [Int16], channels: Int, period: Int, script: [Step]) {
        source = CapturedSamples(samples, channels: channels)
        self.channels = channels
        periodFrames = period
        bufferFrames = 4 * period
        self.script = script
    }

    public func read(_ buffer: UnsafeMutableRawPointer, frames: Int) -> Int {
        var want = frames
        if step < script.count {
            defer { step += 1 }
            switch script[step] {
            case let .fault(code): return Int(code)
            case let .frames(n): want = min(want, n)
            case let .silentFor(milliseconds):
                // Delivers nothing until the time has passed (wait() sleeps a little each time).
                if quietUntil == nil { quietUntil = ContinuousClock.now + .milliseconds(milliseconds) }
                if ContinuousClock.now < quietUntil! {
                    step -= 1
                    return -Int(EAGAIN)
                }
                quietUntil = nil
                want = 0
            }
            if want == 0 { return -Int(EAGAIN) }
        }
        guard source.left > 0 else { return -Int(EAGAIN) }
        return source.deliver(into: buffer, frames: want)
    }

    public func write(_ buffer: UnsafeRawPointer, frames: Int) -> Int { -Int(EBADF) }
    public func writeSilence(frames: Int) -> Int { -Int(EBADF) }
    public func recover(_ error: Int) -> Int {
        recoveries.append(error)
        return 0
    }
    public func start() -> Int { 0 }
    public func wait(milliseconds: Int) -> Int {
        usleep(2000)
        return 0
    }
    public func drain() {}
}

/// A FLOAT_LE playback device that records what is written, and can inject faults.
public final class RecordingPlayback: PCMDevice {
    public let name = "recorder"
    public let format: SampleEncoding = .f32
    public let channels: Int
    public let periodFrames = 64
    public let bufferFrames = 256
    public let startThreshold = 192
    private var faults: [Int: Int32]
    private var calls = 0
    public private(set) var frames: [[Float]]
    public private(set) var silence = 0
    public private(set) var drained = false

    public init(channels: Int, faults: [Int: Int32] = [:]) {
        self.channels = channels
        self.faults = faults
        frames = Array(repeating: [], count: channels)
    }

    public func read(_ buffer: UnsafeMutableRawPointer, frames: Int) -> Int { -Int(EBADF) }
    public func write(_ buffer: UnsafeRawPointer, frames n: Int) -> Int {
        defer { calls += 1 }
        if let fault = faults.removeValue(forKey: calls) { return Int(fault) }
        let take = min(n, 50)
        for i in 0..<take {
            for c in 0..<channels {
                frames[c].append(buffer.loadUnaligned(fromByteOffset: (i * channels + c) * 4, as: Float.self))
            }
        }
        return take
    }
    public func writeSilence(frames: Int) -> Int {
        silence += frames
        return frames
    }
    public func recover(_ error: Int) -> Int { 0 }
    public func start() -> Int { 0 }
    public func wait(milliseconds: Int) -> Int { 1 }
    public func drain() { drained = true }
}
