import StreamConv

extension Signal {
    /// NaN and ±Inf samples among the valid frames. x − x is 0 for every finite x and NaN
    /// otherwise, so a row's sum of x − x, a vector at a time, is 0 unless the row holds a
    /// non-finite sample; only such rows are counted one sample at a time.
    var nonFiniteCount: Int {
        var count = 0
        let (frames, capacity) = (self.frames, self.capacity)
        withUnsafeBufferPointer { buffer in
            for c in 0..<channels {
                let row = buffer.baseAddress! + c * capacity
                var probe = SIMD16<T>.zero
                var i = 0
                while i + 16 <= frames {
                    let v = UnsafeRawPointer(row + i).loadUnaligned(as: SIMD16<T>.self)
                    probe += v - v
                    i += 16
                }
                var tail: T = 0
                for j in i..<frames { tail += row[j] - row[j] }
                if probe.sum() + tail != 0 {
                    for j in 0..<frames where !row[j].isFinite { count += 1 }
                }
            }
        }
        return count
    }
}
