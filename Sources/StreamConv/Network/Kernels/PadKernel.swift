/// A `pad` node, `F.pad(x, (left, right), mode, value)` streamed: the left pad goes out as
/// soon as the samples it copies have arrived (reflect waits for `left + 1`), a negative
/// right amount holds that many frames back (they are the ones cropped), and the right pad
/// is written at the end from the last frames kept.
final class PadKernel<T: ConvScalar>: NodeKernel<T>, @unchecked Sendable {
    let left: Int, right: Int, mode: PaddingMode, value: T
    private let skip: Int, padLeft: Int, hold: Int, padRight: Int
    /// Input frames needed before the left pad can be written.
    private let need: Int
    /// Last frames kept for the right pad.
    private let keep: Int
    /// The input after the cropped start: frames not yet written, and the last `keep`.
    private var pending: FrameQueue<T>
    private var maxInput: Int
    private var received: Int64 = 0
    private var skipped = 0
    private var leftDone = false
    /// Input frames (after the crop) written so far.
    private var emitted: Int64 = 0

    init(name: String, left: Int, right: Int, mode: PaddingMode, value: T, inputs: [FrameQueue<T>], output: FrameQueue<T>, maxInput: Int) {
        (self.left, self.right, self.mode, self.value) = (left, right, mode, value)
        (skip, padLeft, hold, padRight) = (max(0, -left), max(0, left), max(0, -right), max(0, right))
        switch mode {
        case .reflect: (need, keep) = (padLeft > 0 ? padLeft + 1 : 0, padRight > 0 ? padRight + 1 : 0)
        case .replicate: (need, keep) = (padLeft > 0 ? 1 : 0, padRight > 0 ? 1 : 0)
        default: (need, keep) = (padLeft > 0 ? 1 : 0, 0)
        }
        self.maxInput = max(1, maxInput)
        pending = FrameQueue(channels: output.channels, capacity: 0)
        super.init(name: name, inputs: inputs, output: output)
        prepare(maxInput: self.maxInput)
    }

    override func copy(inputs: [FrameQueue<T>], output: FrameQueue<T>) -> NodeKernel<T> {
        let other = PadKernel(name: name, left: left, right: right, mode: mode, value: value, inputs: inputs, output: output, maxInput: maxInput)
        other.pending = pending.copy()
        (other.received, other.skipped, other.leftDone, other.emitted) = (received, skipped, leftDone, emitted)
        return copyState(to: other)
    }

    override func prepare(maxInput frames: Int) {
        maxInput = max(maxInput, frames)
        let capacity = maxInput + need + hold + keep + 2
        guard capacity > pending.capacity else { return }
        let grown = FrameQueue<T>(channels: output.channels, capacity: capacity)
        grown.adopt(pending)
        pending = grown
    }

    override func reset() {
        super.reset()
        pending.reset()
        (received, skipped, leftDone, emitted) = (0, 0, false, 0)
    }

    @_specialize(where T == Float)
    @_specialize(where T == Double)
    override func run(from frame: Int64, count: Int) {
        let source = inputs[0].view(from: frame)
        received += Int64(count)
        var done = 0
        if skipped < skip {
            let n = min(count, skip - skipped)
            skipped += n
            done = n
        }
        while done < count {
            let n = min(count - done, pending.room)
            pending.append(source.dropping(done), count: n)
            done += n
            emit()
        }
    }

    /// Writes the left pad once it can, then every frame not held back.
    private func emit() {
        if !leftDone && pending.produced >= Int64(need) {
            leftDone = true
            writeLeftPad()
        }
        guard leftDone else { return }
        let end = pending.produced - Int64(hold)
        if end > emitted {
            output.append(pending.view(from: emitted), count: Int(end - emitted))
            emitted = end
        }
        pending.discard(before: min(emitted, pending.produced - Int64(keep)))
    }

    private func writeLeftPad() {
        let (pad, mode, value) = (padLeft, mode, value)
        let queue = pending
        output.append(count: pad) { c, j in
            switch mode {
            case .reflect: return queue[c, Int64(pad - j)]
            case .replicate: return queue[c, 0]
            default: return value
            }
        }
    }

    override func end() throws(Conv1dError) {
        let length = Int(received)
        try check(length: length)
        if !leftDone {
            leftDone = true
            writeLeftPad()
        }
        emit()
        let (pad, mode, value, last) = (padRight, mode, value, pending.produced - 1)
        let queue = pending
        output.append(count: pad) { c, j in
            switch mode {
            case .reflect: return queue[c, last - 1 - Int64(j)]
            case .replicate: return queue[c, last]
            default: return value
            }
        }
    }

    private func check(length: Int) throws(Conv1dError) {
        if length == 0 { throw .emptyInput }
        if mode == .reflect && (padLeft >= length || padRight >= length) {
            throw .reflectPaddingTooLarge(left: padLeft, right: padRight, inputLength: length)
        }
        if skip + hold > length { throw .cropTooLarge(left: left, right: right, inputLength: length) }
    }

    private func written(received r: Int64, leftDone done: Bool) -> Int64 {
        let frames = max(0, r - Int64(skip))
        let isDone = done || frames >= Int64(need)
        return isDone ? Int64(padLeft) + max(0, frames - Int64(hold)) : 0
    }

    override func outputCount(afterInput extra: Int) -> Int {
        Int(written(received: received + Int64(extra), leftDone: leftDone) - written(received: received, leftDone: leftDone))
    }

    override func finalCount(afterInput extra: Int) throws(Conv1dError) -> Int {
        let length = Int(received) + extra
        do { try check(length: length) } catch { throw .node(name: name, error) }
        let total = Int64(length - skip - hold + padLeft + padRight)
        return Int(total - written(received: received, leftDone: leftDone))
    }

    override var bounds: KernelBounds {
        KernelBounds(ratio: .one, lag: skip + hold + need, lead: padLeft, tail: padLeft + need + padRight + hold + 1)
    }

}

/// A `delay` node: `frames` zeros, then the input, cut to the input's length.
final class DelayKernel<T: ConvScalar>: NodeKernel<T>, @unchecked Sendable {
    let frames: Int
    /// The last `frames` frames not yet written (zeros at the start).
    private var line: FrameQueue<T>
    private var maxInput: Int

    init(name: String, frames: Int, inputs: [FrameQueue<T>], output: FrameQueue<T>, maxInput: Int) {
        self.frames = frames
        self.maxInput = max(1, maxInput)
        line = FrameQueue(channels: output.channels, capacity: frames + self.maxInput)
        super.init(name: name, inputs: inputs, output: output)
        reset()
    }

    override func copy(inputs: [FrameQueue<T>], output: FrameQueue<T>) -> NodeKernel<T> {
        let other = DelayKernel(name: name, frames: frames, inputs: inputs, output: output, maxInput: maxInput)
        other.line = line.copy()
        return copyState(to: other)
    }

    override func prepare(maxInput frames: Int) {
        guard frames > maxInput else { return }
        maxInput = frames
        let grown = FrameQueue<T>(channels: output.channels, capacity: self.frames + frames)
        grown.adopt(line)
        line = grown
    }

    override func reset() {
        super.reset()
        line.reset()
        line.append(count: frames) { _, _ in 0 }
    }

    @_specialize(where T == Float)
    @_specialize(where T == Double)
    override func run(from frame: Int64, count: Int) {
        let source = inputs[0].view(from: frame)
        var done = 0
        while done < count {
            let n = min(count - done, line.room)
            line.append(source.dropping(done), count: n)
            output.append(line.view(from: line.start), count: n)
            line.discard(before: line.start + Int64(n))
            done += n
        }
    }
}
