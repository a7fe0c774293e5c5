import Crypto

/// SHA-256 (swift-crypto, which uses the CPU's SHA extensions) for everything that is not a hot
/// path: policy-set hashes, fingerprints.
public enum SHA256Hash {
    /// The 32-byte digest of `bytes`.
    public static func digest(_ bytes: some ContiguousBytes) -> [UInt8] {
        bytes.withUnsafeBytes { Array(SHA256.hash(data: $0)) }
    }
}

/// HMAC-SHA-256 (RFC 2104, swift-crypto): the sender-key ratchet's step function.
public enum HMACSHA256 {
    /// The 32-byte tag of `message` under `key`.
    public static func tag(key: SecureBytes, message: some ContiguousBytes) -> SecureBytes {
        let symmetric = key.withUnsafeBytes { SymmetricKey(data: $0) }
        let code = message.withUnsafeBytes { HMAC<SHA256>.authenticationCode(for: $0, using: symmetric) }
        return SecureBytes(Array(code))
    }
}

/// SHA-512 (swift-crypto), where 64 bytes of digest are wanted (safety numbers).
public enum SHA512Hash {
    public static func digest(_ bytes: some ContiguousBytes) -> [UInt8] {
        bytes.withUnsafeBytes { Array(SHA512.hash(data: $0)) }
    }
}

/// SHA-256 over bytes given in pieces: a large file, read a chunk at a time.
public struct SHA256Stream {
    private var hasher = SHA256()

    public init() {}

    public mutating func update(_ bytes: [UInt8]) { hasher.update(data: bytes) }

    public func finalize() -> [UInt8] { Array(hasher.finalize()) }
}
