import CSodium

/// Anonymous public-key encryption to an X25519 key (libsodium `crypto_box_seal`): anyone with
/// the public key can seal; only the private key's holder can open, and the sender stays anonymous.
public enum SealedBox {
    /// An X25519 key pair for sealed boxes.
    public struct KeyPair: Sendable {
        /// The 32-byte public key.
        public let publicKey: [UInt8]
        /// The 32-byte private key.
        public let privateKey: SecureBytes

        /// A new random key pair.
        public init() {
            requireSodium()
            var pk = [UInt8](repeating: 0, count: Int(crypto_box_publickeybytes()))
            var sk = [UInt8](repeating: 0, count: Int(crypto_box_secretkeybytes()))
            _ = crypto_box_keypair(&pk, &sk)
            publicKey = pk
            privateKey = SecureBytes(sk)
            SecureBytes.wipe(&sk)
        }

        /// The key pair whose private key is `privateKey` (32 bytes).
        public init(privateKey: SecureBytes) throws {
            requireSodium()
            let expected = Int(crypto_box_secretkeybytes())
            guard privateKey.count == expected else {
                throw CryptoError.invalidLength(what: "X25519 private key", expected: expected, actual: privateKey.count)
            }
            var pk = [UInt8](repeating: 0, count: Int(crypto_box_publickeybytes()))
            privateKey.withNonNullBytes { sk, _ in
                _ = crypto_scalarmult_base(&pk, sk)
            }
            publicKey = pk
            self.privateKey = privateKey
        }
    }

    /// Extra bytes a sealed box adds to the plaintext.
    public static var overhead: Int { requireSodium(); return Int(crypto_box_sealbytes()) }

    /// Seals `plaintext` to `recipientPublicKey`.
    public static func seal(_ plaintext: some ContiguousBytes, to recipientPublicKey: [UInt8]) throws -> [UInt8] {
        requireSodium()
        let keyLength = Int(crypto_box_publickeybytes())
        guard recipientPublicKey.count == keyLength else {
            throw CryptoError.invalidLength(what: "X25519 public key", expected: keyLength, actual: recipientPublicKey.count)
        }
        return plaintext.withNonNullBytes { message, length in
            var out = [UInt8](repeating: 0, count: length + overhead)
            _ = crypto_box_seal(&out, message, UInt64(length), recipientPublicKey)
            return out
        }
    }

    /// Opens a sealed box with `keyPair`; throws `authenticationFailed` if it was not sealed to it
    /// or was altered.
    public static func open(_ sealed: some ContiguousBytes, with keyPair: KeyPair) throws -> [UInt8] {
        requireSodium()
        return try sealed.withNonNullBytes { box, length in
            guard length >= overhead else { throw CryptoError.authenticationFailed }
            var out = [UInt8](repeating: 0, count: length - overhead)
            let status = keyPair.privateKey.withNonNullBytes { sk, _ in
                crypto_box_seal_open(&out, box, UInt64(length), keyPair.publicKey, sk)
            }
            guard status == 0 else { throw CryptoError.authenticationFailed }
            return out
        }
    }
}
