import Foundation
import WardAudit
public import WardCrypto
import WardStore

/// The clinic's backup recovery key: the appliance keeps its public half, the clinic the
/// private half, offline.
extension Backup {
    /// The recovery key's public half, kept in the data directory.
    static func recipientPath(_ data: DataDirectory) -> String { data.path + "/backup-recipient.pub" }
    public static let recoveryKeyHeader = "ward-backup-recovery-key-1"

    /// Makes a recovery key: the public half into the data directory, the private half into a
    /// new file at `out` (0600) for the clinic to keep offline. Returns its fingerprint.
    @discardableResult
    public static func makeRecoveryKey(for data: DataDirectory, out: String) throws -> String {
        let pair = SealedBox.KeyPair()
        try DataDirectory.writeNew(out, recoveryKeyHeader + "\n" + Base64.encode(pair.privateKey.copyBytes()) + "\n", mode: 0o600)
        let recipient = recipientPath(data)
        try? FileManager.default.removeItem(atPath: recipient)
        try DataDirectory.writeNew(recipient, Base64.encode(pair.publicKey) + "\n", mode: 0o644)
        return fingerprint(pair.publicKey)
    }

    public static func loadRecoveryKey(_ path: String) throws -> SealedBox.KeyPair {
        guard let text = FileManager.default.contents(atPath: path).map({ String(decoding: $0, as: UTF8.self) }) else {
            throw ServerError.unreadable(path)
        }
        let lines = text.split(separator: "\n").map(String.init)
        guard lines.count == 2, lines[0] == recoveryKeyHeader, let key = Base64.decode(lines[1]), key.count == 32,
            let pair = try? SealedBox.KeyPair(privateKey: SecureBytes(key))
        else {
            throw ServerError.backupRefused("\(path) is not a Ward backup recovery key")
        }
        return pair
    }

    static func fingerprint(_ publicKey: [UInt8]) -> String { "SHA256:" + Hex.encode(SHA256Hash.digest(publicKey).prefix(16)) }

    /// The recovery key's public half that backups are sealed to; refused when there is none yet.
    static func recipient(of data: DataDirectory) throws -> [UInt8] {
        guard let text = FileManager.default.contents(atPath: recipientPath(data)),
            let recipient = Base64.decode(String(decoding: text, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)),
            recipient.count == 32
        else {
            throw ServerError.backupRefused(
                "\(recipientPath(data)) is missing: make a recovery key first (ward-server recovery-key --data \(data.path) --out FILE)")
        }
        return recipient
    }
}
