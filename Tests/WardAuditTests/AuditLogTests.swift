import Foundation
import Testing
import WardAudit
import WardTestSupport
import WardCrypto

@Suite("Audit log: append, reopen, recover, verify")
struct AuditLogTests {
    @Test func concurrentAppendsAreDurableOrderedAndVerify() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let signer = Fixtures.signer()
        let log = try AuditLog.open(.init(directory: dir.path, signer: signer, source: "server:test"))
        let receipts = try await withThrowingTaskGroup(of: AuditReceipt.self) { group in
            for i in 0..<500 { group.addTask { try await log.append(Fixtures.event(i)) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(Set(receipts.map(\.seq)).count == 500)
        #expect(receipts.map(\.seq).min() == 1, "seq 0 is the audit.start entry")
        try await log.close()
        #expect(log.latestCheckpoint?.checkpoint.size == 502)
        await #expect(throws: AuditLogError.closed) { try await log.append(Fixtures.event(0)) }

        let report = try LogVerifier(key: signer.verifier).verify(directory: dir.path)
        #expect(report.findings.isEmpty, "\(report.findings)")
        #expect(report.entries == 502)
        let mode = try FileManager.default.attributesOfItem(atPath: dir.path + "/entries")[.posixPermissions] as? Int
        #expect(mode == 0o600)
    }

    @Test func reopenContinuesTheChain() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        try await Fixtures.writeLog(at: dir.path, count: 10)
        try await Fixtures.writeLog(at: dir.path, count: 10)
        let report = try LogVerifier(key: Fixtures.signer().verifier).verify(directory: dir.path)
        #expect(report.findings.isEmpty, "\(report.findings)")
        #expect(report.entries == 24)
    }

    @Test func checkpointsAreWrittenWhileEntriesArrive() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let log = try AuditLog.open(
            .init(directory: dir.path, signer: Fixtures.signer(), source: "server:test", checkpointInterval: .milliseconds(50)))
        try await log.append(Fixtures.event(1))
        try await Task.sleep(for: .milliseconds(300))
        #expect(log.latestCheckpoint?.checkpoint.size == 2, "a checkpoint follows within the interval")
        try await log.close()
    }

    @Test func aSecondWriterIsRefused() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let log = try AuditLog.open(.init(directory: dir.path, signer: Fixtures.signer(), source: "server:test"))
        #expect(throws: AuditLogError.self) { try AuditLog.open(.init(directory: dir.path, signer: Fixtures.signer(), source: "server:test")) }
        try await log.close()
        let again = try AuditLog.open(.init(directory: dir.path, signer: Fixtures.signer(), source: "server:test"))
        try await again.close()
    }

    @Test func invalidEventsAreRefusedBeforeTheLog() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let log = try AuditLog.open(.init(directory: dir.path, signer: Fixtures.signer(), source: "server:test"))
        var event = Fixtures.event(1)
        event.subjectID = "Jane Doe"
        await #expect(throws: AuditLogError.self) { try await log.append(event) }
        try await log.close()
        #expect(log.size == 2)
    }

    @Test func tornTailIsCutAndRecorded() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        try await Fixtures.writeLog(at: dir.path, count: 20)
        // Simulate a crash in the middle of a write: half a frame at the end.
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: dir.path + "/entries"))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data([0, 0, 0, 200, 1, 2, 3]))
        try handle.close()
        let log = try AuditLog.open(.init(directory: dir.path, signer: Fixtures.signer(), source: "server:test"))
        try await log.close()
        let report = try LogVerifier(key: Fixtures.signer().verifier).verify(directory: dir.path)
        #expect(report.findings.isEmpty, "\(report.findings)")
        let recovered = try FileManager.default.contentsOfDirectory(atPath: dir.path + "/recovered")
        #expect(recovered.count == 1)
        // The recovery itself is an entry.
        let entries = try AuditLogReader(directory: dir.path).entries()
        #expect(entries.contains { $0.event.type == "audit.recover" && $0.event.details["bytes"] == "7" })
    }

    @Test func damageUnderACheckpointRefusesToOpen() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        try await Fixtures.writeLog(at: dir.path, count: 20)
        var bytes = try Fixtures.read(dir.path + "/entries")
        bytes[100] ^= 0xFF
        try Data(bytes).write(to: URL(fileURLWithPath: dir.path + "/entries"))
        // Without its index, opening reads every frame (TreeIndexTests covers the damage an
        // index hides from the open).
        try FileManager.default.removeItem(atPath: dir.path + "/index")
        #expect(throws: AuditLogError.self) { try AuditLog.open(.init(directory: dir.path, signer: Fixtures.signer(), source: "server:test")) }
    }
}
