import Foundation
import WardAudit
import WardProtocol
import WardStore

/// The steps that erase a person (GDPR Art. 17), in the one order that is safe to repeat:
/// destroy their keys (crypto-shredding: every copy of their messages becomes unreadable),
/// delete their messages, pseudonymise their account, erase the texts the audit log committed
/// to about them. `gdpr.erase` runs it; so does a restore, for every erasure recorded after the
/// backup it restores (`ErasureJournal`), so that a restore never brings back an erased person.
struct ErasureExecution {
    let database: WardDatabase
    let subjectKeys: SubjectKeys
    let auditTexts: ErasableTextStore
    let audit: AuditLog

    static let messageChunk = 2000

    struct Result {
        var keysDestroyed: Int
        var messagesErased: Int
        var account: WardDatabase.AccountErasure
        var auditTombstones: Int
    }

    /// Erases `subjectID`, keeping what legal holds keep (`keptRooms`, and the medical record,
    /// which the registry holds for its retention). `left` sees the rooms the person left, after
    /// the commit (for events). The audit tombstones name `actorID` and the deciding policies.
    func run(
        subjectID: String, keptRooms: Set<String>, actorID: String, actorRole: String, policyIDs: [String],
        left: @escaping @Sendable (WardDatabase.AccountErasure) -> Void = { _ in }
    ) async throws -> Result {
        let keysDestroyed = try subjectKeys.destroy(subject: subjectID, keeping: keptRooms.union(["record"])).count
        var messagesErased = 0
        while true {
            let chunk = Self.messageChunk
            let deleted = try await database.write { try $0.deleteMessages(sentBy: subjectID, outside: keptRooms, limit: chunk) }
            messagesErased += deleted
            if deleted == 0 { break }
        }
        let pseudonym = "erased." + (subjectID.split(separator: ":").last.map(String.init) ?? subjectID)
        let account = try await database.write(
            { transaction in
                try transaction.eraseAccount(userID: subjectID, pseudonym: pseudonym, keptRooms: keptRooms)
            }, afterCommit: left)
        let tombstones = try await eraseAuditTexts(of: subjectID, actorID: actorID, actorRole: actorRole, policyIDs: policyIDs)
        _ = await database.truncateWriteAheadLog()
        return Result(keysDestroyed: keysDestroyed, messagesErased: messagesErased, account: account, auditTombstones: tombstones)
    }

    /// Erases the texts the audit log committed to about the person (audit/FORMAT.md §7) and
    /// appends their tombstones; returns how many. The entries stay: they hold only opaque ids,
    /// which no longer lead to a person once the account is pseudonymised.
    private func eraseAuditTexts(of subjectID: String, actorID: String, actorRole: String, policyIDs: [String]) async throws -> Int {
        var committed: [Hash32] = []
        var erasedBefore: Set<Hash32> = []
        try AuditLogReader(directory: audit.directory).walk(from: 0) { entry in
            let event = entry.event
            if event.type == "audit.erase" {
                erasedBefore.formUnion(event.commitments)
            } else if event.subjectID == subjectID || event.actorID == subjectID {
                committed.append(contentsOf: event.commitments)
            }
            return true
        }
        let pending = committed.filter { !erasedBefore.contains($0) }
        // A tombstone names at most 32 commitments (the entry format's list limit).
        var start = 0
        while start < pending.count {
            let batch = Array(pending[start..<min(start + EntryCodec.maxListCount, pending.count)])
            try await audit.appendErasure(
                of: batch, from: auditTexts, legalBasis: "gdpr-art-17", actorID: actorID, actorRole: actorRole,
                subjectID: subjectID, decision: .allow, policyIDs: Array(policyIDs.prefix(EntryCodec.maxListCount)))
            start += batch.count
        }
        return pending.count
    }
}

/// Every erasure carried out, as one JSON line each (ids only: the subject, the time, the rooms a
/// legal hold kept), appended and synced when the erasure completes, in a file the operator keeps
/// apart from the data directory and its backups (`serve --erasure-journal`). A restore re-applies
/// each one, so that GDPR Art. 17 survives a restore from a backup taken before the erasure.
public struct ErasureJournal: Sendable {
    public let path: String

    public init(path: String) { self.path = path }

    public struct Entry: Codable, Equatable, Sendable {
        public var subjectID: String
        public var erasedAt: Int64
        public var keptRooms: [String]
    }

    func append(_ entry: Entry) throws {
        var line = try JSONEncoder.sortedKeys.encode(entry)
        line.append(UInt8(ascii: "\n"))
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw ServerError.cannotWrite(path) }
        defer { close(fd) }
        let written = line.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard written == line.count, fsync(fd) == 0 else { throw ServerError.cannotWrite(path) }
    }

    /// The entries, oldest first; a last line cut short by a crash is skipped (its erasure is
    /// in the audit log and runs again from there if it did not finish).
    public func entries() throws -> [Entry] {
        guard FileManager.default.fileExists(atPath: path) else { return [] }
        guard let data = FileManager.default.contents(atPath: path) else { throw ServerError.unreadable(path) }
        return data.split(separator: UInt8(ascii: "\n")).compactMap { try? JSONDecoder().decode(Entry.self, from: Data($0)) }
    }
}
