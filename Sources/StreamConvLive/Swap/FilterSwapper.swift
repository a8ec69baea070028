import Foundation
import StreamConv
import Synchronization

/// The control side of live filter swaps: a thread below the audio thread that builds each
/// requested filter, starts it from the input history, catches it up, checks that both
/// filters together keep up, offers it to the audio thread, and frees the filters the audio
/// thread hands back. Requests are taken one at a time, in order; what became of each is an
/// ``Event`` for the caller to print.
public final class FilterSwapper: @unchecked Sendable {
    // Unchecked: the request queue, events and the active name are behind a mutex; the rest
    // is constants, atomics and the builder thread's own state.

    /// Makes the new filter's slot (resolves the preset, builds the stage and its workers).
    public typealias Make = @Sendable () throws -> StageSlot

    /// What became of a request.
    public enum Event: Sendable, CustomStringConvertible {
        /// `name` took over at output frame `atFrame`, fading in over `crossfadeFrames` output
        /// frames.
        case swapped(name: String, atFrame: Int, crossfadeFrames: Int)
        /// `request` was refused; `running` keeps running.
        case refused(request: String, reason: SwapRefusal, running: String)

        public var description: String {
            switch self {
            case let .swapped(name, at, frames):
                return "swapped to \(name) at output frame \(at)" + (frames > 0 ? " (crossfade of \(frames) frames)" : " (cut)")
            case let .refused(request, reason, running):
                return "swap to \(request) refused: \(reason); still running \(running)"
            }
        }
    }

    private struct Request {
        let label: String
        let make: Make
    }

    private struct State {
        var requests: [Request] = []
        var events: [Event] = []
        var active: String
        var stopping = false
        var stopped = false
    }

    private let control: SwapControl
    private let shape: FilterShape
    private let counters: LiveCounters
    private let rate: Int
    private let loadLimitPercent: Double
    private let state: Mutex<State>
    private let wake = Semaphore()
    /// Periods a new filter's cost is measured over before it is offered.
    static let measuredPeriods = 32

    /// A swapper for the processor whose filter has `shape`, named `running`, at `rate` Hz;
    /// refuses a swap whose two filters would together need more than `loadLimitPercent` of
    /// a period (median). Starts its thread.
    public init(control: SwapControl, shape: FilterShape, counters: LiveCounters, rate: Int, running: String, loadLimitPercent: Double = 70) {
        self.control = control
        self.shape = shape
        self.counters = counters
        self.rate = max(1, rate)
        self.loadLimitPercent = loadLimitPercent
        state = Mutex(State(active: running))
        let thread = Thread { [self] in loop() }
        thread.name = "streamconv-swap"
        thread.stackSize = 1 << 20
        thread.start()
    }

    /// Asks for a swap to the filter `make` builds, shown as `label` until it is built.
    public func request(_ label: String, make: @escaping Make) {
        state.withLock { $0.requests.append(Request(label: label, make: make)) }
        wake.signal()
    }

    /// What happened since the last call, oldest first.
    public func events() -> [Event] {
        state.withLock { s in
            defer { s.events.removeAll() }
            return s.events
        }
    }

    /// Swaps the audio thread has taken so far.
    public var swapsTaken: Int { control.swaps.load(ordering: .relaxed) }

    /// The name of the filter running now (as far as this side knows: the last swap taken).
    public var activeName: String { state.withLock { $0.active } }

    /// Whether a request is waiting or being worked on.
    public var busy: Bool { state.withLock { !$0.requests.isEmpty } || working.load(ordering: .acquiring) }
    private let working = Atomic<Bool>(false)

    /// Ends the thread (after the audio thread has ended: then an offer not taken is dropped)
    /// and frees what was handed back.
    public func stop() {
        state.withLock { $0.stopping = true }
        wake.signal()
        while !state.withLock({ $0.stopped }) { wake.signal(); usleep(1000) }
        retireReturned()
    }

    private var stopping: Bool { state.withLock { $0.stopping } }

    private func loop() {
        while !stopping {
            retireReturned()
            let next: Request? = state.withLock { s in s.requests.isEmpty ? nil : s.requests.removeFirst() }
            if let next {
                working.store(true, ordering: .releasing)
                let event = perform(next)
                state.withLock { s in
                    if case let .swapped(name, _, _) = event { s.active = name }
                    s.events.append(event)
                }
                working.store(false, ordering: .releasing)
            } else {
                wake.wait(nanoseconds: 10_000_000)
            }
        }
        state.withLock { $0.stopped = true }
    }

    /// Frees the filters the audio thread handed back after their fade (and their workers).
    private func retireReturned() {
        while let slot = control.takeReturned() { slot.workers?.stop() }
    }

    private func perform(_ request: Request) -> Event {
        let running = activeName
        do throws(SwapRefusal) {
            let name = try swap(request)
            return .swapped(name: name, atFrame: control.lastSwapFrame.load(ordering: .acquiring), crossfadeFrames: control.crossfadeFrames)
        } catch {
            return .refused(request: request.label, reason: error, running: running)
        }
    }

    /// Builds, joins, catches up, measures, offers; the new filter's name once taken.
    private func swap(_ request: Request) throws(SwapRefusal) -> String {
        let slot: StageSlot
        do {
            slot = try request.make()
        } catch {
            throw .build(error)
        }
        // A refused filter's workers (if it started any) end here.
        var offered = false
        defer { if !offered { slot.workers?.stop() } }
        let history = control.history
        let kept = history.capacity - history.maxAppend - control.maxGap
        let needed = slot.joinHistory ?? Int(min(Int64(Int.max), history.frames))
        if let reason = PeriodProcessor.refusal(slot, replacing: shape) { throw .mismatch(reason) }
        guard needed <= kept else { throw .historyTooShort(needed: needed, kept: kept, rate: rate) }
        slot.prepare(period: shape.period)

        // Join at the newest frame, from as much of the past as the filter needs.
        var past = Signal<Float>(channels: shape.inputChannels, capacity: max(1, needed))
        var end: Int64
        repeat {
            end = history.frames
            guard !control.ended.load(ordering: .acquiring) else { throw .ended }
        } while !history.read(max(0, end - Int64(needed))..<end, into: &past)
        do {
            try slot.stage.join(history: past, endingAt: end)
        } catch {
            throw .join(error)
        }
        slot.position = end
        let count = slot.outputFrameCount(afterProcessing: shape.period)
        if count > shape.readyCapacity {
            throw .mismatch("one period makes \(count) outputs, more than the running filter's buffers hold (\(shape.readyCapacity))")
        }

        // Catch up period by period, timing each: the new filter's cost per period.
        var costs: [Int64] = []
        var chunk = Signal<Float>(channels: shape.inputChannels, capacity: shape.period)
        var out = Signal<Float>(channels: shape.outputChannels, capacity: shape.readyCapacity)
        let periodNanos = Int64(shape.period) * 1_000_000_000 / Int64(rate)
        func catchUp() throws(SwapRefusal) {
            while history.frames - slot.position >= Int64(shape.period) {
                let range = slot.position..<(slot.position + Int64(shape.period))
                guard history.read(range, into: &chunk) else { throw .historyTooShort(needed: needed, kept: kept, rate: rate) }
                let started = PeriodProcessor.nanoseconds()
                do { try slot.stage.process(chunk, into: &out) } catch { throw .join(error) }
                costs.append(PeriodProcessor.nanoseconds() - started)
                slot.position = range.upperBound
            }
        }
        while costs.count < Self.measuredPeriods {
            try catchUp()
            guard !control.ended.load(ordering: .acquiring) else { throw .ended }
            if costs.count < Self.measuredPeriods { usleep(UInt32(max(200, periodNanos / 2000))) }
        }
        costs.sort()
        let newPercent = Double(costs[costs.count / 2]) / Double(periodNanos) * 100
        let oldPercent = control.crossfadeFrames > 0 ? counters.periodLoads.snapshot().percentile(0.5) : 0
        if oldPercent + newPercent > loadLimitPercent {
            throw .tooSlow(oldPercent: oldPercent, newPercent: newPercent, limitPercent: loadLimitPercent)
        }
        if let workers = slot.workers {
            workers.countLateBlocks(false)
            slot.stage.schedule(on: workers)
        }

        // Offer when the audio thread would take it, caught up to within a period; one it
        // hands back (it fell behind meanwhile) is caught up again and offered again.
        let swapsBefore = control.swaps.load(ordering: .acquiring)
        while true {
            guard !control.ended.load(ordering: .acquiring), !stopping else { throw .ended }
            try catchUp()
            if control.idle.load(ordering: .acquiring) && !control.offerPending {
                // From the audio thread's first period with it, waits are deadlines missed
                // (the mailbox's release orders this store before the audio thread sees it).
                slot.workers?.countLateBlocks(true)
                offered = control.offer(slot)
                if !offered { slot.workers?.countLateBlocks(false) }
            }
            if offered {
                // Taken, or handed back stale.
                while control.offerPending && !control.ended.load(ordering: .acquiring) { usleep(500) }
                if control.withdrawOffer() != nil {
                    offered = false
                    throw .ended
                }
                while control.swaps.load(ordering: .acquiring) == swapsBefore {
                    if let back = control.takeReturned() {
                        if back === slot {
                            slot.stale = false
                            slot.workers?.countLateBlocks(false)
                            offered = false
                            break
                        }
                        back.workers?.stop()
                    }
                    if control.ended.load(ordering: .acquiring) { throw .ended }
                    usleep(500)
                }
                if offered { return slot.name }
            } else {
                usleep(1000)
            }
        }
    }
}
