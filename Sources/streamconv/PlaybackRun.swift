import Foundation
import StreamConv
import StreamConvALSA
import StreamConvIO

/// `run --playback DEV`: a file (or a pipe) through the filter to an ALSA device in real
/// time. This thread reads the input into a ring; the audio thread runs the live loop from
/// it, paced by the device, with the same xrun handling and stats as `live`.
struct PlaybackRun {
    let source: any AudioSource
    let conv: Conv1d<Float>
    let device: String
    let format: PCMFormat
    let period: Int
    let dither: Dither
    /// False for an impulse response with `"tail": false`: playback ends with the input.
    var keepTail = true

    func run(presetName: String) throws {
        let spec = conv.spec
        let outRate = try FilterPipeline.outputRate(inputRate: source.sampleRate, stride: spec.stride)
        let outPeriod = max(1, period / spec.stride)
        let pcm = try PCM(name: device, direction: .playback, settings: .init(
            format: format, channels: spec.outChannels, rate: outRate, periodFrames: outPeriod))
        let counters = LiveCounters()
        let ring = FrameRing(channels: spec.inChannels, capacity: max(8 * period, source.sampleRate / 2))
        let capture = RingCapture(name: source.name, ring: ring, periodFrames: period, counters: counters)
        let loop = LiveLoop(capture: capture, conv: conv, destination: .playback(pcm), rate: source.sampleRate, dither: dither, keepTail: keepTail, counters: counters)
        let report = LiveReport(spec: spec, captureRate: source.sampleRate, capturePeriod: period, playbackBuffer: pcm.bufferFrames, counters: counters)
        var block = Signal<Float>(channels: spec.inChannels, capacity: period)
        var held = false
        var ended = false
        var readError: (any Error)?
        let outcome = AudioThread.run(loop, counters: counters, report: report, statsEvery: nil) {
            // Keep the ring topped up; a block that does not fit waits for the next call.
            while !ended {
                if !held {
                    do {
                        if try source.read(into: &block) == 0 {
                            ended = true
                            ring.close()
                            return
                        }
                    } catch {
                        readError = error
                        ended = true
                        ring.close()
                        return
                    }
                    held = true
                }
                guard ring.space >= block.frames else { return }
                _ = ring.push(block)
                held = false
            }
        }
        printError("\(presetName): " + report.line(final: true, outcome: outcome))
        if let readError { throw readError }
        if let error = outcome.filterError { throw error }
        if let error = outcome.error { throw error }
    }
}
