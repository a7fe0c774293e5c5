import CSodium

/// Ed25519 signatures (RFC 8032) through libsodium.
public enum Ed25519 {
    /// Length of a public key, a seed and a signature, in bytes.
    public static let publicKeyLength = 32
    public static let seedLength = 32
    public static let signatureLength = 64

    /// A public key, safe to share.
    public struct PublicKey: Hashable, Sendable {
        /// The 32 raw key bytes.
        public let bytes: [UInt8]

        /// Wraps 32 raw bytes; throws when the length is wrong.
        public init(bytes: [UInt8]) throws {
            guard bytes.count == Ed25519.publicKeyLength else {
                throw CryptoError.invalidLength(what: "Ed25519 public key", expected: Ed25519.publicKeyLength, actual: bytes.count)
            }
            self.bytes = bytes
        }

        init(validBytes: [UInt8]) { bytes = validBytes }

        /// True when `signature` is a valid signature of `message` under this key.
        public func isValidSignature(_ signature: some ContiguousBytes, for message: some ContiguousBytes) -> Bool {
            requireSodium()
            return signature.withUnsafeBytes { sig in
                guard sig.count == Ed25519.signatureLength, let sigBase = sig.baseAddress else { return false }
                return message.withNonNullBytes { msg, length in
                    crypto_sign_verify_detached(sigBase.assumingMemoryBound(to: UInt8.self), msg, UInt64(length), bytes) == 0
                }
            }
        }
    }

    /// A signing key. The 32-byte seed is the whole secret; it is kept in `SecureBytes`.
    public struct PrivateKey: Sendable {
        /// The seed the key pair derives from (RFC 8032 private key).
        public let seed: SecureBytes
        /// The matching public key.
        public let publicKey: PublicKey
        // libsodium's expanded secret key (seed ‖ public key), kept so signing does not re-derive.
        private let expanded: SecureBytes

        /// A new random key.
        public init() {
            self.init(validSeed: SecureBytes(randomCount: Ed25519.seedLength))
        }

        /// The key derived from a 32-byte seed; throws when the length is wrong.
        public init(seed: SecureBytes) throws {
            guard seed.count == Ed25519.seedLength else {
                throw CryptoError.invalidLength(what: "Ed25519 seed", expected: Ed25519.seedLength, actual: seed.count)
            }
            self.init(validSeed: seed)
        }

        private init(validSeed seed: SecureBytes) {
            requireSodium()
            var pk = [UInt8](repeating: 0, count: Int(crypto_sign_publickeybytes()))
            var sk = [UInt8](repeating: 0, count: Int(crypto_sign_secretkeybytes()))
            seed.withNonNullBytes { s, _ in
                _ = crypto_sign_seed_keypair(&pk, &sk, s)
            }
            self.seed = seed
            self.expanded = SecureBytes(sk)
            SecureBytes.wipe(&sk)
            self.publicKey = PublicKey(validBytes: pk)
        }

        /// The 64-byte signature of `message`.
        public func signature(for message: some ContiguousBytes) -> [UInt8] {
            requireSodium()
            var signature = [UInt8](repeating: 0, count: Ed25519.signatureLength)
            message.withNonNullBytes { msg, length in
                expanded.withNonNullBytes { sk, _ in
                    _ = crypto_sign_detached(&signature, nil, msg, UInt64(length), sk)
                }
            }
            return signature
        }
    }
}
