import Foundation
import Testing

/// A .npy file written byte by byte (format 1.0, '<f8', C order).
func npy(_ rows: [[Double]]) -> Data {
    var header = "{'descr': '<f8', 'fortran_order': False, 'shape': (\(rows.count), \(rows.first?.count ?? 0)), }"
    while (10 + header.utf8.count + 1) % 64 != 0 { header += " " }
    header += "\n"
    var d = Data([0x93] + Array("NUMPY".utf8) + [1, 0])
    d += withUnsafeBytes(of: UInt16(header.utf8.count).littleEndian) { Data($0) }
    d += Data(header.utf8)
    for row in rows { for v in row { d += withUnsafeBytes(of: v.bitPattern.littleEndian) { Data($0) } } }
    return d
}

/// `verify --input --expect` against outputs of the numpy reference (itself checked against
/// PyTorch): within the float32 bound, and a wrong expectation fails (issue 7).
@Suite struct VerifyExpectTests {
    @Test func referenceOutputsAreWithinTheBound() throws {
        let url = CLI.repository.appendingPathComponent("Tests/StreamConvTests/Fixtures/conv1d_reference.json")
        let cases = try #require((try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])?["cases"] as? [[String: Any]])
        let dir = temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        var checked = 0
        for (index, c) in cases.enumerated() where index % 9 == 0 {
            let conv1d = c["conv1d"] as! [String: Any]
            let input = c["input"] as! [[Double]]
            let expected = c["expected"] as! [[Double]]
            var preset: [String: Any] = ["conv1d": conv1d, "weight": c["weight"]!]
            if let bias = c["bias"], !(bias is NSNull) { preset["bias"] = bias }
            try JSONSerialization.data(withJSONObject: preset).write(to: dir.appendingPathComponent("p\(index).json"))
            try npy(input).write(to: dir.appendingPathComponent("x\(index).npy"))
            try npy(expected).write(to: dir.appendingPathComponent("y\(index).npy"))
            let r = try CLI.run(["verify", "--preset", "p\(index).json", "--input", "x\(index).npy", "--expect", "y\(index).npy"], in: dir)
            #expect(r.status == 0 && r.out.contains("within the bound"), "case \(index): \(r.out) \(r.stderr)")
            checked += 1
            // The same output, one sample off by 1 %: refused.
            var wrong = expected
            wrong[0][0] += 0.01 * max(1, abs(wrong[0][0]))
            try npy(wrong).write(to: dir.appendingPathComponent("w\(index).npy"))
            let bad = try CLI.run(["verify", "--preset", "p\(index).json", "--input", "x\(index).npy", "--expect", "w\(index).npy"], in: dir)
            #expect(bad.status == 1 && bad.out.contains("beyond the bound") && bad.out.contains("(channel 0, frame 0)"), "case \(index): \(bad.out)")
        }
        #expect(checked >= 10)
    }
}
