import CSodium

/// Authenticated encryption with associated data: XChaCha20-Poly1305 (IETF construction,
/// libsodium). Its 24-byte nonces are long enough to be chosen at random for every message.
public enum XChaCha20Poly1305 {
    /// Key length (32), nonce length (24) and tag length (16), in bytes.
    public static let keyLength = 32
    public static let nonceLength = 24
    public static let tagLength = 16

    /// A sealed message: the random nonce and the ciphertext with its tag appended.
    public struct SealedMessage: Hashable, Sendable {
        public let nonce: [UInt8]
        public let ciphertext: [UInt8]

        public init(nonce: [UInt8], ciphertext: [UInt8]) {
            self.nonce = nonce
            self.ciphertext = ciphertext
        }

        /// nonce ‖ ciphertext, the usual way to store one value.
        public var combined: [UInt8] { nonce + ciphertext }

        /// Splits `nonce ‖ ciphertext`; throws when too short to hold a nonce and a tag.
        public init(combined: [UInt8]) throws {
            guard combined.count >= XChaCha20Poly1305.nonceLength + XChaCha20Poly1305.tagLength else {
                throw CryptoError.authenticationFailed
            }
            nonce = Array(combined[0..<XChaCha20Poly1305.nonceLength])
            ciphertext = Array(combined[XChaCha20Poly1305.nonceLength...])
        }
    }

    /// Encrypts `plaintext` under `key` with a fresh random nonce, authenticating `associatedData`.
    public static func seal(_ plaintext: some ContiguousBytes, key: SecureBytes, associatedData: [UInt8] = []) throws -> SealedMessage {
        try checkKey(key)
        let nonce = SecureRandom.bytes(nonceLength)
        let ciphertext = plaintext.withNonNullBytes { message, length in
            var out = [UInt8](repeating: 0, count: length + tagLength)
            var outLength: UInt64 = 0
            key.withNonNullBytes { k, _ in
                _ = crypto_aead_xchacha20poly1305_ietf_encrypt(
                    &out, &outLength, message, UInt64(length),
                    associatedData, UInt64(associatedData.count), nil, nonce, k
                )
            }
            return out
        }
        return SealedMessage(nonce: nonce, ciphertext: ciphertext)
    }

    /// Decrypts and authenticates; throws `authenticationFailed` on any alteration or wrong key.
    public static func open(_ sealed: SealedMessage, key: SecureBytes, associatedData: [UInt8] = []) throws -> [UInt8] {
        try checkKey(key)
        guard sealed.nonce.count == nonceLength else {
            throw CryptoError.invalidLength(what: "XChaCha20-Poly1305 nonce", expected: nonceLength, actual: sealed.nonce.count)
        }
        guard sealed.ciphertext.count >= tagLength else { throw CryptoError.authenticationFailed }
        var out = [UInt8](repeating: 0, count: sealed.ciphertext.count - tagLength)
        var outLength: UInt64 = 0
        let status = key.withNonNullBytes { k, _ in
            crypto_aead_xchacha20poly1305_ietf_decrypt(
                &out, &outLength, nil,
                sealed.ciphertext, UInt64(sealed.ciphertext.count),
                associatedData, UInt64(associatedData.count),
                sealed.nonce, k
            )
        }
        guard status == 0 else { throw CryptoError.authenticationFailed }
        return out
    }

    /// Opens `nonce ‖ ciphertext` in place, without splitting it into two arrays first (a record
    /// page opens a thousand of them).
    public static func open(combined: some ContiguousBytes, key: SecureBytes, associatedData: [UInt8] = []) throws -> [UInt8] {
        try checkKey(key)
        return try combined.withNonNullBytes { bytes, length in
            guard length >= nonceLength + tagLength else { throw CryptoError.authenticationFailed }
            let ciphertextLength = length - nonceLength
            var out = [UInt8](repeating: 0, count: ciphertextLength - tagLength)
            var outLength: UInt64 = 0
            let status = key.withNonNullBytes { k, _ in
                crypto_aead_xchacha20poly1305_ietf_decrypt(
                    &out, &outLength, nil,
                    bytes + nonceLength, UInt64(ciphertextLength),
                    associatedData, UInt64(associatedData.count),
                    bytes, k
                )
            }
            guard status == 0 else { throw CryptoError.authenticationFailed }
            return out
        }
    }

    private static func checkKey(_ key: SecureBytes) throws {
        requireSodium()
        guard key.count == keyLength else {
            throw CryptoError.invalidLength(what: "XChaCha20-Poly1305 key", expected: keyLength, actual: key.count)
        }
    }
}
