import Foundation
import Testing
import WardAudit
import WardClient
import WardE2EE
import WardProtocol
import WardServer
import WardTestSupport

/// Backup and restore (issue 19): the restore drill, and backups that must be refused.
@Suite("Backup and restore", .serialized)
struct BackupTests {
    /// A server with people, a room, messages and an erasure; a backup while a client sends;
    /// more messages and a second erasure after it; the data directory destroyed; restored. The
    /// messages acknowledged before the backup read again, the audit log verifies, and neither
    /// erased person is anywhere in the restored directory.
    @Test func theRestoreDrill() async throws {
        let outside = try TemporaryDirectory()
        defer { outside.cleanup() }
        let journal = outside.path + "/erasure-journal"
        let server = try await ServerHarness.start(connectionLimits: .unthrottled, erasureJournal: journal)
        defer { server.cleanup() }
        let (_, people) = try await ConversationTests.accountsAndAdmin(
            server,
            [
                ("nurse.ann", "Nurse"), ("nurse.bo", "Nurse"), ("po.pat", "PrivacyOfficer"), ("zed.firstpatient", "Patient"),
                ("yves.secondpatient", "Patient")
            ])
        let (ann, bo, officer, zed, yves) = (people[0], people[1], people[2], people[3], people[4])
        func erase(_ person: ConversationTests.Member) async throws {
            try await ErasureTests.signedIn(server, person) { (p: WardConnection) async throws in
                _ = try await p.request(ClientRequest(id: 0, type: .gdprEraseRequest))
            }
            try await ErasureTests.signedIn(server, officer) { (o: WardConnection) async throws in
                _ = try await o.request(ClientRequest(id: 0, type: .gdprErase, userID: person.userID))
            }
        }
        try await server.connect { (b: WardConnection) async throws in _ = try await ConversationTests.messenger(bo, on: b) }
        try await erase(zed)
        let recoveryKey = outside.path + "/recovery.key"
        try Backup.makeRecoveryKey(for: server.data, out: recoveryKey)

        // Ann writes while the backup is taken.
        let (roomID, before, backup) = try await server.connect { (a: WardConnection) async throws -> (String, [String], String) in
            let messenger = try await ConversationTests.messenger(ann, on: a)
            let roomID =
                try await a.request(
                    ConversationTests.request(.roomCreate) {
                        $0.kind = "staff"; $0.name = "Handover"; $0.members = [bo.userID]
                    }
                )
                .room?.roomID ?? ""
            for n in 0..<3 { _ = try await messenger.send(MessageContent(body: "before \(n)"), to: roomID) }
            let sending = Task { for n in 0..<20 { _ = try await messenger.send(MessageContent(body: "during \(n)"), to: roomID) } }
            let taken = try Backup.take(data: server.data, policies: ServerHarness.repositoryPolicies, to: outside.path + "/backups")
            try await sending.value
            for n in 0..<3 { _ = try await messenger.send(MessageContent(body: "after \(n)"), to: roomID) }
            return (roomID, (0..<3).map { "before \($0)" }, taken.path)
        }
        try await erase(yves)
        await server.stop()
        // The disk is lost.
        try FileManager.default.removeItem(atPath: server.data.path)

        let restored = try await Backup.restore(
            backup, recoveryKey: try Backup.loadRecoveryKey(recoveryKey), into: server.data,
            journal: ErasureJournal(path: journal))
        #expect(restored.erasuresReapplied == 2)
        let vkey = try String(contentsOfFile: server.data.auditVerifierKey, encoding: .utf8)
        #expect(try LogVerifier(key: NoteVerifier(vkey: vkey)).verify(directory: server.data.auditLog).isValid)
        let traces = ["zed.firstpatient", "yves.secondpatient"]
        #expect(
            ErasureTests.occurrences(of: traces, under: server.data.path).isEmpty, "\(ErasureTests.occurrences(of: traces, under: server.data.path))")
        #expect(try AuditLogReader(directory: server.data.auditLog).entries().contains { $0.event.type == "backup.restore" })

        let again = try await server.restarted()
        defer { Task { await again.stop() } }
        try await again.connect { (b: WardConnection) async throws in
            let messenger = try await ConversationTests.messenger(bo, on: b)
            let history = try await b.request(ConversationTests.request(.messageHistory, room: roomID) { $0.limit = 200 }).messages ?? []
            var texts: [String] = []
            for message in history { texts.append(try await messenger.open(message).body) }
            #expect(Array(texts.prefix(3)) == before, "every message acknowledged before the backup reads again")
            #expect(!texts.contains { $0.hasPrefix("after") }, "what came after the backup is not in it")
        }
        await again.stop()
    }

    @Test(arguments: ["changed byte", "missing file", "wrong recovery key", "truncated file", "cut short", "altered manifest"])
    func aDamagedBackupIsRefusedAndNothingIsWritten(damage: String) async throws {
        let outside = try TemporaryDirectory()
        defer { outside.cleanup() }
        let server = try await ServerHarness.start()
        defer { server.cleanup() }
        let recoveryKey = outside.path + "/recovery.key"
        try Backup.makeRecoveryKey(for: server.data, out: recoveryKey)
        var (backup, _) = try Backup.take(data: server.data, policies: ServerHarness.repositoryPolicies, to: outside.path + "/backups")
        await server.stop()
        var key = recoveryKey
        let database = backup + "/ward.sqlite.enc"
        switch damage {
        case "changed byte":
            var bytes = try Data(contentsOf: URL(fileURLWithPath: database))
            bytes[bytes.count / 2] ^= 1
            try bytes.write(to: URL(fileURLWithPath: database))
        case "missing file": try FileManager.default.removeItem(atPath: backup + "/audit/entries.enc")
        case "wrong recovery key":
            key = outside.path + "/other.key"
            try Backup.makeRecoveryKey(for: DataDirectory(path: outside.path), out: key)
        case "truncated file":
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: database))
            try handle.truncate(atOffset: 100)
            try handle.close()
        case "cut short":
            // What a kill -9 during a backup leaves: the directory under its .partial- name.
            let partial = (backup as NSString).deletingLastPathComponent + "/.partial-" + (backup as NSString).lastPathComponent
            try FileManager.default.moveItem(atPath: backup, toPath: partial)
            backup = partial
        default:
            var manifest = try String(contentsOfFile: backup + "/manifest.json", encoding: .utf8)
            manifest = manifest.replacingOccurrences(of: "\"createdAt\":", with: "\"createdAt\":1")
            try manifest.write(toFile: backup + "/manifest.json", atomically: true, encoding: .utf8)
        }
        let target = DataDirectory(path: outside.path + "/restored")
        await #expect(throws: ServerError.self) {
            try await Backup.restore(backup, recoveryKey: try Backup.loadRecoveryKey(key), into: target, journal: nil)
        }
        #expect(throws: ServerError.self) { try Backup.verify(backup, recoveryKey: try Backup.loadRecoveryKey(key)) }
        let left = try FileManager.default.contentsOfDirectory(atPath: outside.path).filter { $0.hasPrefix("restored") }
        #expect(left.isEmpty, "\(left)")
    }

    /// The server's own schedule: backups taken while it serves, each audited, the oldest beyond
    /// the count removed, and the newest one's age in /metrics.
    @Test func theServerTakesAuditsAndPrunesItsBackups() async throws {
        let outside = try TemporaryDirectory()
        defer { outside.cleanup() }
        let directory = outside.path + "/backups"
        // A recovery key must exist before the first backup: made in a directory of its own, its
        // public half copied in once the server's data directory exists.
        let server = try await ServerHarness.start(backups: (directory, .seconds(3), 3))
        defer { server.cleanup() }
        try Backup.makeRecoveryKey(for: server.data, out: outside.path + "/recovery.key")
        var taken: [String] = []
        for _ in 0..<150 where taken.count < 4 {
            try await Task.sleep(for: .milliseconds(200))
            taken = try AuditLogReader(directory: server.data.auditLog).entries().filter {
                $0.event.type == "backup.take" && $0.event.outcome == .success
            }
            .map(\.event.objectID)
        }
        #expect(taken.count >= 4, "four scheduled backups were audited")
        // A backup is audited just before the oldest are pruned: look until the pruning is done.
        var kept = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasPrefix("ward-backup-") }
        for _ in 0..<50 where kept.count > 3 {
            try await Task.sleep(for: .milliseconds(100))
            kept = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasPrefix("ward-backup-") }
        }
        #expect(kept.count <= 3, "the oldest beyond the count are removed: \(kept)")
        // A backup taken beside the server (ward-server backup into the same directory) is
        // audited when the server sees it; Admins read the status.
        let elsewhere = try Backup.take(data: server.data, policies: ServerHarness.repositoryPolicies, to: directory)
        let elsewhereName = (elsewhere.path as NSString).lastPathComponent
        var audited = false
        for _ in 0..<100 where !audited {
            try await Task.sleep(for: .milliseconds(200))
            audited = try AuditLogReader(directory: server.data.auditLog).entries().contains {
                $0.event.type == "backup.take" && $0.event.actorID == "system:operator" && $0.event.objectID == elsewhereName
            }
        }
        #expect(audited, "the backup taken beside the server is in the audit log")
        // So is a verification of it (ward-server verify-backup notes it in the backup's directory):
        // kept 3, the one just taken outlives the next two scheduled backups (6 s at least), and
        // the server looks before it takes one.
        _ = try Backup.verify(elsewhere.path, recoveryKey: try Backup.loadRecoveryKey(outside.path + "/recovery.key"))
        #expect(Backup.noteVerification(of: elsewhere.path, whole: true))
        var verified = false
        for _ in 0..<100 where !verified {
            try await Task.sleep(for: .milliseconds(200))
            verified = try AuditLogReader(directory: server.data.auditLog).entries().contains {
                $0.event.type == "backup.verify" && $0.event.objectID == elsewhereName && $0.event.details["result"] == "whole"
            }
        }
        #expect(verified, "the verification is in the audit log")
        let (admin, people) = try await ConversationTests.accountsAndAdmin(server, [("nurse.ann", "Nurse")])
        let status = try await ErasureTests.signedIn(server, admin) { (x: WardConnection) async throws -> BackupStatus? in
            try await x.request(ClientRequest(id: 0, type: .backupStatus)).backupStatus
        }
        #expect(status?.stale == false && status?.newest != nil && status?.keep == 3, "\(String(describing: status))")
        #expect((status?.bytes ?? 0) > 0 && (status?.auditEntries ?? 0) > 0, "the newest backup's size and the entries it covers")
        try await ErasureTests.signedIn(server, people[0]) { (n: WardConnection) async throws in
            #expect(try await n.send(ClientRequest(id: 0, type: .backupStatus)).code == .denied)
        }
        let token = try String(contentsOfFile: server.data.metricsToken, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let metrics = try await ServerHarness.fetch(server, path: "/metrics", bearer: token)
        #expect(metrics.contains("ward_backup_stale 0") && metrics.contains("ward_backup_age_seconds"), "\(metrics)")
        await server.stop()
    }

    /// No backup in the directory: stale in /metrics, and Admins are told when they sign in.
    @Test func adminsAreToldAtSignInWhenBackupsAreStale() async throws {
        let outside = try TemporaryDirectory()
        defer { outside.cleanup() }
        let server = try await ServerHarness.start(backups: (outside.path, .zero, 14))
        defer { server.cleanup() }
        let reply = try await server.connect { (c: WardConnection) async throws -> ServerReply in
            try await c.send(ClientRequest(id: 0, type: .login, username: "admin", password: server.adminPassword))
        }
        #expect(reply.warnings == ["backup_stale"])
        await server.stop()
    }
}
