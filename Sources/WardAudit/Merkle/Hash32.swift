/// A SHA-256 value: an entry's leaf hash, a tree node or root, a policy-set hash, a commitment.
/// Stored inline (no heap allocation) because the verifier handles millions of them.
public struct Hash32: Hashable, Sendable, CustomStringConvertible {
    /// Four 8-byte words in memory order. Not a SIMD vector: over-aligned values in async
    /// frames corrupted the task allocator (Swift 6.3.1, "freed pointer was not the last
    /// allocation").
    struct Words: Hashable, Sendable, BitwiseCopyable {
        var w0: UInt64, w1: UInt64, w2: UInt64, w3: UInt64
    }

    var storage: Words

    /// All zero bytes: the previous-hash of the first entry.
    public static let zero = Hash32(storage: Words(w0: 0, w1: 0, w2: 0, w3: 0))

    init(storage: Words) { self.storage = storage }

    /// Reads 32 bytes from `raw` (which must hold at least 32).
    init(raw: UnsafeRawBufferPointer) {
        storage = raw.loadUnaligned(as: Words.self)
    }

    /// Wraps exactly 32 bytes, or returns nil.
    public init?(bytes: [UInt8]) {
        guard bytes.count == 32 else { return nil }
        storage = bytes.withUnsafeBytes { $0.loadUnaligned(as: Words.self) }
    }

    /// The 32 bytes.
    public var bytes: [UInt8] { withUnsafeBytes { Array($0) } }

    /// Calls `body` with the 32 bytes.
    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        var copy = storage
        return try Swift.withUnsafeBytes(of: &copy) { try body($0) }
    }

    /// Lower-case hex.
    public var hex: String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(64)
        withUnsafeBytes { raw in
            for b in raw {
                out.append(digits[Int(b >> 4)])
                out.append(digits[Int(b & 15)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    public var description: String { hex }
}
