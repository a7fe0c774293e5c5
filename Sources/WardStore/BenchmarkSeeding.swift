public import Foundation
import GRDB

/// What `ward-bench` measures with, written into a fresh database before the server starts.
///
/// It stays behind the store's boundary like every other write, so that the schema is the
/// store's alone to know (GRDB's AppDatabase keeps its demo data the same way). It is not a
/// server path: it checks no membership, key, consent or policy, and writes what it is given
/// in one transaction.
extension WardDatabase {
    /// Accounts, their sessions and their notifications.
    public func seed(users: [UserRecord], sessions: [SessionRecord], notifications: [NotificationRecord]) async throws {
        try await batches.write { db in
            for user in users { try user.insert(db) }
            for session in sessions { try session.insert(db) }
            try StoreTransaction(db: db).addNotifications(notifications)
        }
    }

    /// A staff room named "Archive", made by the first account, holding `count` messages from
    /// it whose envelopes are `envelope(seq)`. Returns the room's id.
    public func seedArchive(messages count: Int, envelope: @escaping @Sendable (Int) -> Data) async throws -> String {
        let roomID = "room:bench"
        try await batches.write { db in
            guard let owner = try String.fetchOne(db, sql: "SELECT id FROM user ORDER BY createdAt, id LIMIT 1") else {
                throw BenchmarkSeedingError.noAccount
            }
            let now = Int64(Date().timeIntervalSince1970)
            try RoomRecord(
                id: roomID, kind: .staff, patientID: nil, name: "Archive", direct: false, createdBy: owner, createdAt: now,
                lastSeq: count
            ).insert(db)
            // One prepared statement for every row: the backup bench writes a million.
            let insert = try db.makeStatement(
                sql: """
                    INSERT INTO message (roomID, seq, id, senderID, senderDevice, clientMessageID, sentAt, envelope) \
                    VALUES (?, ?, ?, ?, 'dev-bench', ?, ?, ?)
                    """)
            for seq in stride(from: 1, through: count, by: 1) {
                try insert.execute(arguments: [roomID, seq, "msg:bench\(seq)", owner, "c\(seq)", now * 1000, envelope(seq)])
            }
        }
        return roomID
    }
}

/// Why a bench's data could not be written.
public enum BenchmarkSeedingError: Error, CustomStringConvertible {
    case noAccount

    public var description: String {
        switch self {
        case .noAccount: "the database has no account to own the bench's room: initialise the data directory first"
        }
    }
}
