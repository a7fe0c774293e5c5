import Testing
import WardCrypto

/// The `ward-wc-1` suite's primitives: HPKE checked against RFC 9180's published test vector for
/// its exact ciphersuite, and both boxes round-trip and refuse alterations.
@Suite("HPKE and AES-256-GCM (ward-wc-1)")
struct HPKETests {
    static func bytes(_ hex: String) -> [UInt8] {
        var out: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            out.append(UInt8(hex[index..<next], radix: 16) ?? 0)
            index = next
        }
        return out
    }

    /// The CFRG test vector (github.com/cfrg/draft-irtf-cfrg-hpke, test-vectors.json, the set
    /// RFC 9180 Appendix A publishes) for mode 0 (base), KEM 0x0020 (DHKEM(X25519, HKDF-SHA256)),
    /// KDF 0x0001 (HKDF-SHA256), AEAD 0x0002 (AES-256-GCM): its first two encryptions.
    @Test func rfc9180VectorForTheWardSuiteOpens() throws {
        let info = Self.bytes("4f6465206f6e2061204772656369616e2055726e")
        let skR = Self.bytes("497b4502664cfea5d5af0b39934dac72242a74f8480451e1aee7d6a53320333d")
        let enc = Self.bytes("6c93e09869df3402d7bf231bf540fadd35cd56be14f97178f0954db94b7fc256")
        let plaintext = Self.bytes("4265617574792069732074727574682c20747275746820626561757479")
        let opened = try HPKEBox.openInSequence(
            [
                (
                    Self.bytes("e5d84cd531cfb583096e7cfa9641bd3079cf3a91cda813c52deb5f512be9931980a41de125a925cdad859d5b7a"),
                    Self.bytes("436f756e742d30")
                ),
                (
                    Self.bytes("2c43aff25343fdbff864506f0818b9d87df84ea01b1a2144d23b4d40c26bf655fdf197fe40297a8aebeed5cc2d"),
                    Self.bytes("436f756e742d31")
                )
            ], privateKey: skR, encapsulatedKey: enc, info: info)
        #expect(opened == [plaintext, plaintext])
        // The recipient's public key in the vector is the one derived from its private key,
        // computed as libsodium keeps X25519 keys (the device's key serves both suites).
        let pair = try SealedBox.KeyPair(privateKey: SecureBytes(skR))
        #expect(pair.publicKey == Self.bytes("430f4b9859665145a6b1ba274024487bd66f03a2dd577d7753c68d7d7d00c00c"))
        // And a box sealed to that key with the vector's info opens with the private key.
        let box = try HPKEBox.seal(plaintext, to: pair.publicKey, info: info)
        #expect(try HPKEBox.open(box, privateKey: SecureBytes(skR), info: info) == plaintext)
    }

    @Test func boxesRefuseAnotherKeyInfoOrAnyChangedByte() throws {
        let recipient = SealedBox.KeyPair(), other = SealedBox.KeyPair()
        let box = try HPKEBox.seal(Array("share".utf8), to: recipient.publicKey, info: Array("ward-wc-1 share".utf8))
        #expect(box.count == HPKEBox.encapsulatedKeyLength + 5 + HPKEBox.tagLength)
        #expect(throws: CryptoError.authenticationFailed) { try HPKEBox.open(box, privateKey: other.privateKey, info: Array("ward-wc-1 share".utf8)) }
        #expect(throws: CryptoError.authenticationFailed) { try HPKEBox.open(box, privateKey: recipient.privateKey, info: Array("other".utf8)) }
        for index in [0, 40, box.count - 1] {
            var changed = box
            changed[index] ^= 1
            #expect(throws: CryptoError.authenticationFailed) {
                try HPKEBox.open(changed, privateKey: recipient.privateKey, info: Array("ward-wc-1 share".utf8))
            }
        }
        #expect(throws: CryptoError.authenticationFailed) { try HPKEBox.open(Array(box.prefix(40)), privateKey: recipient.privateKey, info: []) }

        let key = SecureBytes(randomCount: 32)
        let sealed = try AES256GCM.seal(Array("bed 4".utf8), key: key, associatedData: [1, 2])
        #expect(sealed.nonce.count == 12 && sealed.ciphertext.count == 5 + 16)
        #expect(try AES256GCM.open(nonce: sealed.nonce, ciphertext: sealed.ciphertext, key: key, associatedData: [1, 2]) == Array("bed 4".utf8))
        #expect(throws: CryptoError.authenticationFailed) {
            try AES256GCM.open(nonce: sealed.nonce, ciphertext: sealed.ciphertext, key: key, associatedData: [1])
        }
        #expect(throws: CryptoError.authenticationFailed) {
            try AES256GCM.open(nonce: sealed.nonce, ciphertext: sealed.ciphertext, key: SecureBytes(randomCount: 32), associatedData: [1, 2])
        }
    }
}
