import GRDB

/// Which audit entries name each data subject: the index behind the accounting of access in a
/// subject's export (GDPR Art. 15(1)(c); issue 16, item 6), so that a page costs a look-up and
/// the entries it returns, not a read of the whole log. It is derived from the audit log, which
/// stays the record: `auditSubjectProgress` says how far it has been read, and entries past that
/// point are found by reading the log's tail.
extension WardDatabase {
    /// The first audit entry not yet indexed (0 when nothing is).
    public func auditSubjectsIndexedUpTo() throws -> Int64 {
        try pool.read { try Int64.fetchOne($0, sql: "SELECT next FROM auditSubjectProgress WHERE id = 0") ?? 0 }
    }

    /// Records that entries `rows` name their subjects, and that every entry before `next` has
    /// now been read, in one transaction (a crash loses both or neither).
    public func indexAuditSubjects(_ rows: [(subjectID: String, seq: Int64)], upTo next: Int64) async throws {
        try await batches.write { db in
            for row in rows {
                try db.execute(sql: "INSERT OR IGNORE INTO auditSubject (subjectID, seq) VALUES (?, ?)", arguments: [row.subjectID, row.seq])
            }
            try db.execute(
                sql: "INSERT INTO auditSubjectProgress (id, next) VALUES (0, ?) ON CONFLICT(id) DO UPDATE SET next = excluded.next",
                arguments: [next])
        }
    }

    /// Up to `limit` positions of audit entries naming `subjectID`, from position `start` on,
    /// and how far the index reaches (read together, so that the caller knows where the log's
    /// unindexed tail begins).
    public func auditEntries(naming subjectID: String, from start: Int64, limit: Int) throws -> (seqs: [Int64], indexedUpTo: Int64) {
        try pool.read { db in
            let seqs = try Int64.fetchAll(
                db, sql: "SELECT seq FROM auditSubject WHERE subjectID = ? AND seq >= ? ORDER BY seq LIMIT ?",
                arguments: [subjectID, start, limit])
            return (seqs, try Int64.fetchOne(db, sql: "SELECT next FROM auditSubjectProgress WHERE id = 0") ?? 0)
        }
    }
}
