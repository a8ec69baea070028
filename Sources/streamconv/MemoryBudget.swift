import ArgumentParser
import Foundation
import StreamConv


/// A size in bytes as users write it: `1000000`, `512M`, `8G` (powers of 1024).
struct ByteCount: ExpressibleByArgument, Equatable {
    let bytes: Int

    init(bytes: Int) { self.bytes = bytes }

    init?(argument: String) {
        let units: [Character: Int] = ["K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40]
        var text = Substring(argument.uppercased())
        if text.hasSuffix("IB") { text = text.dropLast(2) } else if text.hasSuffix("B") { text = text.dropLast() }
        var unit = 1
        if let last = text.last, let u = units[last] {
            unit = u
            text = text.dropLast()
        }
        guard let value = Double(text), value > 0, value * Double(unit) < 0x1p62 else { return nil }
        bytes = Int(value * Double(unit))
    }

    /// "1.5 GiB (1610612736 bytes)".
    var text: String {
        let units = [("TiB", 1 << 40), ("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)]
        for (name, size) in units where bytes >= size {
            return String(format: "%.1f ", Double(bytes) / Double(size)) + "\(name) (\(bytes) bytes)"
        }
        return "\(bytes) bytes"
    }
}

/// The most memory a command plans to use: `--max-memory`, else `$STREAMCONV_MAX_MEMORY`,
/// else half the machine's physical memory. Sizes are computed from the spec before
/// anything is allocated, so an absurd preset is refused at once with what it would need.
struct MemoryBudget {
    let limit: Int

    init(option: ByteCount?, environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        if let option {
            limit = option.bytes
        } else if let text = environment["STREAMCONV_MAX_MEMORY"] {
            guard let parsed = ByteCount(argument: text) else {
                throw ValidationError("STREAMCONV_MAX_MEMORY=\(text) is not a size (e.g. 4G, 512M)")
            }
            limit = parsed.bytes
        } else {
            limit = Self.physicalMemory / 2
        }
    }

    /// Half of the RAM, the default limit.
    static var physicalMemory: Int {
        let pages = sysconf(Int32(_SC_PHYS_PAGES))
        let size = sysconf(Int32(_SC_PAGESIZE))
        return pages > 0 && size > 0 ? pages * size : 8 << 30
    }

    /// Throws when `bytes` exceed the limit.
    func check(_ bytes: Int, for what: String) throws(MemoryError) {
        if bytes > limit { throw MemoryError(what: what, bytes: bytes, limit: limit) }
    }
}

/// A plan that needs more memory than allowed.
struct MemoryError: Error, CustomStringConvertible {
    let what: String
    let bytes: Int
    let limit: Int

    var description: String {
        let need = bytes == Int.max ? "more than 8 EiB" : ByteCount(bytes: bytes).text
        return "\(what) would need \(need), more than the memory limit of \(ByteCount(bytes: limit).text); raise it with --max-memory or STREAMCONV_MAX_MEMORY if the machine has the memory"
    }
}
