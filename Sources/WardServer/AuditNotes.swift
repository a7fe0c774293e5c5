import Foundation
import Logging
import WardAudit
import WardCrypto

/// What the commands that work beside a running server (`ward-server backup`, `verify-backup
/// --data`) leave for it to record. The audit log has one writer, the server, so they write a
/// note into the data directory's `audit-notes/` (0600, written under a temporary name and
/// renamed, so a half-written note is never read) and the server appends each as an audit entry
/// at start and every few seconds, then removes it. A note left while the server is stopped is
/// recorded at its next start (issue 19: every backup and every check of one is an audit entry).
///
/// Notes carry ids and counts only, of the two kinds below, with their fields checked: a file in
/// the directory cannot put text of its own into the log.
public struct AuditNote: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable {
        case backupTaken = "backup.take"
        case backupVerified = "backup.verify"
    }

    public var kind: Kind
    /// The backup's name (`ward-backup-…`).
    public var backup: String
    /// Whether it succeeded (a verification may refuse the backup).
    public var succeeded: Bool
    /// Counts: entries, files, bytes.
    public var counts: [String: Int]
    public var at: Int64

    public init(kind: Kind, backup: String, succeeded: Bool, counts: [String: Int] = [:]) {
        (self.kind, self.backup, self.succeeded, self.counts, self.at) = (kind, backup, succeeded, counts, Clock.nowSeconds())
    }

    static let allowedCounts: Set<String> = ["entries", "files", "bytes"]

    /// A name as an audit identifier: its letters, digits and `-`, at most 64 (a backup's name is
    /// `ward-backup-<time>-<hex>`, unchanged by this).
    public static func identifier(_ name: String) -> String { String(name.filter { $0.isLetter || $0.isNumber || $0 == "-" }.prefix(64)) }

    static func directory(_ data: DataDirectory) -> String { data.path + "/audit-notes" }

    /// Leaves the note for the server.
    public func leave(in data: DataDirectory) throws {
        let directory = Self.directory(data)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let name = "\(at)-" + Hex.encode(SecureRandom.bytes(6))
        let partial = directory + "/." + name
        guard FileManager.default.createFile(atPath: partial, contents: try JSONEncoder().encode(self), attributes: [.posixPermissions: 0o600]),
            rename(partial, directory + "/" + name + ".json") == 0
        else { throw ServerError.cannotWrite(directory + "/" + name + ".json") }
    }

    /// Appends every note waiting in the data directory, oldest first, removing each once it is
    /// in the log; a note that does not read, or names more than ids and counts, is recorded as
    /// such (by its file name's time) and removed too.
    static func recordWaiting(in data: DataDirectory, gate: Gate, logger: Logger) async {
        let directory = Self.directory(data)
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).filter { $0.hasSuffix(".json") }.sorted()
        for name in names {
            let path = directory + "/" + name
            let note = FileManager.default.contents(atPath: path).flatMap { try? JSONDecoder().decode(AuditNote.self, from: $0) }
            let valid =
                note.map { note in
                    Self.identifier(note.backup) == note.backup && Set(note.counts.keys).isSubset(of: allowedCounts)
                } ?? false
            do {
                if let note, valid {
                    var details = note.counts.mapValues(String.init)
                    details["by"] = "ward-server-" + (note.kind == .backupTaken ? "backup" : "verify-backup")
                    details["noted-at"] = "\(note.at)"
                    _ = try await gate.record(
                        note.kind.rawValue, code: note.kind == .backupTaken ? .create : .read,
                        outcome: note.succeeded ? .success : .seriousFailure, actorID: "system:operator", actorRole: "system",
                        objectType: "backup", objectID: note.backup, details: details)
                } else {
                    _ = try await gate.record(
                        "audit.note", code: .read, outcome: .seriousFailure, actorID: "system:operator", actorRole: "system",
                        objectType: "file", objectID: Self.identifier(name), details: ["reason": "unreadable"])
                }
                try FileManager.default.removeItem(atPath: path)
            } catch {
                logger.warning("an audit note waits: it could not be recorded or removed", metadata: ["note": "\(Self.identifier(name))"])
                return
            }
        }
    }

}
