import StreamConv
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A `.safetensors` state dict, mapped into memory and its header read once: tensors are
/// copied out one at a time, as they are asked for, however many a preset takes.
final class StateDict: Sendable {
    let path: String
    private let file: MappedFile
    private let index: [String: TensorLocation]

    /// Maps and indexes the file at `path` (a regular file of up to 16 GiB).
    init(path: String) throws(PresetError) {
        self.path = path
        file = try MappedFile(path: path, limit: 1 << 34, kind: "a tensor file")
        let mapped = file
        index = try Preset.readingTensors { () throws(TensorFileError) in try TensorFile.safetensorsIndex(mapped.bytes, path: path) }
    }

    /// Tensor names, sorted.
    var names: [String] { index.keys.sorted() }

    /// The tensor `name`, or `nil` when the file has none of that name.
    func tensor(_ name: String) -> Tensor? {
        index[name]?.tensor(in: file.bytes)
    }
}

/// The state dicts a preset has opened, shared by its copies (``Preset/at(rate:)``), so that
/// weights taken in Float and again in Double, or by several layers, map a file once.
final class StateDictCache: Sendable {
    private let open = Mutex<[String: StateDict]>([:])
    /// Files mapped so far (for tests).
    let mappings = Atomic<Int>(0)

    /// The state dict at `path`, mapped on first use.
    func stateDict(_ path: String) throws(PresetError) -> StateDict {
        if let known = open.withLock({ $0[path] }) { return known }
        let made = try StateDict(path: path)
        mappings.add(1, ordering: .relaxed)
        return open.withLock { dicts in
            if let raced = dicts[path] { return raced }
            dicts[path] = made
            return made
        }
    }
}

/// A read-only file mapped into memory, unmapped with the last reference: all of the
/// presets module's mmap calls.
final class MappedFile: @unchecked Sendable {
    /// The file's bytes; empty for an empty file.
    let bytes: UnsafeRawBufferPointer

    /// Maps the regular file at `path` (refused over `limit` bytes, as a read would be).
    init(path: String, limit: Int, kind: String) throws(PresetError) {
        let (fd, size) = try PresetLibrary.openRegularFile(Array(path.utf8), limit: limit, kind: kind)
        defer { close(fd) }
        guard size > 0 else {
            bytes = UnsafeRawBufferPointer(start: nil, count: 0)
            return
        }
        guard let base = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), base != MAP_FAILED else {
            throw .unreadable(path: path, reason: String(cString: strerror(errno)))
        }
        bytes = UnsafeRawBufferPointer(start: base, count: size)
    }

    deinit {
        if let base = bytes.baseAddress { munmap(UnsafeMutableRawPointer(mutating: base), bytes.count) }
    }
}
