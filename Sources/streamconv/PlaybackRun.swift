import Foundation
import StreamConv
import StreamConvALSA
import StreamConvLive
import StreamConvIO

/// `run --playback DEV`: a file (or a pipe) through a stage to an ALSA device in real
/// time. This thread reads the input into a ring; the audio thread runs the live loop from
/// it, paced by the device, with the same xrun handling and stats as `live`.
struct PlaybackRun {
    let source: any AudioSource
    let device: String
    let format: SampleEncoding
    let period: Int
    let dither: Dither
    /// False for an impulse response with `"tail": false`: playback ends with the input.
    var keepTail = true

    /// Plays the source through `stage`; `presetName` heads the report line.
    func run<S: Stage<Float> & ~Copyable>(_ stage: consuming sending S, presetName: String) throws {
        let (ratio, inputs, outputs, latency) = (stage.rateRatio, stage.inputChannels, stage.outputChannels, stage.latency)
        guard let outRate = ratio.wholeOutputRate(inputRate: source.sampleRate) else {
            throw IOError.strideRate(rate: source.sampleRate, stride: ratio.inputs / ratio.outputs)
        }
        let outPeriod = max(1, period * ratio.outputs / ratio.inputs)
        let pcm = try PCM(name: device, direction: .playback, settings: .init(
            format: format, channels: outputs, rate: outRate, periodFrames: outPeriod))
        let counters = LiveCounters()
        let ring = FrameRing(channels: inputs, capacity: max(8 * period, source.sampleRate / 2))
        let capture = RingCapture(name: source.name, ring: ring, periodFrames: period, counters: counters)
        // A long FFT filter's large partitions run on worker threads, as in `live`.
        let workers = PartitionWorkers(rate: source.sampleRate, counters: counters.workerCounters)
        defer { workers.stop() }
        let loop = LiveLoop(capture: capture, stage: stage, destination: .playback(pcm), rate: source.sampleRate, dither: dither, keepTail: keepTail, counters: counters, workers: workers)
        var report = LiveReport(latency: latency, ratio: ratio, captureRate: source.sampleRate, capturePeriod: period, playbackBuffer: pcm.bufferFrames, counters: counters)
        report.filterName = presetName
        var block = Signal<Float>(channels: inputs, capacity: period)
        var held = false
        var ended = false
        var readError: (any Error)?
        let outcome = LiveRun.run(loop, counters: counters, report: report, statsEvery: nil) {
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
