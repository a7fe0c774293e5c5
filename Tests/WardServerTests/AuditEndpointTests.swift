import Foundation
import Testing
import WardAudit
@testable import WardServer
import WardTestSupport

@Suite("Audit endpoints and metrics", .serialized)
struct AuditEndpointTests {
    @Test func proofsServedForAuditorsVerifyOffline() async throws {
        let server = try await ServerHarness.start()
        defer { server.cleanup() }
        await server.stop()
        let key = try NoteVerifier(vkey: String(contentsOfFile: server.data.auditVerifierKey, encoding: .utf8))
        let checkpoints = try AuditLogReader(directory: server.data.auditLog).checkpoints()
        let newest = try #require(checkpoints.last)

        let inclusion = try AuditEndpoints.proof(directory: server.data.auditLog, query: ["seq": "1"])
        let entry = try InclusionProof(parsing: inclusion).verify(key: key)
        #expect(entry.seq == 1)

        let first = try #require(checkpoints.first)
        let consistency = try AuditEndpoints.proof(directory: server.data.auditLog, query: ["from": "\(first.checkpoint.size)"])
        let proof = try ConsistencyProof(parsing: consistency)
        try proof.verify(key: key)
        #expect(proof.new.checkpoint.size == newest.checkpoint.size)

        #expect(throws: AuditEndpoints.Failure.self) { try AuditEndpoints.proof(directory: server.data.auditLog, query: [:]) }
        #expect(throws: AuditEndpoints.Failure.self) { try AuditEndpoints.proof(directory: server.data.auditLog, query: ["seq": "x"]) }
        #expect(throws: AuditEndpoints.Failure.self) { try AuditEndpoints.proof(directory: server.data.auditLog, query: ["seq": "999999"]) }
        #expect(throws: AuditEndpoints.Failure.self) { try AuditEndpoints.proof(directory: server.data.auditLog, query: ["from": "999999"]) }
    }

    @Test func metricsNameTypesAndOutcomesOnly() {
        let metrics = Metrics()
        metrics.connectionOpened()
        metrics.request("login", outcome: "session")
        metrics.request("login", outcome: "session")
        metrics.request("whoami", outcome: "not_authenticated")
        let text = metrics.text(extra: ["ward_audit_entries": 42])
        #expect(text.contains("ward_requests_total{type=\"login\",outcome=\"session\"} 2\n"))
        #expect(text.contains("ward_requests_total{type=\"whoami\",outcome=\"not_authenticated\"} 1\n"))
        #expect(text.contains("ward_connections_open 1\n"))
        #expect(text.contains("ward_audit_entries 42\n"))
    }
}
