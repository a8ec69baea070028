import StreamConv

/// A tensor read from a `.safetensors` or `.npy` file: its shape, and its values still in
/// the file's encoding, converted on request. Every offset and length is checked against the
/// file before any byte is read, so a malformed or truncated file is an error, never an
/// out-of-bounds read.
public struct Tensor: Sendable {
    /// The element types read.
    public enum DType: String, Sendable, CaseIterable {
        case f16 = "F16", bf16 = "BF16", f32 = "F32", f64 = "F64"

        /// Bytes per element.
        public var size: Int {
            switch self {
            case .f16, .bf16: return 2
            case .f32: return 4
            case .f64: return 8
            }
        }
    }

    /// The tensor's name (a state_dict key, or the file name for `.npy`).
    public let name: String
    /// Dimensions, outermost first (C order).
    public let shape: [Int]
    /// The element type in the file.
    public let dtype: DType
    /// The little-endian bytes, exactly `shape.product · dtype.size` of them.
    let data: [UInt8]

    /// The values in C order, converted to `T` (exactly from F16, BF16 and F32 to Float or
    /// Double; F64 to Float is rounded to nearest, as `tensor.float()` does).
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func values<T: ConvScalar>(as _: T.Type = T.self) -> [T] {
        let count = data.count / dtype.size
        return [T](unsafeUninitializedCapacity: count) { out, initialized in
            data.withUnsafeBytes { raw in
                // One loop per dtype: the element type is decided once, not per value.
                switch dtype {
                case .f32:
                    for i in 0..<count { out[i] = T(Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self)))) }
                case .f64:
                    for i in 0..<count { out[i] = T(Double(bitPattern: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self)))) }
                case .bf16:
                    for i in 0..<count {
                        let bits = UInt32(UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))) << 16
                        out[i] = T(Float(bitPattern: bits))
                    }
                case .f16:
                    for i in 0..<count { out[i] = T(Self.halfToFloat(UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)))) }
                }
            }
            initialized = count
        }
    }

    /// IEEE binary16 to Float, exactly (subnormals, infinities and NaN included), without
    /// relying on a platform `Float16`.
    static func halfToFloat(_ h: UInt16) -> Float {
        let sign: Float = h & 0x8000 != 0 ? -1 : 1
        let exponent = Int((h >> 10) & 0x1F)
        let fraction = Float(h & 0x3FF)
        switch exponent {
        case 0: return sign * fraction * 0x1p-24
        case 31: return fraction == 0 ? sign * .infinity : .nan
        default: return sign * (1 + fraction * 0x1p-10) * Float(sign: .plus, exponent: exponent - 15, significand: 1)
        }
    }
}

/// Where a tensor lies in a safetensors file: checked against the file, not yet read.
struct TensorLocation: Sendable {
    let name: String
    let shape: [Int]
    let dtype: Tensor.DType
    /// Byte offsets in the file.
    let bytes: Range<Int>

    /// The tensor, its bytes copied out of `file`.
    func tensor(in file: UnsafeRawBufferPointer) -> Tensor {
        Tensor(name: name, shape: shape, dtype: dtype, data: Array(file[bytes]))
    }
}

/// Why a tensor file could not be read.
public struct TensorFileError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file.
    public let path: String
    /// What is wrong with it.
    public let reason: String

    public var description: String { "\(path): \(reason)" }
}

/// Readers for the two formats PyTorch users save weights in.
public enum TensorFile {
    /// Every tensor of a `.safetensors` file: an 8-byte little-endian header length, a JSON
    /// header of `{"name": {"dtype", "shape", "data_offsets": [begin, end]}}` (and an optional
    /// `__metadata__`), then the data those offsets index.
    public static func safetensors(_ bytes: [UInt8], path: String) throws(TensorFileError) -> [String: Tensor] {
        // withUnsafeBytes rethrows untyped: the index is taken out as a Result.
        let indexed = bytes.withUnsafeBytes { raw in
            Result { () throws(TensorFileError) in try safetensorsIndex(raw, path: path).mapValues { $0.tensor(in: raw) } }
        }
        return try indexed.get()
    }

    /// Where each tensor of a `.safetensors` file lies, every offset checked against the file
    /// (see ``safetensors(_:path:)``); the data is not read.
    static func safetensorsIndex(_ bytes: UnsafeRawBufferPointer, path: String) throws(TensorFileError) -> [String: TensorLocation] {
        func fail(_ reason: String) -> TensorFileError { TensorFileError(path: path, reason: reason) }
        guard bytes.count >= 8 else { throw fail("\(bytes.count) bytes is too short for a safetensors file (it starts with an 8-byte header length)") }
        let headerLength = bytes[0..<8].reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        guard headerLength <= UInt64(bytes.count - 8) else {
            throw fail("the header length \(headerLength) goes past the end of the file (\(bytes.count) bytes); the file is truncated or not safetensors")
        }
        let dataStart = 8 + Int(headerLength)
        let dataLength = bytes.count - dataStart
        guard let text = String(validating: bytes[8..<dataStart], as: UTF8.self) else { throw fail("the header is not UTF-8") }
        let header: JSONValue
        do {
            header = try JSONValue.parse(text.trimmingTrailingSpaces())
        } catch {
            throw fail("the header is not valid JSON at \(error)")
        }
        guard case let .object(entries) = header else { throw fail("the header is not a JSON object") }
        var tensors: [String: TensorLocation] = [:]
        var ranges: [(Int, Int, String)] = []
        for (name, value) in entries where name != "__metadata__" {
            guard case let .object(fields) = value,
                  case let .string(dtypeName)? = fields.first(where: { $0.0 == "dtype" })?.1,
                  case let .array(shapeItems)? = fields.first(where: { $0.0 == "shape" })?.1,
                  case let .array(offsetItems)? = fields.first(where: { $0.0 == "data_offsets" })?.1 else {
                throw fail("tensor \(name): expected dtype, shape and data_offsets")
            }
            guard let dtype = Tensor.DType(rawValue: dtypeName) else {
                throw fail("tensor \(name): dtype \(dtypeName) is not one of \(Tensor.DType.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            let shape = try shapeItems.map { item throws(TensorFileError) -> Int in
                guard case let .number(n) = item, let v = Int(n), v >= 0, v <= Int(Int32.max) else { throw fail("tensor \(name): bad shape") }
                return v
            }
            let offsets = try offsetItems.map { item throws(TensorFileError) -> Int in
                guard case let .number(n) = item, let v = Int(n), v >= 0 else { throw fail("tensor \(name): bad data_offsets") }
                return v
            }
            guard offsets.count == 2, offsets[0] <= offsets[1] else { throw fail("tensor \(name): data_offsets must be [begin, end] with begin ≤ end") }
            guard offsets[1] <= dataLength else {
                throw fail("tensor \(name): data_offsets [\(offsets[0]), \(offsets[1])] go past the \(dataLength) data bytes; the file is truncated")
            }
            let count = Saturating.product(shape)
            guard Saturating.product([count, dtype.size]) == offsets[1] - offsets[0] else {
                throw fail("tensor \(name): shape \(shape) of \(dtypeName) needs \(Saturating.product([count, dtype.size])) bytes but data_offsets give \(offsets[1] - offsets[0])")
            }
            ranges.append((offsets[0], offsets[1], name))
            tensors[name] = TensorLocation(name: name, shape: shape, dtype: dtype, bytes: (dataStart + offsets[0])..<(dataStart + offsets[1]))
        }
        ranges.sort { $0.0 < $1.0 }
        for (a, b) in zip(ranges, ranges.dropFirst()) where b.0 < a.1 {
            throw fail("tensors \(a.2) and \(b.2) overlap in the data")
        }
        return tensors
    }

    /// The `.npy` file at `path`, read as preset weight files are (a regular file only).
    /// - Throws: ``PresetError/unreadable(path:reason:)``, or ``PresetError/tensors(_:)`` for
    ///   a malformed file.
    public static func npy(contentsOf path: String) throws(PresetError) -> Tensor {
        let bytes = try Preset.bytes(path)
        return try Preset.readingTensors { () throws(TensorFileError) in try npy(bytes, path: path) }
    }

    /// A `.npy` file (numpy format 1.0, 2.0 or 3.0): little-endian `f4` or `f8`, C order.
    public static func npy(_ bytes: [UInt8], path: String) throws(TensorFileError) -> Tensor {
        func fail(_ reason: String) -> TensorFileError { TensorFileError(path: path, reason: reason) }
        let magic: [UInt8] = [0x93] + Array("NUMPY".utf8)
        guard bytes.count >= 10, Array(bytes[0..<6]) == magic else { throw fail("not a .npy file (no \\x93NUMPY magic)") }
        let major = bytes[6]
        let (lengthBytes, headerStart): (Int, Int) = switch major {
        case 1: (2, 10)
        case 2, 3: (4, 12)
        default: (0, 0)
        }
        guard lengthBytes > 0 else { throw fail(".npy format version \(major) is not supported (1, 2 and 3 are)") }
        guard bytes.count >= headerStart else { throw fail("truncated header") }
        let headerLength = bytes[8..<(8 + lengthBytes)].reversed().reduce(0) { $0 << 8 | Int($1) }
        guard headerStart + headerLength <= bytes.count else { throw fail("the header length \(headerLength) goes past the end of the file") }
        let header = String(decoding: bytes[headerStart..<(headerStart + headerLength)], as: UTF8.self)
        guard let descr = Self.pythonValue("descr", in: header), let fortran = Self.pythonValue("fortran_order", in: header),
              let shapeText = Self.pythonValue("shape", in: header) else {
            throw fail("the header does not hold descr, fortran_order and shape: \(header.trimmingTrailingSpaces())")
        }
        let dtype: Tensor.DType
        switch descr {
        case "'<f4'": dtype = .f32
        case "'<f8'": dtype = .f64
        default: throw fail("dtype \(descr) is not supported; save float32 or float64, little-endian ('<f4', '<f8')")
        }
        guard fortran == "False" else { throw fail("Fortran-order arrays are not supported; save with np.ascontiguousarray") }
        let dims = shapeText.trimming("()").split(separator: ",").map { $0.trimming(" ") }.filter { !$0.isEmpty }
        var shape: [Int] = []
        for dim in dims {
            guard let n = Int(dim), n >= 0, n <= Int(Int32.max) else { throw fail("bad shape \(shapeText)") }
            shape.append(n)
        }
        let dataStart = headerStart + headerLength
        let needed = Saturating.product([Saturating.product(shape), dtype.size])
        guard needed == bytes.count - dataStart else {
            throw fail("shape \(shape) of \(dtype.rawValue) needs \(needed) data bytes but the file holds \(bytes.count - dataStart); it is truncated or not what its header says")
        }
        let name = path.split(separator: "/").last.map(String.init) ?? path
        return Tensor(name: name, shape: shape, dtype: dtype, data: Array(bytes[dataStart...]))
    }

    /// The text of `key`'s value in a Python dict literal (`'descr': '<f4', …`).
    static func pythonValue(_ key: String, in header: String) -> String? {
        guard let keyRange = header.range(of: "'\(key)'") else { return nil }
        var rest = header[keyRange.upperBound...].drop { $0 == " " }
        guard rest.first == ":" else { return nil }
        rest = rest.dropFirst().drop { $0 == " " }
        if rest.first == "(" {
            guard let close = rest.firstIndex(of: ")") else { return nil }
            return String(rest[...close])
        }
        let end = rest.firstIndex { $0 == "," || $0 == "}" } ?? rest.endIndex
        return String(rest[..<end]).trimmingTrailingSpaces()
    }
}

extension StringProtocol {
    func trimmingTrailingSpaces() -> String {
        var s = Substring(self)
        while let last = s.last, last == " " || last == "\n" || last == "\0" { s = s.dropLast() }
        return String(s)
    }

    func trimming(_ set: String) -> String {
        String(drop { set.contains($0) }.reversed().drop { set.contains($0) }.reversed())
    }
}
