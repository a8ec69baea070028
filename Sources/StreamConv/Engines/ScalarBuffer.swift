/// Zeroed scalars in one allocation of their own, freed with their owner: the engines' state
/// and scratch memory. Its pointer is the only way in, so every raw access is in the small
/// types that hold one (the FFT classes' state, the direct engine's phase rows).
///
/// Non-copyable: a buffer has exactly one owner, so state cannot be shared by accident; an
/// explicit ``copy()`` makes another (and allocates).
struct ScalarBuffer<T: ConvScalar>: ~Copyable, @unchecked Sendable {
    /// The first scalar; 64-byte aligned, so SIMD rows start on a cache line.
    let base: UnsafeMutablePointer<T>
    /// Scalars held.
    let count: Int

    /// `count` zeros (at least one scalar, so the buffer always has an address). Allocates.
    init(count: Int) {
        self.count = max(1, count)
        let raw = UnsafeMutableRawPointer.allocate(byteCount: self.count * MemoryLayout<T>.stride, alignment: 64)
        base = raw.initializeMemory(as: T.self, repeating: 0, count: self.count)
    }

    deinit { base.deallocate() }

    /// Bytes held, for memory estimates.
    var bytes: Int { count * MemoryLayout<T>.stride }

    /// A buffer with the same contents. Allocates.
    func copy() -> ScalarBuffer {
        let copy = ScalarBuffer(count: count)
        copy.base.update(from: base, count: count)
        return copy
    }

    /// Sets every scalar to zero; allocates nothing.
    func zero() { base.update(repeating: 0, count: count) }
}
