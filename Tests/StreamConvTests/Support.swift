import Foundation
import StreamConv

/// One case of `Fixtures/conv1d_reference.json`, written by `scripts/reference_conv1d.py`.
struct ReferenceCase: @unchecked Sendable, CustomStringConvertible {
    let spec: Conv1dSpec
    let weight: [[[Double]]]
    let bias: [Double]?
    let input: [[Double]]
    let expected: [[Double]]
    let scale: [[Double]]

    var description: String { spec.description + " L=\(input.first?.count ?? 0)" }

    private struct File: Decodable { let cases: [Raw] }
    private struct Raw: Decodable {
        struct Spec: Decodable {
            let in_channels, out_channels, kernel_size, stride, dilation, groups: Int
            let padding: Padding
            let bias: Bool
            let padding_mode: String
        }
        enum Padding: Decodable {
            case number(Int), word(String)
            init(from decoder: any Decoder) throws {
                let c = try decoder.singleValueContainer()
                if let n = try? c.decode(Int.self) { self = .number(n) } else { self = .word(try c.decode(String.self)) }
            }
        }
        let conv1d: Spec
        let weight: [[[Double]]]
        let bias: [Double]?
        let input, expected, scale: [[Double]]
    }

    // JSONDecoder, not JSONSerialization: the latter misreads some 17-digit decimals on Linux.
    static let all: [ReferenceCase] = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Fixtures/conv1d_reference.json")
        let file = try! JSONDecoder().decode(File.self, from: Data(contentsOf: url))
        return file.cases.map { raw in
            let c = raw.conv1d
            let padding: Conv1dPadding
            switch c.padding {
            case let .number(n): padding = .samples(n)
            case let .word(w): padding = w == "same" ? .same : .valid
            }
            let spec = try! Conv1dSpec(
                inChannels: c.in_channels, outChannels: c.out_channels, kernelSize: c.kernel_size,
                stride: c.stride, padding: padding, dilation: c.dilation, groups: c.groups,
                bias: c.bias, paddingMode: PaddingMode(rawValue: c.padding_mode)!)
            return ReferenceCase(
                spec: spec, weight: raw.weight, bias: raw.bias,
                input: raw.input, expected: raw.expected, scale: raw.scale)
        }
    }()

    func conv<T: ConvScalar>(_: T.Type) throws -> Conv1d<T> {
        let w = try Conv1dWeights<T>(spec: spec, weight: weight.map { $0.map { $0.map { T($0) } } }, bias: bias?.map { T($0) })
        return Conv1d(spec: spec, weights: w)
    }

    func signal<T: ConvScalar>(_: T.Type) -> Signal<T> { Signal(input.map { $0.map { T($0) } }) }
}

/// A random, valid Conv1d configuration (every parameter of torch.nn.Conv1d exercised).
func randomSpec<G: RandomNumberGenerator>(using rng: inout G) -> Conv1dSpec {
    let layouts = [(1, 1, 1), (1, 2, 1), (2, 1, 1), (2, 3, 1), (2, 2, 2), (2, 4, 2), (3, 3, 3), (4, 2, 2)]
    let (cin, cout, groups) = layouts.randomElement(using: &rng)!
    let stride = Int.random(in: 1...5, using: &rng)
    let paddings: [Conv1dPadding] = [.valid, .samples(0), .samples(1), .samples(2), .samples(3), .samples(6)]
        + (stride == 1 ? [.same, .same] : [])
    return try! Conv1dSpec(
        inChannels: cin, outChannels: cout, kernelSize: Int.random(in: 1...7, using: &rng),
        stride: stride, padding: paddings.randomElement(using: &rng)!,
        dilation: Int.random(in: 1...4, using: &rng), groups: groups, bias: Bool.random(using: &rng),
        paddingMode: PaddingMode.allCases.randomElement(using: &rng)!)
}

/// The shortest input length torch accepts for `spec`.
func minimumLength(_ spec: Conv1dSpec) -> Int {
    var n = max(1, spec.receptiveField - spec.padLeft - spec.padRight)
    if spec.paddingMode == .reflect { n = max(n, spec.padLeft + 1, spec.padRight + 1) }
    if spec.paddingMode == .circular { n = max(n, spec.padLeft, spec.padRight) }
    return n
}

/// A random signal with values in [-1, 1).
func randomSignal<T: ConvScalar, G: RandomNumberGenerator>(_: T.Type, channels: Int, frames: Int, using rng: inout G) -> Signal<T> {
    Signal((0..<channels).map { _ in (0..<frames).map { _ in T(Double.random(in: -1..<1, using: &rng)) } })
}
