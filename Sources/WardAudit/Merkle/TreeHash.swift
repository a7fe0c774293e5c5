internal import Crypto

/// RFC 6962 / RFC 9162 §2.1.1 hashing: leaves and interior nodes are domain-separated by a
/// one-byte prefix so a leaf can never be passed off as a node.
public enum TreeHash {
    /// `SHA-256("")`, the root of the empty tree.
    public static let empty: Hash32 = digest { _ in }

    /// `SHA-256(0x00 ‖ entry)`.
    public static func leaf(_ entry: UnsafeRawBufferPointer) -> Hash32 {
        digest { hasher in
            withUnsafeBytes(of: UInt8(0)) { hasher.update(bufferPointer: $0) }
            hasher.update(bufferPointer: entry)
        }
    }

    /// `SHA-256(0x00 ‖ entry)` for an array.
    public static func leaf(_ entry: [UInt8]) -> Hash32 {
        entry.withUnsafeBytes { leaf($0) }
    }

    /// `SHA-256(0x01 ‖ left ‖ right)`.
    public static func node(_ left: Hash32, _ right: Hash32) -> Hash32 {
        // One contiguous 65-byte input (a single update is measurably faster than three), in a
        // local tuple: withUnsafeTemporaryAllocation aborted in the task allocator here.
        var block: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0, 0, 0, 0)
        return withUnsafeMutableBytes(of: &block) { raw in
            raw.storeBytes(of: 1, toByteOffset: 0, as: UInt8.self)
            raw.storeBytes(of: left.storage, toByteOffset: 1, as: Hash32.Words.self)
            raw.storeBytes(of: right.storage, toByteOffset: 33, as: Hash32.Words.self)
            return digest { $0.update(bufferPointer: UnsafeRawBufferPointer(rebasing: raw[0..<65])) }
        }
    }

    /// SHA-256 of arbitrary bytes (policy sets, commitments, key hashes).
    public static func sha256(_ bytes: some Sequence<UInt8>) -> Hash32 {
        let array = Array(bytes)
        return digest { hasher in array.withUnsafeBytes { hasher.update(bufferPointer: $0) } }
    }

    @inline(__always)
    static func digest(_ feed: (inout SHA256) -> Void) -> Hash32 {
        var hasher = SHA256()
        feed(&hasher)
        return hasher.finalize().withUnsafeBytes { Hash32(raw: $0) }
    }
}
