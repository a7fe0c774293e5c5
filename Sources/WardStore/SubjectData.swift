import Foundation
import GRDB

/// Reads of everything stored about one data subject, for their export (the kinds the
/// personal-data registry lists).
extension WardDatabase {
    public func sessions(ofUser userID: String) throws -> [SessionRecord] {
        try pool.read { db in try SessionRecord.filter(Column("userID") == userID).order(Column("createdAt")).fetchAll(db) }
    }

    public func devices(ofUser userID: String) throws -> [DeviceRecord] {
        try pool.read { db in try DeviceRecord.filter(Column("userID") == userID).order(Column("createdAt")).fetchAll(db) }
    }

    public func recoveryCodeCount(userID: String) throws -> Int {
        try pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM recoveryCode WHERE userID = ?", arguments: [userID]) ?? 0 }
    }

    /// The subject's messages, page by page in storage order: those they sent, and those in their
    /// rooms from the point they could read them (their conversations). Returns each message with
    /// its position, which is the cursor for the next page.
    public func subjectMessages(userID: String, after position: Int64, limit: Int) throws -> [(position: Int64, message: MessageRecord)] {
        try pool.read { db in
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT message.rowid AS position, message.* FROM message
                    WHERE message.rowid > ?
                      AND (message.senderID = ? OR EXISTS (
                          SELECT 1 FROM roomMember m WHERE m.roomID = message.roomID AND m.userID = ? AND message.seq >= m.firstSeq))
                    ORDER BY message.rowid LIMIT ?
                    """, arguments: [position, userID, userID, limit])
            return try rows.map { row in (row["position"], try MessageRecord(row: row)) }
        }
    }
}
