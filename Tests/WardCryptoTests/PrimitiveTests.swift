import Testing
import WardCrypto

@Suite("libsodium primitives")
struct PrimitiveTests {
    @Test func ed25519SignVerify() throws {
        let key = Ed25519.PrivateKey()
        let message = Array("checkpoint body\n".utf8)
        let signature = key.signature(for: message)
        #expect(signature.count == 64)
        #expect(key.publicKey.isValidSignature(signature, for: message))
        var altered = message
        altered[0] ^= 1
        #expect(!key.publicKey.isValidSignature(signature, for: altered))
        #expect(!key.publicKey.isValidSignature(Array(signature.dropLast()), for: message))
        #expect(!Ed25519.PrivateKey().publicKey.isValidSignature(signature, for: message))
        #expect(key.publicKey.isValidSignature(key.signature(for: [UInt8]()), for: [UInt8]()))
    }

    /// RFC 8032 §7.1 test 1: the empty message under a fixed key.
    @Test func ed25519RFC8032Vector() throws {
        let seed = try #require(Hex.decode("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"))
        let key = try Ed25519.PrivateKey(seed: SecureBytes(seed))
        #expect(Hex.encode(key.publicKey.bytes) == "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")
        #expect(
            Hex.encode(key.signature(for: [UInt8]()))
                == "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b")
        #expect(throws: CryptoError.self) { try Ed25519.PrivateKey(seed: SecureBytes([1, 2, 3])) }
        #expect(throws: CryptoError.self) { try Ed25519.PublicKey(bytes: [1, 2, 3]) }
    }

    @Test func sealedBoxRoundTrip() throws {
        let recipient = SealedBox.KeyPair()
        let sealed = try SealedBox.seal(Array("sender key".utf8), to: recipient.publicKey)
        #expect(sealed.count == 10 + SealedBox.overhead)
        #expect(try SealedBox.open(sealed, with: recipient) == Array("sender key".utf8))
        #expect(throws: CryptoError.authenticationFailed) { try SealedBox.open(sealed, with: SealedBox.KeyPair()) }
        var tampered = sealed
        tampered[tampered.count - 1] ^= 0x80
        #expect(throws: CryptoError.authenticationFailed) { try SealedBox.open(tampered, with: recipient) }
        #expect(throws: CryptoError.authenticationFailed) { try SealedBox.open([1, 2], with: recipient) }
        let restored = try SealedBox.KeyPair(privateKey: recipient.privateKey)
        #expect(restored.publicKey == recipient.publicKey)
    }

    @Test func aeadRoundTripAndTamper() throws {
        let key = SecureBytes(randomCount: 32)
        let ad = Array("room:42".utf8)
        let sealed = try XChaCha20Poly1305.seal(Array("hello".utf8), key: key, associatedData: ad)
        #expect(sealed.nonce.count == 24)
        #expect(try XChaCha20Poly1305.open(sealed, key: key, associatedData: ad) == Array("hello".utf8))
        #expect(throws: CryptoError.authenticationFailed) {
            try XChaCha20Poly1305.open(sealed, key: key, associatedData: Array("room:43".utf8))
        }
        var bad = sealed.ciphertext
        bad[0] ^= 1
        #expect(throws: CryptoError.authenticationFailed) {
            try XChaCha20Poly1305.open(.init(nonce: sealed.nonce, ciphertext: bad), key: key, associatedData: ad)
        }
        #expect(throws: CryptoError.self) { try XChaCha20Poly1305.seal([1], key: SecureBytes([1])) }
        let combined = try XChaCha20Poly1305.SealedMessage(combined: sealed.combined)
        #expect(combined == sealed)
        #expect(throws: CryptoError.self) { try XChaCha20Poly1305.SealedMessage(combined: [1, 2, 3]) }
        // Opening the combined form in place: the same plaintext, the same refusals.
        #expect(try XChaCha20Poly1305.open(combined: sealed.combined, key: key, associatedData: ad) == Array("hello".utf8))
        #expect(try XChaCha20Poly1305.open(combined: ([9] + sealed.combined)[1...], key: key, associatedData: ad) == Array("hello".utf8))
        var flipped = sealed.combined
        flipped[XChaCha20Poly1305.nonceLength] ^= 1
        #expect(throws: CryptoError.self) { try XChaCha20Poly1305.open(combined: flipped, key: key, associatedData: ad) }
        #expect(throws: CryptoError.self) { try XChaCha20Poly1305.open(combined: sealed.combined, key: key, associatedData: [1]) }
        #expect(throws: CryptoError.self) { try XChaCha20Poly1305.open(combined: [UInt8](repeating: 0, count: 39), key: key) }
        // Empty plaintexts work too.
        let empty = try XChaCha20Poly1305.seal([UInt8](), key: key)
        #expect(try XChaCha20Poly1305.open(empty, key: key).isEmpty)
        #expect(try XChaCha20Poly1305.open(combined: empty.combined, key: key).isEmpty)
    }

    @Test func constantTimeEqual() {
        #expect(ConstantTime.equal([1, 2, 3] as [UInt8], [1, 2, 3] as [UInt8]))
        #expect(!ConstantTime.equal([1, 2, 3] as [UInt8], [1, 2, 4] as [UInt8]))
        #expect(!ConstantTime.equal([1, 2, 3] as [UInt8], [1, 2] as [UInt8]))
        #expect(ConstantTime.equal([UInt8](), [UInt8]()))
    }

    @Test func randomBytesDiffer() {
        #expect(SecureRandom.bytes(32).count == 32)
        #expect(SecureRandom.bytes(32) != SecureRandom.bytes(32))
        let secret = SecureBytes(randomCount: 16)
        #expect(secret.count == 16)
        #expect(SecureBytes([UInt8]()).count == 0)
    }

    @Test func base64IsStrict() {
        #expect(Base64.encode(Array("foobar".utf8)) == "Zm9vYmFy")
        #expect(Base64.encode(Array("fo".utf8)) == "Zm8=")
        #expect(Base64.encode(Array("f".utf8), padding: false) == "Zg")
        #expect(Base64.decode("Zm8=") == Array("fo".utf8))
        #expect(Base64.decode("Zm9=") == nil, "non-zero unused bits are not canonical")
        #expect(Base64.decode("Zm8") == nil, "padding is required")
        #expect(Base64.decode("Zm 8=") == nil)
        #expect(Base64.decode("Zg", padding: false) == Array("f".utf8))
        #expect(Base64.decode("Zh", padding: false) == nil)
        #expect(Hex.decode("0aFf") == [0x0a, 0xff])
        #expect(Hex.decode("0g") == nil)
        #expect(Hex.decode("abc") == nil)
    }
}
