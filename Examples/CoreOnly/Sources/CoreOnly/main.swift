import StreamConv

// PyTorch's documentation example, streamed in odd-sized chunks and compared bit for bit
// with the whole-signal call; exits 1 on any difference.
let spec = try Conv1dSpec(inChannels: 16, outChannels: 33, kernelSize: 3, stride: 2)
let conv = Conv1d<Float>(spec: spec, seed: 0)
var rng = SeededGenerator(seed: 1)
let x = Signal<Float>((0..<16).map { _ in (0..<50).map { _ in Float(rng.nextUnit() * 2 - 1) } })
var stream = conv.makeStream(maxFrames: 7)
let mismatch = ChunkEquivalence.check(&stream, signal: x, expected: Result { try conv.forward(x) }, chunkSizes: [1, 6, 13, 30])
print(mismatch.map { "differs: \($0)" } ?? "CoreOnly: StreamConv alone links; 50 frames streamed in 4 chunks match forward() bit for bit")
if mismatch != nil { fatalError("chunked output differs") }
