internal import Crypto

/// SHA-256 (swift-crypto, which uses the CPU's SHA extensions) for everything that is not a hot
/// path: policy-set hashes, fingerprints.
public enum SHA256Hash {
    /// The 32-byte digest of `bytes`.
    public static func digest(_ bytes: some ContiguousBytes) -> [UInt8] {
        bytes.withUnsafeBytes { Array(SHA256.hash(data: $0)) }
    }
}
