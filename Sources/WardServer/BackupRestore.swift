import Foundation
import WardAudit
public import WardCrypto
import WardStore

/// Restoring a backup into a new data directory: checked and decrypted beside it, erasures
/// re-applied, recorded in the audit log, then moved into place.
extension Backup {
    public struct Restored: Sendable {
        public var manifest: Manifest
        /// Erasures from the journal carried out again on the restored data.
        public var erasuresReapplied: Int
    }

    /// Restores `backup` into `target` (which must not exist): checks and decrypts it beside the
    /// target, re-applies every erasure in `journal`, records the restore in the audit log, and
    /// only then moves it into place. A refused backup leaves nothing at `target`.
    public static func restore(
        _ backup: String, recoveryKey: SealedBox.KeyPair, into target: DataDirectory,
        journal: ErasureJournal?
    ) async throws -> Restored {
        let fm = FileManager.default
        guard !fm.fileExists(atPath: target.path) else {
            throw ServerError.backupRefused("\(target.path) exists: restore into a new directory")
        }
        let movedKeys =
            target.keys == target.path
            ? []
            : [
                (DataDirectory(path: target.path).auditKey, target.auditKey),
                (DataDirectory(path: target.path).masterKey, target.masterKey)
            ]
        if let taken = movedKeys.first(where: { fm.fileExists(atPath: $0.1) }) {
            throw ServerError.backupRefused("\(taken.1) exists: restore the keys into a keys directory that holds none")
        }
        let staging = target.path + ".restoring-" + Hex.encode(SecureRandom.bytes(4))
        defer { try? fm.removeItem(atPath: staging) }
        let manifest = try unpack(backup, recoveryKey: recoveryKey, into: staging)
        let data = DataDirectory(path: staging)
        let (serverID, signer) = try data.loadIdentity()
        let log = try AuditLog.open(.init(directory: data.auditLog, signer: signer, source: serverID))
        var reapplied = 0
        do {
            let database = try WardDatabase(path: data.database)
            let execution = ErasureExecution(
                database: database, subjectKeys: try SubjectKeys(directory: data.subjectKeys, masterKey: try data.loadMasterKey()),
                auditTexts: try ErasableTextStore(directory: data.auditTexts), audit: log)
            // Every erasure journalled, in order: one already in the backup finds nothing left to do.
            for entry in try journal?.entries() ?? [] where try database.user(id: entry.subjectID) != nil {
                _ = try await execution.run(
                    subjectID: entry.subjectID, keptRooms: Set(entry.keptRooms), actorID: "system:restore", actorRole: "system",
                    policyIDs: [])
                reapplied += 1
            }
            try await log.append(
                AuditEvent(
                    type: "backup.restore", action: .create, actorID: "system:restore", actorRole: "system",
                    objectType: "backup", objectID: serverID,
                    details: [
                        "backup-created": "\(manifest.createdAt)", "backup-entries": "\(manifest.auditEntries)",
                        "erasures-reapplied": "\(reapplied)"
                    ]))
            try await log.close()
        } catch {
            try? await log.close()
            throw error
        }
        guard rename(staging, target.path) == 0 else { throw ServerError.cannotWrite(target.path) }
        // With a keys directory of its own, the two keys go there (moved, so none stays behind).
        if !movedKeys.isEmpty {
            try fm.createDirectory(atPath: target.keys, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            for (from, to) in movedKeys {
                do { try fm.moveItem(atPath: from, toPath: to) } catch { throw ServerError.cannotWrite(to) }
            }
        }
        return Restored(manifest: manifest, erasuresReapplied: reapplied)
    }
}
