import COpenSSLCrypto

/// RFC 6962 / RFC 9162 §2.1.1 hashing: leaves and interior nodes are domain-separated by a
/// one-byte prefix so a leaf can never be passed off as a node.
///
/// SHA-256 here is OpenSSL's low-level API with the context on the stack: the verifier makes two
/// hashes per entry, and swift-crypto's `SHA256` allocates and initialises a heap context for
/// each one, which cost more than hashing a 65-byte node (with it, `ward-bench audit-verify`
/// reached 0.28-0.34 of raw SHA-256 speed; without it, above 0.5). Both use SHA extensions.
public enum TreeHash {
    /// `SHA-256("")`, the root of the empty tree.
    public static let empty: Hash32 = digest { _ in }

    /// `SHA-256(0x00 ‖ entry)`.
    public static func leaf(_ entry: UnsafeRawBufferPointer) -> Hash32 {
        digest { context in
            var prefix: UInt8 = 0
            SHA256_Update(&context, &prefix, 1)
            SHA256_Update(&context, entry.baseAddress, entry.count)
        }
    }

    /// `SHA-256(0x00 ‖ entry)` for an array.
    public static func leaf(_ entry: [UInt8]) -> Hash32 {
        entry.withUnsafeBytes { leaf($0) }
    }

    /// `SHA-256(0x01 ‖ left ‖ right)`.
    public static func node(_ left: Hash32, _ right: Hash32) -> Hash32 {
        // One contiguous 65-byte input in a local tuple (one update is faster than three).
        var block: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0, 0, 0, 0)
        return withUnsafeMutableBytes(of: &block) { raw in
            raw.storeBytes(of: 1, toByteOffset: 0, as: UInt8.self)
            raw.storeBytes(of: left.storage, toByteOffset: 1, as: Hash32.Words.self)
            raw.storeBytes(of: right.storage, toByteOffset: 33, as: Hash32.Words.self)
            return digest { SHA256_Update(&$0, raw.baseAddress, 65) }
        }
    }

    /// SHA-256 of arbitrary bytes (policy sets, commitments, key ids).
    public static func sha256(_ bytes: UnsafeRawBufferPointer) -> Hash32 {
        digest { SHA256_Update(&$0, bytes.baseAddress, bytes.count) }
    }

    /// SHA-256 of arbitrary bytes.
    public static func sha256(_ bytes: some Sequence<UInt8>) -> Hash32 {
        Array(bytes).withUnsafeBytes { sha256($0) }
    }

    @inline(__always)
    static func digest(_ feed: (inout SHA256_CTX) -> Void) -> Hash32 {
        var context = SHA256_CTX()
        SHA256_Init(&context)
        feed(&context)
        var out = Hash32.zero
        withUnsafeMutableBytes(of: &out.storage) { raw in
            _ = SHA256_Final(raw.baseAddress?.assumingMemoryBound(to: UInt8.self), &context)
        }
        return out
    }
}
