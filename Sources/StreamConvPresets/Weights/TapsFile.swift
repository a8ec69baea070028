import StreamConv

extension Preset {
    /// A taps file (one coefficient per line, `#` comments, as sox's `fir` reads them) as
    /// `spec`'s weights, every channel the same filter.
    static func tapsWeights<T: ConvScalar>(path: String, spec: Conv1dSpec, soxAligned: Bool = false, as _: T.Type) throws(PresetError) -> Conv1dWeights<T> {
        let taps: [T] = try readTaps(path)
        let declared = spec.kernelSize - (soxAligned ? 1 : 0)
        guard taps.count == declared else {
            throw .weightsFile("\(path): \(taps.count) taps but conv1d.kernel_size is \(declared)")
        }
        // sox's fir convolves; Conv1d cross-correlates: the taps go in reversed (and, for an
        // even count, a zero after them: see WeightSource.taps).
        let reversed = Array(taps.reversed()) + (soxAligned ? [0] : [])
        do {
            return try Conv1dWeights(spec: spec, weight: (0..<spec.outChannels).flatMap { _ in reversed }, bias: nil)
        } catch {
            throw .conv1d(path: "taps", error)
        }
    }

    /// The coefficients of a taps file, in its order (the impulse response's).
    static func readTaps<T: ConvScalar>(_ path: String) throws(PresetError) -> [T] {
        let text = String(decoding: try Self.bytes(path), as: UTF8.self)
        var taps: [T] = []
        for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let content = line.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            let word = content.trimmingTrailingSpaces().drop { $0 == " " || $0 == "\t" }.filter { $0 != "\r" }
            if word.isEmpty { continue }
            guard let value = T(decimal: Substring(word)), value.isFinite else {
                throw .weightsFile("\(path):\(number + 1): \"\(word)\" is not a number")
            }
            taps.append(value)
        }
        return taps
    }
}
