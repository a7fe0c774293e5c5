import Foundation
import Testing
import WardAudit
import WardTestSupport

@Suite("Erasable text and tombstones")
struct ErasureTests {
    @Test func erasureLeavesAVerifiableLogAndNoText() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let store = try ErasableTextStore(directory: dir.path + "/erasable")
        let reason = "Patient unconscious in ED, care team unreachable"
        let commitment = try store.commit(reason)
        #expect(try store.reveal(commitment) == reason)

        let signer = Fixtures.signer()
        let log = try AuditLog.open(.init(directory: dir.path + "/log", signer: signer, source: "server:test"))
        try await log.append(
            AuditEvent(
                type: "record.breakglass", action: .read, actorID: "user:7", actorRole: "Doctor",
                objectType: "record", objectID: "rec:1", subjectID: "patient:1", purpose: "ETREAT",
                decision: .allow, policyIDs: ["break-glass"], commitments: [commitment]))
        let tombstone = try await log.appendErasure(
            of: [commitment], from: store, legalBasis: "gdpr-art17",
            actorID: "user:privacy", actorRole: "PrivacyOfficer", subjectID: "patient:1")
        try await log.close()

        #expect(try store.reveal(commitment) == nil)
        try store.erase(commitment) // erasing twice is not an error
        let report = try LogVerifier(key: signer.verifier).verify(directory: dir.path + "/log")
        #expect(report.isValid, "\(report.findings)")
        let entries = try AuditLogReader(directory: dir.path + "/log").entries()
        let erase = try #require(entries.first { $0.seq == tombstone.seq })
        #expect(erase.event.type == "audit.erase" && erase.event.commitments == [commitment] && erase.event.details["legal-basis"] == "gdpr-art17")
        // Neither the log nor the store holds the text any more.
        let logBytes = try Fixtures.read(dir.path + "/log/entries")
        #expect(!Data(logBytes).contains(Data(reason.utf8)))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path + "/erasable").isEmpty)
    }

    @Test func alteredStoredTextIsRefused() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let store = try ErasableTextStore(directory: dir.path)
        let commitment = try store.commit("reason")
        let file = dir.path + "/" + commitment.hex
        var bytes = try Fixtures.read(file)
        bytes[bytes.count - 1] ^= 1
        try Data(bytes).write(to: URL(fileURLWithPath: file))
        #expect(throws: AuditLogError.self) { try store.reveal(commitment) }
    }
}
