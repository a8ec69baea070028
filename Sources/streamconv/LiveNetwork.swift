import Foundation
import StreamConv
import StreamConvIO
import StreamConvPresets

extension LiveCommand {
    /// `live` with a network preset: the network as the audio thread's stage (no swaps yet:
    /// `--control` is refused for a network).
    func runNetwork(_ chosen: NetworkPreset) throws {
        var network = chosen
        if network.acceptsAnyChannels, let channels { network.inChannels = channels }
        if control != nil { throw LiveError("--control swaps filter presets; \(network.name) is a network, which a live run cannot swap yet") }
        let captureRate = rate ?? network.sampleRate ?? Preset.designRate
        let channelCount = channels ?? network.inChannels
        if channelCount != network.inChannels {
            throw LiveError("--channels \(channelCount) but the network expects in_channels=\(network.inChannels); capture \(network.inChannels) channels")
        }
        if let fixed = network.sampleRate, fixed != captureRate {
            throw LiveError("capture at \(captureRate) Hz but the network was trained at \(fixed) Hz; capture at \(fixed) Hz")
        }
        let graph = try presetOptions.graph(network, as: Float.self, rate: captureRate)
        guard let outRate = graph.ratio.wholeOutputRate(inputRate: captureRate) else {
            throw LiveError("\(network.name) turns \(captureRate) Hz into \(graph.ratio.outputRate(inputRate: captureRate)) Hz, which no device can play; capture at a rate its strides divide")
        }
        let budget = try MemoryBudget(option: maxMemory)
        let summary = NetworkSummary(graph)
        let filterBytes = Saturating.product([summary.parameters, 4, 2])
        try budget.check(filterBytes, for: "running \(network.name) live")
        let stage = Network(graph, maxFrames: period)
        let facts = LiveFacts(name: network.name, inputChannels: channelCount, outputChannels: graph.outputChannels, captureRate: captureRate,
                              outputRate: outRate, ratio: graph.ratio, keepsTail: true, filterBytes: filterBytes, historyFrames: 0,
                              swappable: false) { try? graph.outputLength(inputLength: $0) }
        try runLive(stage, facts: facts, fifo: nil, budget: budget)
    }
}
