import Logging
import WardAudit
import WardStore

/// Keeps the database's index of audit entries by subject (`auditSubject`) in step with the
/// audit log: every second it reads the entries written since it last looked and records those
/// that name a subject. It runs beside the log rather than inside each append, so appends stay
/// one write and one sync; an export reads what this has indexed and the log's tail past it.
struct AuditSubjectIndexer {
    let context: ServerContext
    /// Entries read per transaction, so the first pass over a large log neither holds the
    /// database's writer long nor keeps much in memory.
    static let batch = 50_000

    /// Indexes everything written since it last looked: a long log (the first pass after an
    /// upgrade) a batch at a time, letting requests run in between.
    func catchUpAll() async throws {
        while try await catchUp() == Self.batch {
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Indexes up to `batch` entries past the last indexed one; returns how many were read.
    @discardableResult
    func catchUp() async throws -> Int {
        let database = context.gate.database
        let start = try database.auditSubjectsIndexedUpTo()
        var rows: [(subjectID: String, seq: Int64)] = []
        var read = 0
        var next = start
        try AuditLogReader(directory: context.gate.audit.directory).walk(from: UInt64(start)) { entry in
            if !entry.event.subjectID.isEmpty { rows.append((entry.event.subjectID, Int64(entry.seq))) }
            read += 1
            next = Int64(entry.seq) + 1
            return read < Self.batch
        }
        if next > start { try await database.indexAuditSubjects(rows, upTo: next) }
        return read
    }
}
