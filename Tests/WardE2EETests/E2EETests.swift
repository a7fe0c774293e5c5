import Foundation
import Testing
import WardCrypto
@testable import WardE2EE
import WardProtocol

@Suite("End-to-end encryption")
struct E2EETests {
    let alice = DeviceIdentity()
    let bob = DeviceIdentity()

    @Test func deviceKeysVerifyAndAnyChangeIsCaught() throws {
        let keys = alice.publicKeys(userID: "user:alice")
        let verified = try DeviceKeysCheck.verify(keys)
        #expect(verified.deviceID == alice.deviceID && verified.userID == "user:alice")
        // The server cannot move the device to another user, swap its encryption key or rename it.
        var moved = keys
        moved.userID = "user:mallory"
        #expect(throws: E2EEError.badSignature("device keys")) { try DeviceKeysCheck.verify(moved) }
        var swapped = keys
        swapped.encryptionKey = Base64.encode(SealedBox.KeyPair().publicKey)
        #expect(throws: E2EEError.badSignature("device keys")) { try DeviceKeysCheck.verify(swapped) }
        var renamed = keys
        renamed.deviceID = bob.deviceID
        #expect(throws: E2EEError.malformed("device id")) { try DeviceKeysCheck.verify(renamed) }
        var short = keys
        short.signingKey = Base64.encode([1, 2, 3])
        #expect(throws: E2EEError.malformed("device signing key")) { try DeviceKeysCheck.verify(short) }
    }

    @Test func safetyNumbersAreSixtyDigitsAndDifferPerDevice() {
        let number = DeviceKeysCheck.safetyNumber(alice.publicKeys(userID: "u"))
        #expect(number.split(separator: " ").count == 12 && number.filter(\.isNumber).count == 60)
        #expect(number == DeviceKeysCheck.safetyNumber(alice.publicKeys(userID: "u")))
        #expect(number != DeviceKeysCheck.safetyNumber(bob.publicKeys(userID: "u")))
    }

    @Test func theRatchetGoesForwardOnly() throws {
        var sender = SenderChain()
        let shared = sender
        let first = sender.nextMessageKey()
        let second = sender.nextMessageKey()
        #expect(first.iteration == 0 && second.iteration == 1)
        #expect(first.key.copyBytes() != second.key.copyBytes())
        // A receiver with the shared chain derives any later key, in any order.
        var receiver = shared
        #expect(try receiver.messageKey(at: 1).copyBytes() == second.key.copyBytes())
        // But a chain that has moved on cannot go back: a leaked current key hides the past.
        #expect(throws: E2EEError.iterationOutOfRange) { try receiver.messageKey(at: 0) }
        var again = shared
        #expect(throws: E2EEError.iterationOutOfRange) { try again.messageKey(at: SenderChain.maxSkip + 1) }
    }

    @Test(arguments: [CipherSuite.senderKeysV1, CipherSuite.webCryptoV1])
    func envelopesOpenOnlyWithTheRightKeyRoomAndSender(suite: String) throws {
        let keyID = SenderKeyShare.makeKeyID()
        var chain = SenderChain()
        let shared = chain
        let envelope = try EnvelopeCrypto.seal(
            MessageContent(body: "bed 4", format: "text"), roomID: "room:a", keyID: keyID, chain: &chain, device: alice,
            suite: suite)
        #expect(envelope.suite == suite && Base64.decode(envelope.nonce)?.count == (suite == CipherSuite.webCryptoV1 ? 12 : 24))
        let sender = try DeviceKeysCheck.verify(alice.publicKeys(userID: "user:alice"))
        var receiving = shared
        let content = try EnvelopeCrypto.open(envelope, roomID: "room:a", sender: sender) { try receiving.messageKey(at: $0) }
        #expect(content == MessageContent(body: "bed 4", format: "text"))
        var other = shared
        #expect(throws: E2EEError.badSignature("message")) {
            try EnvelopeCrypto.open(envelope, roomID: "room:b", sender: sender) { try other.messageKey(at: $0) }
        }
        let impostor = try DeviceKeysCheck.verify(bob.publicKeys(userID: "user:bob"))
        #expect(throws: E2EEError.badSignature("message")) {
            try EnvelopeCrypto.open(envelope, roomID: "room:a", sender: impostor) { try other.messageKey(at: $0) }
        }
        let wrongKey = SenderChain()
        var wrong = wrongKey
        #expect(throws: E2EEError.undecryptable) {
            try EnvelopeCrypto.open(envelope, roomID: "room:a", sender: sender) { try wrong.messageKey(at: $0) }
        }
        // The suite is bound by the header: relabelled, the envelope does not verify (or parse).
        var relabelled = envelope
        relabelled.suite = suite == CipherSuite.webCryptoV1 ? CipherSuite.senderKeysV1 : CipherSuite.webCryptoV1
        var again = shared
        #expect(throws: E2EEError.self) { try EnvelopeCrypto.open(relabelled, roomID: "room:a", sender: sender) { try again.messageKey(at: $0) } }
    }

    @Test(arguments: [CipherSuite.senderKeysV1, CipherSuite.webCryptoV1])
    func sharesOpenOnlyForTheirRecipientFromTheirSigner(suite: String) throws {
        let chain = SenderChain()
        let keyID = SenderKeyShare.makeKeyID()
        let bobKeys = try DeviceKeysCheck.verify(bob.publicKeys(userID: "user:bob"))
        let aliceKeys = try DeviceKeysCheck.verify(alice.publicKeys(userID: "user:alice"))
        let sealed = try SenderKeyShare(
            roomID: "room:a", keyID: keyID, senderDevice: alice.deviceID, recipientDevice: bob.deviceID, chain: chain,
            suite: suite
        ).seal(to: bobKeys, signer: alice)
        let delivery = KeyDelivery(
            roomID: "room:a", keyID: keyID, senderID: "user:alice", senderDevice: alice.deviceID,
            suite: suite, sealed: sealed.sealed)
        let share = try SenderKeyShare.open(delivery, identity: bob, sender: aliceKeys)
        #expect(share.chain.chainKey.copyBytes() == chain.chainKey.copyBytes() && share.keyID == keyID)
        // Not for Alice herself, not claimed by Bob as signer, not moved to another room.
        #expect(throws: E2EEError.undecryptable) { try SenderKeyShare.open(delivery, identity: alice, sender: aliceKeys) }
        #expect(throws: E2EEError.badSignature("sender key share")) { try SenderKeyShare.open(delivery, identity: bob, sender: bobKeys) }
        var moved = delivery
        moved.roomID = "room:b"
        #expect(throws: E2EEError.malformed("sender key share (addressed elsewhere)")) {
            try SenderKeyShare.open(moved, identity: bob, sender: aliceKeys)
        }
        // Opened as the other suite, it does not open.
        var relabelled = delivery
        relabelled.suite = suite == CipherSuite.webCryptoV1 ? CipherSuite.senderKeysV1 : CipherSuite.webCryptoV1
        #expect(throws: E2EEError.undecryptable) { try SenderKeyShare.open(relabelled, identity: bob, sender: aliceKeys) }
    }

    /// A sender uses a suite every recipient device speaks, the newer first (issue 17).
    @Test func roomsMixingSuitesUseOneEveryDeviceSpeaks() throws {
        let both = CipherSuite.supported.sorted()
        #expect(Suite.common([both, both]) == CipherSuite.webCryptoV1)
        #expect(Suite.common([both, [CipherSuite.senderKeysV1]]) == CipherSuite.senderKeysV1)
        #expect(Suite.common([both, [CipherSuite.webCryptoV1]]) == CipherSuite.webCryptoV1)
        #expect(Suite.common([[CipherSuite.senderKeysV1], [CipherSuite.webCryptoV1]]) == nil)
        // A device that does not list a suite is never sealed to in it.
        var old = DeviceIdentity()
        old.suites = [CipherSuite.senderKeysV1]
        let oldKeys = try DeviceKeysCheck.verify(old.publicKeys(userID: "user:old"))
        #expect(throws: E2EEError.unsupportedSuite(CipherSuite.webCryptoV1)) {
            try SenderKeyShare(
                roomID: "r", keyID: SenderKeyShare.makeKeyID(), senderDevice: alice.deviceID, recipientDevice: old.deviceID,
                chain: SenderChain(), suite: CipherSuite.webCryptoV1
            ).seal(to: oldKeys, signer: alice)
        }
    }

    @Test func theServersShapeCheckRefusesBadEnvelopes() throws {
        var chain = SenderChain()
        let good = try EnvelopeCrypto.seal(MessageContent(body: "x"), roomID: "r", keyID: SenderKeyShare.makeKeyID(), chain: &chain, device: alice)
        _ = try EnvelopeCrypto.check(good)
        var bad = good
        bad.keyID = "NOT-HEX"
        #expect(throws: E2EEError.malformed("envelope keyID")) { try EnvelopeCrypto.check(bad) }
        bad = good
        bad.ciphertext = Base64.encode([UInt8](repeating: 0, count: EnvelopeCrypto.maxCiphertextBytes + 1))
        #expect(throws: E2EEError.malformed("envelope ciphertext")) { try EnvelopeCrypto.check(bad) }
        bad = good
        bad.signature = "not base64!"
        #expect(throws: E2EEError.malformed("envelope signature")) { try EnvelopeCrypto.check(bad) }
        bad = good
        bad.iteration = -1
        #expect(throws: E2EEError.malformed("envelope iteration")) { try EnvelopeCrypto.check(bad) }
    }
}

@Suite("Device key file")
struct DeviceKeyFileTests {
    static let cheap = Argon2id.Parameters(memoryKiB: 1024, iterations: 1, parallelism: 1)

    @Test func roundTripsUnderThePassphraseOnlyAndIsPrivate() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ward-keyfile-\(UInt64.random(in: 0...UInt64.max))").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/device.key"
        let identity = DeviceIdentity()
        try DeviceKeyFile.save(identity, userID: "user:ann", passphrase: "correct horse battery", to: path, parameters: Self.cheap)
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        let (loaded, userID) = try DeviceKeyFile.load(from: path, passphrase: "correct horse battery")
        #expect(userID == "user:ann" && loaded.deviceID == identity.deviceID)
        #expect(loaded.encryption.publicKey == identity.encryption.publicKey)
        // No key material in the clear.
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect(bytes.range(of: Data(identity.signing.seed.copyBytes())) == nil)
        #expect(bytes.range(of: Data(Base64.encode(identity.signing.seed.copyBytes()).utf8)) == nil)

        #expect(throws: DeviceKeyFile.Failure.wrongPassphrase) { try DeviceKeyFile.load(from: path, passphrase: "wrong") }
        // Moving the file to another user breaks its authentication.
        let text = String(decoding: bytes, as: UTF8.self).replacingOccurrences(of: "user:ann", with: "user:bob")
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        #expect(throws: DeviceKeyFile.Failure.wrongPassphrase) { try DeviceKeyFile.load(from: path, passphrase: "correct horse battery") }
        // Truncated, or readable by others: refused with a reason.
        try Data(bytes.prefix(20)).write(to: URL(fileURLWithPath: path))
        #expect(throws: DeviceKeyFile.Failure.self) { try DeviceKeyFile.load(from: path, passphrase: "correct horse battery") }
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: path)
        #expect(throws: DeviceKeyFile.Failure.notPrivate(path)) { try DeviceKeyFile.load(from: path, passphrase: "correct horse battery") }
    }
}

@Suite("Identity keys and their backup")
struct IdentityKeyTests {
    @Test func devicesAreVouchedForByTheirOwnersIdentityOnly() throws {
        let person = PersonIdentity()
        let device = DeviceIdentity(person: person)
        let keys = device.publicKeys(userID: "user:a")
        #expect(try DeviceKeysCheck.verify(keys).identityKey == person.publicKey)
        // Claimed for another user, or with another identity key, the signature fails.
        var moved = keys
        moved.identityKey = Base64.encode(PersonIdentity().publicKey)
        #expect(throws: E2EEError.badSignature("device identity signature")) { try DeviceKeysCheck.verify(moved) }
        var half = keys
        half.identitySignature = nil
        #expect(throws: E2EEError.malformed("device identity signature")) { try DeviceKeysCheck.verify(half) }
        #expect(try DeviceKeysCheck.verify(DeviceIdentity(person: nil).publicKeys(userID: "user:a")).identityKey == nil)
        // The safety number is the identity's: the same for every device it vouches for.
        #expect(PersonIdentity.safetyNumber(identityKey: person.publicKey).split(separator: " ").count == 12)
        #expect(PersonIdentity.safetyNumber(identityKey: person.publicKey) != PersonIdentity.safetyNumber(identityKey: PersonIdentity().publicKey))
    }

    @Test(arguments: ["ward-identity-backup-2", "ward-identity-backup-1"])
    func theBackupOpensOnlyWithItsRecoveryKeyForItsPerson(format: String) throws {
        let person = PersonIdentity()
        let recoveryKey = IdentityBackup.makeRecoveryKey()
        #expect(recoveryKey.count == 39 && recoveryKey.split(separator: "-").count == 8)
        let backup =
            format == IdentityBackup.format
            ? try IdentityBackup.seal(person, userID: "user:a", recoveryKey: recoveryKey, iterations: 100_000)
            : try IdentityBackup.sealArgon2(
                person, userID: "user:a", recoveryKey: recoveryKey, parameters: .init(memoryKiB: 1024, iterations: 1, parallelism: 1))
        #expect(backup.contains("\"format\":\"\(format)\""))
        #expect(IdentityBackup.isArgon2Format(backup) == (format != IdentityBackup.format))
        #expect(!backup.contains(Base64.encode(person.signing.seed.copyBytes())))
        #expect(try IdentityBackup.open(backup, userID: "user:a", recoveryKey: recoveryKey).publicKey == person.publicKey)
        #expect(throws: IdentityBackup.Failure.wrongRecoveryKey) {
            try IdentityBackup.open(backup, userID: "user:a", recoveryKey: IdentityBackup.makeRecoveryKey())
        }
        #expect(throws: IdentityBackup.Failure.malformed) { try IdentityBackup.open(backup, userID: "user:b", recoveryKey: recoveryKey) }
        #expect(throws: IdentityBackup.Failure.malformed) { try IdentityBackup.open("{}", userID: "user:a", recoveryKey: recoveryKey) }
        var tampered = Array(backup.utf8)
        if let index = backup.utf8.firstIndex(of: UInt8(ascii: "\"")).map({ backup.utf8.distance(from: backup.utf8.startIndex, to: $0) }) {
            tampered[index + 1] = UInt8(ascii: "x")
        }
        #expect(throws: IdentityBackup.Failure.self) {
            try IdentityBackup.open(String(decoding: tampered, as: UTF8.self), userID: "user:a", recoveryKey: recoveryKey)
        }
    }

    @Test func aBackupNamingTooFewOrTooManyIterationsIsRefusedUnopened() throws {
        let person = PersonIdentity(), recoveryKey = IdentityBackup.makeRecoveryKey()
        let backup = try IdentityBackup.seal(person, userID: "user:a", recoveryKey: recoveryKey, iterations: 100_000)
        try #require(backup.contains("\"iterations\":100000"))
        for iterations in [0, 99_999, 10_000_001] {
            let named = backup.replacingOccurrences(of: "\"iterations\":100000", with: "\"iterations\":\(iterations)")
            #expect(throws: IdentityBackup.Failure.malformed) { try IdentityBackup.open(named, userID: "user:a", recoveryKey: recoveryKey) }
        }
    }
}

@Suite("Key backup")
struct KeyBackupTests {
    @Test(arguments: [false, true])
    func itemsOpenOnlyForTheirPersonUnderTheirKeyID(sealedBeforeBrowsers: Bool) throws {
        let person = PersonIdentity()
        let item = KeyBackup.Item(
            roomID: "room:a", keyID: SenderKeyShare.makeKeyID(), senderDevice: "dev-1", suite: CipherSuite.webCryptoV1,
            iteration: 7, chainKey: Base64.encode(SecureRandom.bytes(32)))
        let sealed = sealedBeforeBrowsers ? try KeyBackup.sealXChaCha(item, person: person) : try KeyBackup.seal(item, person: person)
        #expect(try #require(Base64.decode(sealed.sealed)).count > (sealedBeforeBrowsers ? 24 : 12) + 16)
        #expect(!sealed.sealed.contains(item.chainKey))
        #expect(KeyBackup.open(sealed, person: person) == item)
        #expect(KeyBackup.open(sealed, person: PersonIdentity()) == nil, "another identity opens nothing")
        var moved = sealed
        moved.keyID = SenderKeyShare.makeKeyID()
        #expect(KeyBackup.open(moved, person: person) == nil, "an item moved under another key id opens nothing")
    }
}
