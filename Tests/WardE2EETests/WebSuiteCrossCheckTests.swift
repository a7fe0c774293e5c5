import Foundation
import Testing
import WardCrypto
import WardE2EE
import WardProtocol
import WardTestSupport

/// The web client's `ward-wc-1` (Web/app/suite.js, under node) against this one, both ways: the
/// browser's code publishes byte-identical device keys for the same seeds (Ed25519 signatures are
/// deterministic), opens a share and an envelope sealed here, computes the same safety number,
/// and seals a share and an envelope that open here; and each side opens the other's identity
/// backup (with the recovery key) and key backup items.
@Suite("The web client's suite agrees with the Swift one")
struct WebSuiteCrossCheckTests {
    struct Given: Encodable {
        struct Web: Encodable { let userID: String, signingSeed: String, encryptionKey: String, identitySeed: String }
        struct Swift: Encodable { let keys: DeviceKeys }
        let web: Web
        let swift: Swift
        let delivery: KeyDelivery
        let envelope: Envelope
        struct Backups: Encodable { let recoveryKey: String, identity: String, keys: SealedKeyBackup }
        /// The web device's identity (`identitySeed`) as Swift backs it up.
        let backups: Backups
    }

    struct Made: Decodable {
        let published: DeviceKeys
        let opened: String
        let safetyNumber: String
        let keyID: String
        let share: SealedKey
        let envelope: Envelope
        struct Backups: Decodable {
            /// What the browser read from Swift's backups: the identity's public key and the item.
            let openedIdentityKey: String
            let openedItem: KeyBackup.Item
            /// A new identity the browser made, its backup, and an item sealed for it.
            let recoveryKey: String, identityKey: String, identity: String, item: KeyBackup.Item, keys: SealedKeyBackup
        }
        let backups: Backups
    }

    @Test func sharesEnvelopesKeysAndSafetyNumbersCrossBothWays() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let roomID = "room-7"
        let swiftDevice = DeviceIdentity()
        let swiftKeys = swiftDevice.publicKeys(userID: "user-swift")
        let (signingSeed, encryptionKey, identitySeed) = (SecureBytes(randomCount: 32), SecureBytes(randomCount: 32), SecureBytes(randomCount: 32))
        var webDevice = try DeviceIdentity(signingSeed: signingSeed, encryptionKey: encryptionKey, person: try PersonIdentity(seed: identitySeed))
        webDevice.suites = [CipherSuite.webCryptoV1]
        let webKeys = webDevice.publicKeys(userID: "user-web")

        // Swift seals a sender key to the web device and sends one message with it.
        var chain = SenderChain()
        let keyID = SenderKeyShare.makeKeyID()
        let sealed = try SenderKeyShare(
            roomID: roomID, keyID: keyID, senderDevice: swiftDevice.deviceID, recipientDevice: webDevice.deviceID,
            chain: chain, suite: CipherSuite.webCryptoV1
        ).seal(to: try DeviceKeysCheck.verify(webKeys), signer: swiftDevice)
        let envelope = try EnvelopeCrypto.seal(
            MessageContent(body: "from Swift"), roomID: roomID, keyID: keyID, chain: &chain,
            device: swiftDevice, suite: CipherSuite.webCryptoV1)
        func base64(_ secret: SecureBytes) -> String { secret.withUnsafeBytes { Base64.encode(Array($0)) } }
        let webPerson = try #require(webDevice.person), recoveryKey = IdentityBackup.makeRecoveryKey()
        let item = KeyBackup.Item(
            roomID: roomID, keyID: keyID, senderDevice: swiftDevice.deviceID, suite: CipherSuite.webCryptoV1, iteration: 3,
            chainKey: Base64.encode(SecureRandom.bytes(32)))
        let given = Given(
            web: .init(
                userID: "user-web", signingSeed: base64(signingSeed), encryptionKey: base64(encryptionKey), identitySeed: base64(identitySeed)),
            swift: .init(keys: swiftKeys),
            delivery: KeyDelivery(
                roomID: roomID, keyID: keyID, senderID: "user-swift", senderDevice: swiftDevice.deviceID,
                suite: CipherSuite.webCryptoV1, sealed: sealed.sealed),
            envelope: envelope,
            backups: .init(
                recoveryKey: recoveryKey,
                identity: try IdentityBackup.seal(webPerson, userID: "user-web", recoveryKey: recoveryKey),
                keys: try KeyBackup.seal(item, person: webPerson)))
        let input = dir.path + "/given.json", output = dir.path + "/made.json"
        try JSONEncoder().encode(given).write(to: URL(fileURLWithPath: input))
        let script = Repository.path("Tests/Web/crosscheck.mjs")
        let run = try runProcess("/usr/bin/env", ["node", script, input, output])
        try #require(run.status == 0, "node: \(run.stderr)")
        let made = try JSONDecoder().decode(Made.self, from: Data(contentsOf: URL(fileURLWithPath: output)))

        #expect(made.published == webKeys, "the browser publishes the same signed keys for the same seeds")
        #expect(made.opened == "from Swift")
        #expect(made.safetyNumber == PersonIdentity.safetyNumber(identityKey: try #require(swiftDevice.person).publicKey))

        // What the browser sealed opens here, from the browser's verified device.
        let webVerified = try DeviceKeysCheck.verify(made.published)
        let opened = try SenderKeyShare.open(
            KeyDelivery(
                roomID: roomID, keyID: made.keyID, senderID: "user-web", senderDevice: webDevice.deviceID,
                suite: CipherSuite.webCryptoV1, sealed: made.share.sealed),
            identity: swiftDevice, sender: webVerified)
        var webChain = opened.chain
        let content = try EnvelopeCrypto.open(made.envelope, roomID: roomID, sender: webVerified) { try webChain.messageKey(at: $0) }
        #expect(content == MessageContent(body: "from the browser"))
        // And the browser's envelope in another room, or from another device, does not.
        #expect(throws: E2EEError.self) {
            try EnvelopeCrypto.open(made.envelope, roomID: "room-8", sender: webVerified) { _ in SecureBytes(randomCount: 32) }
        }
        #expect(throws: E2EEError.self) {
            try EnvelopeCrypto.open(made.envelope, roomID: roomID, sender: try DeviceKeysCheck.verify(swiftKeys)) { _ in SecureBytes(randomCount: 32)
            }
        }

        // Backups, both ways: the browser took the identity and the item from Swift's, and
        // Swift opens the browser's new identity (typed as people type) and its item.
        #expect(made.backups.openedIdentityKey == Base64.encode(webPerson.publicKey))
        #expect(made.backups.openedItem == item)
        let typed = made.backups.recoveryKey.lowercased().replacingOccurrences(of: "-", with: " ")
        let browsers = try IdentityBackup.open(made.backups.identity, userID: "user-web", recoveryKey: typed)
        #expect(Base64.encode(browsers.publicKey) == made.backups.identityKey)
        #expect(KeyBackup.open(made.backups.keys, person: browsers) == made.backups.item)
        #expect(KeyBackup.open(made.backups.keys, person: webPerson) == nil)
        #expect(throws: IdentityBackup.Failure.wrongRecoveryKey) {
            try IdentityBackup.open(made.backups.identity, userID: "user-web", recoveryKey: recoveryKey)
        }
    }
}
