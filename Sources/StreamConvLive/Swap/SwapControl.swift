import Synchronization

/// What a live filter swap shares between the thread that builds the new filter and the audio
/// thread: the input history a new filter joins from, two single-slot lock-free mailboxes
/// (a new filter offered to the audio thread; an old or stale one handed back, so nothing is
/// freed on the audio thread), and counters for the stats.
///
/// The audio thread only exchanges and compares-and-swaps pointers and stores counters: no
/// lock, allocation or release of the last reference happens on its side.
public final class SwapControl: @unchecked Sendable {
    // Unchecked: atomics, and constants set in init.
    /// The captured input's recent past.
    public let history: InputHistory
    /// Output frames a crossfade lasts (0: a cut).
    public let crossfadeFrames: Int
    /// The most input frames the audio thread feeds a new filter to catch it up, in the
    /// period that takes it over; a filter further behind is handed back to catch up first.
    public let maxGap: Int
    private let offered = Atomic<Unmanaged<StageSlot>?>(nil)
    private let returned = Atomic<Unmanaged<StageSlot>?>(nil)
    /// Whether the audio thread would take an offer now (no fade running, nothing waiting to
    /// be handed back).
    public let idle = Atomic<Bool>(true)
    /// Swaps begun (a new filter took over and its fade started).
    public let swaps = Atomic<Int>(0)
    /// The output frame the last fade began at (-1: none yet).
    public let lastSwapFrame = Atomic<Int>(-1)
    /// Times a new filter was handed back to catch up.
    public let staleOffers = Atomic<Int>(0)
    /// Set when the audio thread has ended: nothing is taken any more.
    public let ended = Atomic<Bool>(false)

    /// Swaps for periods of up to `period` frames of `channels` channels, keeping
    /// `historyFrames` input frames, fading over `crossfadeFrames` output frames.
    public init(channels: Int, period: Int, historyFrames: Int, crossfadeFrames: Int) {
        history = InputHistory(channels: channels, capacity: max(historyFrames, 8 * period) + period, maxAppend: period)
        self.crossfadeFrames = max(0, crossfadeFrames)
        maxGap = 4 * period
    }

    deinit {
        offered.exchange(nil, ordering: .acquiring)?.release()
        returned.exchange(nil, ordering: .acquiring)?.release()
    }

    // The builder's side.

    /// Offers `slot` to the audio thread; false when an offer is already waiting.
    public func offer(_ slot: StageSlot) -> Bool {
        let bits = Unmanaged.passRetained(slot)
        if offered.compareExchange(expected: nil, desired: bits, ordering: .releasing).exchanged { return true }
        bits.release()
        return false
    }

    /// Takes back an offer not yet taken (`nil`: the audio thread has it).
    public func withdrawOffer() -> StageSlot? {
        offered.exchange(nil, ordering: .acquiring)?.takeRetainedValue()
    }

    /// Whether an offer is waiting.
    public var offerPending: Bool { offered.load(ordering: .acquiring) != nil }

    /// A slot the audio thread handed back (retired after its fade, or stale), if any.
    public func takeReturned() -> StageSlot? {
        returned.exchange(nil, ordering: .acquiring)?.takeRetainedValue()
    }

    // The audio thread's side.

    /// The waiting offer, if any. Real-time safe.
    func takeOffer() -> StageSlot? {
        offered.exchange(nil, ordering: .acquiring)?.takeRetainedValue()
    }

    /// Hands `slot` back to the builder; false when the mailbox is still full (try again next
    /// period). Real-time safe: the mailbox keeps the reference, so the caller's release of
    /// its own frees nothing.
    func giveBack(_ slot: StageSlot) -> Bool {
        let bits = Unmanaged.passRetained(slot)
        if returned.compareExchange(expected: nil, desired: bits, ordering: .releasing).exchanged { return true }
        bits.release()
        return false
    }
}
