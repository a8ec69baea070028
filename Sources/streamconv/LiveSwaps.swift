import Foundation
import StreamConv
import StreamConvLive
import StreamConvPresets
import Synchronization

/// SIGHUPs seen during a live run with swaps: each asks to re-read the preset.
let liveReloads = Atomic<Int>(0)

/// The CLI's part of live filter swaps: SIGHUP and `--control` lines become swap requests,
/// and what became of each is printed as one line.
final class LiveSwaps {
    let swapper: FilterSwapper
    let control: SwapControl
    private let fifo: ControlFIFO?
    private let make: @Sendable (String) throws -> StageSlot
    /// The preset a SIGHUP re-reads: `--preset`, or the last one `load` asked for.
    private var presetArgument: String
    private var reloadsSeen = 0

    /// - Parameter make: builds the slot for a preset argument (a file or a shipped name).
    init(swapper: FilterSwapper, control: SwapControl, fifo: ControlFIFO?, preset: String, make: @escaping @Sendable (String) throws -> StageSlot) {
        self.swapper = swapper
        self.control = control
        self.fifo = fifo
        self.make = make
        presetArgument = preset
    }

    /// Takes the requests that arrived and prints what became of earlier ones. Called from
    /// the live run's service loop.
    func service() {
        let reloads = liveReloads.load(ordering: .relaxed)
        if reloads != reloadsSeen {
            reloadsSeen = reloads
            request(presetArgument)
        }
        for line in fifo?.lines() ?? [] {
            let text = line.trimmingCharacters(in: .whitespaces)
            if text.isEmpty || text.hasPrefix("#") { continue }
            if text.hasPrefix("load ") || text.hasPrefix("load\t") {
                let preset = text.dropFirst(5).trimmingCharacters(in: .whitespaces)
                presetArgument = preset
                request(preset)
            } else {
                printError("live: --control: unknown command '\(text)'; the command is: load PRESET")
            }
        }
        for event in swapper.events() { printError("live: \(event)") }
    }

    private func request(_ preset: String) {
        let make = make
        swapper.request(preset) { try make(preset) }
    }

    /// After the run: no more offers are taken; frees what is left and prints the last events.
    func finish() {
        control.ended.store(true, ordering: .releasing)
        swapper.stop()
        for event in swapper.events() { printError("live: \(event)") }
    }
}
