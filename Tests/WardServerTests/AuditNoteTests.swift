import Foundation
import Testing
import WardAudit
import WardServer
import WardTestSupport

/// What the offline commands leave in `audit-notes/` for the running server to record (issue
/// 19): a note becomes one audit entry and is removed; a file that does not read, or that names
/// anything but a backup's id and counts, is recorded as such and removed, its text never copied.
@Suite("Audit notes from the offline commands")
struct AuditNoteTests {
    @Test func notesAreRecordedOnceAndBadOnesAreRecordedAsBad() async throws {
        let server = try await ServerHarness.start()
        defer { server.cleanup() }
        let directory = server.data.path + "/audit-notes"
        try AuditNote(kind: .backupVerified, backup: "ward-backup-1764700000-0a1b2c3d", succeeded: false).leave(in: server.data)
        var sneaky = AuditNote(kind: .backupTaken, backup: "patient Pia Example", succeeded: true)
        sneaky.counts = ["entries": 1]
        try JSONEncoder().encode(sneaky).write(to: URL(fileURLWithPath: directory + "/1764700001-aa.json"))
        var extra = AuditNote(kind: .backupTaken, backup: "ward-backup-1764700000-0a1b2c3d", succeeded: true)
        extra.counts = ["diagnosis": 1]
        try JSONEncoder().encode(extra).write(to: URL(fileURLWithPath: directory + "/1764700002-bb.json"))
        try Data("{not json".utf8).write(to: URL(fileURLWithPath: directory + "/1764700003-cc.json"))
        for _ in 0..<300 where !((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).isEmpty {
            try await Task.sleep(for: .milliseconds(100))
        }
        await server.stop()
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory).isEmpty, "every note is removed once recorded")
        let entries = try AuditLogReader(directory: server.data.auditLog).entries().map(\.event).filter { $0.actorID == "system:operator" }
        #expect(entries.map(\.type).sorted() == ["audit.note", "audit.note", "audit.note", "backup.verify"], "\(entries.map(\.type))")
        let verified = entries.filter { $0.type == "backup.verify" }
        #expect(verified.count == 1 && verified.first?.outcome == .seriousFailure && verified.first?.objectID == "ward-backup-1764700000-0a1b2c3d")
        #expect(entries.filter { $0.type == "audit.note" }.allSatisfy { $0.outcome == .seriousFailure && $0.details["reason"] == "unreadable" })
        let everything = try AuditLogReader(directory: server.data.auditLog).entries().map { "\($0.event)" }.joined()
        #expect(!everything.contains("Pia") && !everything.contains("diagnosis"), "a note's own text never reaches the log")
    }
}
