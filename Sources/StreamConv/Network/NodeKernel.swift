/// One node of a running network: reads its inputs' queues from its own position, writes
/// its output queue. Subclasses are the closed set of ops (``NetworkOp``); the network calls
/// them in topological order, so every input is up to date when a node runs.
///
/// Frame-count bounds (``bounds``): after `n` input frames a node has written between
/// `ratio·n − lag` and `ratio·n + lead` frames, so the network can size every queue at
/// prepare; the property tests check each kernel against its bounds after every chunk.
class NodeKernel<T: ConvScalar>: @unchecked Sendable {
    /// The node's name, for errors.
    let name: String
    /// The queues read, in input order.
    let inputs: [FrameQueue<T>]
    /// The queue written.
    let output: FrameQueue<T>
    /// Frames taken from every input so far (inputs are read frame by frame, together).
    var consumed: Int64 = 0
    /// Whether finish has run.
    var finished = false

    init(name: String, inputs: [FrameQueue<T>], output: FrameQueue<T>) {
        self.name = name
        self.inputs = inputs
        self.output = output
    }

    /// Frames every input holds beyond this node's position.
    var available: Int {
        var least = inputs[0].produced
        for q in inputs.dropFirst() { least = min(least, q.produced) }
        return Int(least - consumed)
    }

    /// Takes every available frame.
    final func step() {
        let n = available
        guard n > 0 else { return }
        run(from: consumed, count: n)
        consumed += Int64(n)
    }

    /// Ends the node's input: checks that its inputs have the same length (PyTorch raises
    /// where they differ), takes what is left and writes the tail.
    final func finish() throws(Conv1dError) {
        for q in inputs.dropFirst() where q.produced != inputs[0].produced {
            // Allocates, but only on the way out with an error.
            throw .branchLengths(node: name, lengths: inputs.map { Int($0.produced) })
        }
        step()
        finished = true
        do {
            try end()
        } catch {
            throw .node(name: name, error)
        }
    }

    /// Exact output frames `step` would write after `extra` more frames of every input.
    func outputCount(afterInput extra: Int) -> Int { extra }

    /// Exact output frames from now through `finish`, given `extra` more input frames, or the
    /// error `finish` would throw.
    func finalCount(afterInput extra: Int) throws(Conv1dError) -> Int { outputCount(afterInput: extra) }

    /// Frame-count bounds relative to the input: (ratio, lag, lead, tail), where `tail` bounds
    /// what finish writes.
    var bounds: KernelBounds { KernelBounds(ratio: .one, lag: 0, lead: 0, tail: 0) }

    /// Makes room for `frames` input frames per step. Allocates.
    func prepare(maxInput frames: Int) {}

    /// Forgets the signal.
    func reset() {
        consumed = 0
        finished = false
    }

    /// Computes outputs for input frames `from..<from+count` into ``output``.
    func run(from frame: Int64, count: Int) { fatalError("NodeKernel.run is abstract") }

    /// Writes what the end of the signal completes.
    func end() throws(Conv1dError) {}

    /// The same kernel in the same state over other queues. Allocates.
    func copy(inputs: [FrameQueue<T>], output: FrameQueue<T>) -> NodeKernel<T> { fatalError("NodeKernel.copy is abstract") }

    /// The first broken internal invariant, or `nil`.
    func checkInvariants() -> String? { nil }

    /// Copies the base state into a fresh copy.
    final func copyState(to other: NodeKernel<T>) -> NodeKernel<T> {
        other.consumed = consumed
        other.finished = finished
        return other
    }
}

/// How many frames a node writes for its input: between `ratio·n − lag` and
/// `ratio·n + lead` after `n` input frames, and at most `tail` more at the end.
struct KernelBounds {
    var ratio: FrameRatio
    var lag: Int
    var lead: Int
    var tail: Int
}
