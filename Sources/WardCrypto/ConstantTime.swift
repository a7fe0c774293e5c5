import CSodium

/// Comparisons whose running time does not depend on where the inputs differ.
public enum ConstantTime {
    /// True when `a` and `b` hold the same bytes. The time taken depends only on the lengths,
    /// so tokens, MACs and password hashes can be compared without leaking a prefix.
    public static func equal(_ a: some ContiguousBytes, _ b: some ContiguousBytes) -> Bool {
        requireSodium()
        return a.withUnsafeBytes { pa in
            b.withUnsafeBytes { pb in
                guard pa.count == pb.count else { return false }
                guard pa.count > 0, let x = pa.baseAddress, let y = pb.baseAddress else { return true }
                return sodium_memcmp(x, y, pa.count) == 0
            }
        }
    }
}

/// Byte containers that can lend their contents without copying.
public protocol ContiguousBytes {
    /// Calls `body` with a pointer to the bytes.
    func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R
}

extension Array: ContiguousBytes where Element == UInt8 {}
extension ArraySlice: ContiguousBytes where Element == UInt8 {}

extension ContiguousBytes {
    /// Calls `body` with a typed pointer that is never null, even for empty input, because
    /// several libsodium functions declare their message pointers non-null.
    func withNonNullBytes<R>(_ body: (UnsafePointer<UInt8>, Int) throws -> R) rethrows -> R {
        try withUnsafeBytes { buffer in
            if let base = buffer.baseAddress, buffer.count > 0 {
                return try body(base.assumingMemoryBound(to: UInt8.self), buffer.count)
            }
            var empty: UInt8 = 0
            return try body(&empty, 0)
        }
    }
}
