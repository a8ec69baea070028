

/// libFuzzer's entry point for the preset parser (`scripts/fuzz`): any bytes go through the
/// UTF-8 check, the JSON parser and the strict preset decoder; small valid presets are built
/// and run on a short signal. Nothing may crash, whatever the input.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPresetParser(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let text = try? PresetLibrary.decodeUTF8(bytes, path: "fuzz"),
          let preset = try? Preset(json: text, defaultName: "fuzz", impulseResponses: fuzzResponses) else { return 0 }
    let spec = preset.spec
    // Only what a run would accept anyway: small filters, briefly.
    guard spec.weightBytes(scalarSize: 8) < 1 << 16, spec.streamBytes(maxFrames: 16, scalarSize: 8) < 1 << 16 else { return 0 }
    guard let conv = try? preset.conv1d(as: Double.self) else { return 0 }
    let length = min(64, spec.minimumInputLength + 3)
    let x = Signal<Double>(channels: spec.inChannels, frames: length, repeating: 0.25)
    var stream = conv.makeStream(maxFrames: 5)
    _ = ChunkEquivalence.check(&stream, signal: x, expected: Result { try conv.forward(x) }, chunkSizes: [1, length - 1])
    return 0
}

/// `impulse_response` presets get a response chosen by the file name: one or two channels,
/// a few taps, at 48 kHz, so the fuzzer reaches their decoding and their runs.
let fuzzResponses: ImpulseResponseReader = { path in
    let taps = path.utf8.count % 5 + 1
    let channels = path.utf8.count % 2 + 1
    return ImpulseResponse(sampleRate: 48000, channels: (0..<channels).map { c in (0..<taps).map { Double($0 + c) * 0.25 - 0.5 } })
}
