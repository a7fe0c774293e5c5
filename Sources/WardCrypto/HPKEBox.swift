import Crypto
import Foundation

/// RFC 9180 HPKE in base mode with DHKEM(X25519, HKDF-SHA256), HKDF-SHA256 and AES-256-GCM
/// (swift-crypto), one message per context: what the `ward-wc-1` suite seals key shares with.
/// Every primitive it is made of (X25519, HKDF, AES-GCM) is in WebCrypto, so a browser opens
/// and seals the same boxes. A box is `enc` (the 32-byte encapsulated key) followed by the
/// ciphertext and its 16-byte tag.
public enum HPKEBox {
    public static let encapsulatedKeyLength = 32
    public static let tagLength = 16
    static let suite = HPKE.Ciphersuite(kem: .Curve25519_HKDF_SHA256, kdf: .HKDF_SHA256, aead: .AES_GCM_256)

    /// Seals `plaintext` to the X25519 public key `recipient` (32 bytes), binding `info`.
    public static func seal(_ plaintext: [UInt8], to recipient: [UInt8], info: [UInt8], associatedData: [UInt8] = []) throws -> [UInt8] {
        let key: Curve25519.KeyAgreement.PublicKey
        do { key = try Curve25519.KeyAgreement.PublicKey(rawRepresentation: recipient) } catch {
            throw CryptoError.invalidLength(what: "X25519 public key", expected: 32, actual: recipient.count)
        }
        do {
            var sender = try HPKE.Sender(recipientKey: key, ciphersuite: suite, info: Data(info))
            let ciphertext = try sender.seal(plaintext, authenticating: associatedData)
            return Array(sender.encapsulatedKey) + Array(ciphertext)
        } catch {
            throw CryptoError.library("HPKE seal: \(error)")
        }
    }

    /// Opens a box sealed to the X25519 private key `privateKey` (32 bytes, as libsodium keeps
    /// it), checking `info` and `associatedData`.
    public static func open(_ box: [UInt8], privateKey: SecureBytes, info: [UInt8], associatedData: [UInt8] = []) throws -> [UInt8] {
        guard box.count >= encapsulatedKeyLength + tagLength else { throw CryptoError.authenticationFailed }
        let key: Curve25519.KeyAgreement.PrivateKey
        do { key = try privateKey.withUnsafeBytes { try Curve25519.KeyAgreement.PrivateKey(rawRepresentation: Data($0)) } } catch {
            throw CryptoError.invalidLength(what: "X25519 private key", expected: 32, actual: privateKey.count)
        }
        do {
            var recipient = try HPKE.Recipient(
                privateKey: key, ciphersuite: suite, info: Data(info),
                encapsulatedKey: Data(box.prefix(encapsulatedKeyLength)))
            return Array(try recipient.open(Data(box.dropFirst(encapsulatedKeyLength)), authenticating: associatedData))
        } catch {
            throw CryptoError.authenticationFailed
        }
    }

    /// A recipient context for RFC 9180's published test vectors: opens `ciphertexts` in turn
    /// (sequence numbers 0, 1, …) with the given keys, so the vectors check this suite exactly.
    public static func openInSequence(
        _ ciphertexts: [(ciphertext: [UInt8], associatedData: [UInt8])], privateKey: [UInt8],
        encapsulatedKey: [UInt8], info: [UInt8]
    ) throws -> [[UInt8]] {
        let key = try Curve25519.KeyAgreement.PrivateKey(rawRepresentation: privateKey)
        var recipient = try HPKE.Recipient(privateKey: key, ciphersuite: suite, info: Data(info), encapsulatedKey: Data(encapsulatedKey))
        return try ciphertexts.map { Array(try recipient.open($0.ciphertext, authenticating: $0.associatedData)) }
    }
}

/// AES-256-GCM with 12-byte random nonces (swift-crypto): the `ward-wc-1` suite's message
/// cipher, WebCrypto's "AES-GCM". Each message key encrypts one message, so random nonces are
/// far from GCM's limits.
public enum AES256GCM {
    public static let keyLength = 32
    public static let nonceLength = 12
    public static let tagLength = 16

    /// Encrypts under `key` with a fresh random nonce; the ciphertext has the tag appended.
    public static func seal(_ plaintext: [UInt8], key: SecureBytes, associatedData: [UInt8]) throws -> (nonce: [UInt8], ciphertext: [UInt8]) {
        guard key.count == keyLength else { throw CryptoError.invalidLength(what: "AES-256 key", expected: keyLength, actual: key.count) }
        let symmetric = key.withUnsafeBytes { SymmetricKey(data: Data($0)) }
        do {
            let box = try AES.GCM.seal(plaintext, using: symmetric, nonce: AES.GCM.Nonce(), authenticating: associatedData)
            return (Array(box.nonce), Array(box.ciphertext) + Array(box.tag))
        } catch {
            throw CryptoError.library("AES-GCM seal: \(error)")
        }
    }

    /// Decrypts and checks the tag; throws `authenticationFailed` on any mismatch.
    public static func open(nonce: [UInt8], ciphertext: [UInt8], key: SecureBytes, associatedData: [UInt8]) throws -> [UInt8] {
        guard key.count == keyLength, nonce.count == nonceLength, ciphertext.count >= tagLength else { throw CryptoError.authenticationFailed }
        let symmetric = key.withUnsafeBytes { SymmetricKey(data: Data($0)) }
        do {
            let box = try AES.GCM.SealedBox(
                nonce: AES.GCM.Nonce(data: nonce), ciphertext: ciphertext.dropLast(tagLength), tag: ciphertext.suffix(tagLength))
            return Array(try AES.GCM.open(box, using: symmetric, authenticating: associatedData))
        } catch {
            throw CryptoError.authenticationFailed
        }
    }
}
