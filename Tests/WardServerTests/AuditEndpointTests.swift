import Foundation
import Testing
import WardAudit
import WardClient
import WardProtocol
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

    /// A proof carries its entry (who did what to whom): only auditors and privacy officers get
    /// one, through the gate, and every request is audited; /metrics wants the data directory's
    /// bearer token; the checkpoint (size and root) stays public (issue 16, item 1).
    @Test func proofsGoOnlyToAuditorsAndMetricsOnlyToTheScraper() async throws {
        let server = try await ServerHarness.start(connectionLimits: .unthrottled)
        defer { server.cleanup() }
        let (admin, people) = try await ConversationTests.accountsAndAdmin(server, [("aud.abe", "Auditor"), ("pat.pia", "Patient")])
        let (auditor, patient) = (people[0], people[1])
        let key = try NoteVerifier(vkey: String(contentsOfFile: server.data.auditVerifierKey, encoding: .utf8))
        try await ErasureTests.signedIn(server, auditor) { (a: WardConnection) async throws in
            let proof = try #require(try await a.request(ConversationTests.request(.auditProof) { $0.seq = 1 }).auditProof)
            #expect(try InclusionProof(parsing: proof).verify(key: key).seq == 1)
            let first = try #require(try AuditLogReader(directory: server.data.auditLog).checkpoints().first).checkpoint.size
            let consistency = try #require(try await a.request(ConversationTests.request(.auditProof) { $0.from = Int(first) }).auditProof)
            try ConsistencyProof(parsing: consistency).verify(key: key)
            #expect(try await a.send(ConversationTests.request(.auditProof)).code == .badRequest)
            #expect(try await a.send(ConversationTests.request(.auditProof) { $0.seq = 9_999_999 }).code == .notFound)
            #expect(
                try await a.send(
                    ConversationTests.request(.roomCreate) {
                        $0.kind = "staff"; $0.name = "x"
                    }
                ).code == .denied,
                "an auditor takes no part in messaging")
        }
        for member in [admin, patient] {
            try await ErasureTests.signedIn(server, member) { (m: WardConnection) async throws in
                #expect(try await m.send(ConversationTests.request(.auditProof) { $0.seq = 1 }).code == .denied)
            }
        }
        // Over HTTPS, as anyone on the network would ask.
        let certificate = server.dir.path + "/ca.pem"
        try server.certificatePEM.write(toFile: certificate, atomically: true, encoding: .utf8)
        func status(_ path: String, token: String? = nil) async throws -> String {
            let script = """
                import http.client, ssl, sys
                c = http.client.HTTPSConnection("127.0.0.1", int(sys.argv[1]), context=ssl.create_default_context(cafile=sys.argv[2]), timeout=10)
                c.request("GET", sys.argv[3], headers={"Host": "localhost", **({"Authorization": "Bearer " + sys.argv[4]} if len(sys.argv) > 4 else {})})
                print(c.getresponse().status)
                """
            let result = try await runProcessInBackground(
                "/usr/bin/env", ["python3", "-c", script, "\(server.port)", certificate, path] + (token.map { [$0] } ?? []))
            // (What python said when it printed no status, so that a failure explains itself.)
            return result.status == 0 ? result.stdout.trimmingCharacters(in: .whitespacesAndNewlines) : result.stderr
        }
        let token = try server.data.loadMetricsToken()
        #expect(try await status("/v1/audit/proof?seq=1") == "404", "no proofs over plain HTTP GET")
        #expect(try await status("/metrics") == "401")
        #expect(try await status("/metrics", token: String(token.reversed())) == "401")
        #expect(try await status("/metrics", token: token) == "200")
        #expect(try await status("/v1/audit/checkpoint") == "200")
        await server.stop()
        let proofs = try AuditLogReader(directory: server.data.auditLog).entries().filter { $0.event.type == "audit.proof" }
        #expect(proofs.filter { $0.event.decision == .allow }.count == 3 && proofs.filter { $0.event.decision == .deny }.count == 2)
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
