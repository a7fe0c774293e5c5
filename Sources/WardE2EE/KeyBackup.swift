import Foundation
import WardCrypto
public import WardProtocol

/// The sender keys a person's devices received, kept on the server sealed under a key only the
/// person's identity gives (issue 17): a new device that became theirs with the recovery key reads
/// their history. Each item is AES-256-GCM (`ward-key-backup-2`, which browsers open too; items
/// sealed before are XChaCha20-Poly1305, `ward-key-backup-1`) under `HMAC-SHA-256(identity seed,
/// label)` (the seed as a PRF key, the label separating this use from every other), with the
/// label and the key id as associated data, so the server can neither read an item nor move one
/// under another key id.
public enum KeyBackup {
    static let label = "ward-key-backup-2"
    static let xChaChaLabel = "ward-key-backup-1"

    /// One sender key as received: enough to read every message of its chain from `iteration` on.
    public struct Item: Codable, Equatable, Sendable {
        public var roomID: String
        public var keyID: String
        public var senderDevice: String
        public var suite: String
        public var iteration: Int
        /// Base64 of the 32-byte chain key at `iteration`.
        public var chainKey: String

        public init(roomID: String, keyID: String, senderDevice: String, suite: String, iteration: Int, chainKey: String) {
            (self.roomID, self.keyID, self.senderDevice, self.suite, self.iteration, self.chainKey) = (
                roomID, keyID, senderDevice, suite, iteration, chainKey
            )
        }
    }

    static func key(_ person: PersonIdentity, label: String = label) -> SecureBytes {
        HMACSHA256.tag(key: person.signing.seed, message: Array(label.utf8))
    }

    static func associatedData(keyID: String, label: String = label) -> [UInt8] { Array((label + "\u{0}" + keyID).utf8) }

    public static func seal(_ item: Item, person: PersonIdentity) throws -> SealedKeyBackup {
        var plaintext = try JSONCoding.encoder.encode(item)
        defer { SecureBytes.wipe(&plaintext) }
        let sealed = try AES256GCM.seal(plaintext, key: key(person), associatedData: associatedData(keyID: item.keyID))
        return SealedKeyBackup(keyID: item.keyID, sealed: Base64.encode(sealed.nonce + sealed.ciphertext))
    }

    /// An item as Ward sealed them before browsers took part: for tests that those still open.
    static func sealXChaCha(_ item: Item, person: PersonIdentity) throws -> SealedKeyBackup {
        var plaintext = try JSONCoding.encoder.encode(item)
        defer { SecureBytes.wipe(&plaintext) }
        let sealed = try XChaCha20Poly1305.seal(
            plaintext, key: key(person, label: xChaChaLabel),
            associatedData: associatedData(keyID: item.keyID, label: xChaChaLabel))
        return SealedKeyBackup(keyID: item.keyID, sealed: Base64.encode(sealed.combined))
    }

    /// The item, or nil when it was not sealed under this person's identity for this key id.
    public static func open(_ backup: SealedKeyBackup, person: PersonIdentity) -> Item? {
        guard let bytes = Base64.decode(backup.sealed), bytes.count > AES256GCM.nonceLength else { return nil }
        let aesGCM = try? AES256GCM.open(
            nonce: Array(bytes.prefix(AES256GCM.nonceLength)), ciphertext: Array(bytes.dropFirst(AES256GCM.nonceLength)),
            key: key(person), associatedData: associatedData(keyID: backup.keyID))
        guard var plaintext = aesGCM ?? openXChaCha(bytes, keyID: backup.keyID, person: person) else { return nil }
        defer { SecureBytes.wipe(&plaintext) }
        guard let item = try? JSONCoding.decoder.decode(Item.self, from: plaintext), item.keyID == backup.keyID else { return nil }
        return item
    }

    private static func openXChaCha(_ bytes: [UInt8], keyID: String, person: PersonIdentity) -> [UInt8]? {
        guard let sealed = try? XChaCha20Poly1305.SealedMessage(combined: bytes) else { return nil }
        return try? XChaCha20Poly1305.open(
            sealed, key: key(person, label: xChaChaLabel), associatedData: associatedData(keyID: keyID, label: xChaChaLabel))
    }
}
