import CSodium
import Testing
import WardCrypto

@Suite("Argon2id")
struct Argon2idTests {
    /// RFC 9106 §5.3: Argon2id, m=32 KiB, t=3, p=4, with secret and associated data.
    @Test func rfc9106TestVector() throws {
        let tag = try Argon2id.rawHash(
            password: [UInt8](repeating: 0x01, count: 32),
            salt: [UInt8](repeating: 0x02, count: 16),
            secret: [UInt8](repeating: 0x03, count: 8),
            associatedData: [UInt8](repeating: 0x04, count: 12),
            parameters: .init(memoryKiB: 32, iterations: 3, parallelism: 4),
            tagLength: 32
        )
        #expect(Hex.encode(tag) == "0d640df58d78766c08c037a34a8b53c9d01ef0452d75b65eb52520e96b01e659")
    }

    /// The reference implementation's own test vector for Argon2id v1.3 without secret or
    /// associated data ("password", "somesalt", m=64 KiB... as in phc-winner-argon2's test.c).
    @Test func referenceEncodedVector() throws {
        let hasher = try Argon2id(parameters: .init(memoryKiB: 16, iterations: 2, parallelism: 1))
        let known = "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc"
        #expect(try hasher.verify(password: Array("password".utf8), against: known))
        #expect(try !hasher.verify(password: Array("passwore".utf8), against: known))
    }

    @Test func roundTripAndRehash() throws {
        let hasher = try Argon2id(parameters: .init(memoryKiB: 64, iterations: 1, parallelism: 2))
        let encoded = try hasher.hash(password: Array("correct horse".utf8))
        #expect(encoded.hasPrefix("$argon2id$v=19$m=64,t=1,p=2$"))
        #expect(try hasher.verify(password: Array("correct horse".utf8), against: encoded))
        #expect(try !hasher.verify(password: Array("correct horsE".utf8), against: encoded))
        #expect(!hasher.needsRehash(encoded))
        let stronger = try Argon2id(parameters: .init(memoryKiB: 128, iterations: 1, parallelism: 2))
        #expect(stronger.needsRehash(encoded))
        // Two hashes of one password differ (random salt).
        #expect(try hasher.hash(password: Array("x".utf8)) != hasher.hash(password: Array("x".utf8)))
    }

    @Test func defaultsAreRFC9106SecondOption() throws {
        let hasher = try Argon2id()
        #expect(hasher.parameters == .rfc9106SecondRecommended)
        let encoded = try hasher.hash(password: Array("a long passphrase".utf8))
        #expect(encoded.hasPrefix("$argon2id$v=19$m=65536,t=3,p=4$"))
        #expect(try hasher.verify(password: Array("a long passphrase".utf8), against: encoded))
    }

    /// libsodium's Argon2id is an independent implementation: its hashes verify with ours and
    /// ours with it.
    @Test func interoperatesWithLibsodium() throws {
        #expect(sodium_init() >= 0)
        let password = "interop passphrase"
        var buffer = [CChar](repeating: 0, count: Int(crypto_pwhash_strbytes()))
        let made = crypto_pwhash_str(&buffer, password, UInt64(password.utf8.count), 2, 1 << 20)
        #expect(made == 0)
        let theirs = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let hasher = try Argon2id(parameters: .init(memoryKiB: 1024, iterations: 2, parallelism: 1))
        #expect(try hasher.verify(password: Array(password.utf8), against: theirs))
        #expect(try !hasher.verify(password: Array("other".utf8), against: theirs))

        let ours = try hasher.hash(password: Array(password.utf8))
        #expect(crypto_pwhash_str_verify(ours, password, UInt64(password.utf8.count)) == 0)
        #expect(crypto_pwhash_str_verify(ours, "other", 5) != 0)
    }

    @Test(arguments: [
        "", "$argon2i$v=19$m=64,t=1,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
        "$argon2id$v=16$m=64,t=1,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
        "$argon2id$v=19$m=64,t=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
        "$argon2id$v=19$m=64,t=1,p=1,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
        "$argon2id$v=19$m=64,t=01,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
        "$argon2id$v=19$m=64,t=1,p=1$c29t!XNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
        "$argon2id$v=19$m=64,t=1,p=1$c29tZXNhbHQ$short",
        "$argon2id$v=19$m=99999999999,t=1,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc"
    ])
    func malformedHashesAreRejectedClearly(_ text: String) throws {
        let hasher = try Argon2id(parameters: .init(memoryKiB: 64, iterations: 1, parallelism: 1))
        #expect(throws: CryptoError.self) { try hasher.verify(password: [1], against: text) }
        #expect(hasher.needsRehash(text))
    }
}
