import WardCrypto
import WardProtocol

/// What differs between the two suites (docs/PROTOCOL.md, "Envelopes"): how a key share is
/// sealed and how a message is encrypted. Both sign with Ed25519, ratchet with HMAC-SHA-256 and
/// use the device's one X25519 key, so one device serves both.
///
/// - `ward-sk-1`: libsodium's `crypto_box_seal` for shares, XChaCha20-Poly1305 for messages.
/// - `ward-wc-1`: RFC 9180 HPKE (DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, AES-256-GCM, base
///   mode) for shares, AES-256-GCM for messages: WebCrypto has every piece of it, so the web
///   client carries no cryptographic code of its own.
public enum Suite {
    /// Preferred first: a sender uses the first of these that every recipient device lists.
    public static let preference = [CipherSuite.webCryptoV1, CipherSuite.senderKeysV1]

    /// The suite to send with to devices listing `suites`, or nil when they share none.
    public static func common(_ suites: [[String]]) -> String? {
        preference.first { suite in suites.allSatisfy { $0.contains(suite) } }
    }

    static func shareLabel(_ suite: String) -> String { suite + " share" }
    static func messageLabel(_ suite: String) -> String { suite + " message" }

    static func nonceLength(_ suite: String) -> Int {
        suite == CipherSuite.webCryptoV1 ? AES256GCM.nonceLength : XChaCha20Poly1305.nonceLength
    }

    static func sealShare(_ plaintext: [UInt8], to recipient: [UInt8], suite: String) throws -> [UInt8] {
        if suite == CipherSuite.webCryptoV1 { return try HPKEBox.seal(plaintext, to: recipient, info: Array(shareLabel(suite).utf8)) }
        return try SealedBox.seal(plaintext, to: recipient)
    }

    static func openShare(_ box: [UInt8], identity: DeviceIdentity, suite: String) throws -> [UInt8] {
        if suite == CipherSuite.webCryptoV1 {
            return try HPKEBox.open(box, privateKey: identity.encryption.privateKey, info: Array(shareLabel(suite).utf8))
        }
        return try SealedBox.open(box, with: identity.encryption)
    }

    static func sealMessage(_ plaintext: [UInt8], key: SecureBytes, associatedData: [UInt8], suite: String) throws -> (
        nonce: [UInt8], ciphertext: [UInt8]
    ) {
        if suite == CipherSuite.webCryptoV1 { return try AES256GCM.seal(plaintext, key: key, associatedData: associatedData) }
        let sealed = try XChaCha20Poly1305.seal(plaintext, key: key, associatedData: associatedData)
        return (sealed.nonce, sealed.ciphertext)
    }

    static func openMessage(nonce: [UInt8], ciphertext: [UInt8], key: SecureBytes, associatedData: [UInt8], suite: String) throws -> [UInt8] {
        if suite == CipherSuite.webCryptoV1 {
            return try AES256GCM.open(nonce: nonce, ciphertext: ciphertext, key: key, associatedData: associatedData)
        }
        return try XChaCha20Poly1305.open(.init(nonce: nonce, ciphertext: ciphertext), key: key, associatedData: associatedData)
    }
}
