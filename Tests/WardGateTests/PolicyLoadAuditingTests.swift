import Foundation
import Testing
import WardAudit
import WardCrypto
import WardGate
import WardPolicy
import WardTestSupport

@Suite("Policy loads are audited")
struct PolicyLoadAuditingTests {
    @Test func idsThatCannotBeAuditedAreRefused() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let policies = Repository.path("policies")
        try FileManager.default.copyItem(atPath: policies, toPath: dir.path + "/policies")
        let store = try await PolicyStore(directory: dir.path + "/policies", requirement: PolicyLoadAuditing.idsAreAuditIdentifiers)
        try "@id(\"has a space\") permit(principal, action == Action::\"nothing\", resource);\n"
            .write(toFile: dir.path + "/policies/odd.cedar", atomically: true, encoding: .utf8)
        let refused = try await store.reload()
        #expect(!refused.accepted)
        #expect(
            refused.reason?.contains("odd.cedar:1:1: policy id \"has a space\" cannot be named in audit entries") == true, "\(refused.reason ?? "")")
    }

    @Test func everyLoadAndEveryRefusalIsAnEntryWithTheHash() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let policies = Repository.path("policies")
        try FileManager.default.copyItem(atPath: policies, toPath: dir.path + "/policies")
        let signer = try NoteSigner.generate(name: "ward.test/audit")
        let log = try AuditLog.open(.init(directory: dir.path + "/audit", signer: signer, source: "server:test"))
        let store = try await PolicyStore(directory: dir.path + "/policies", observer: PolicyLoadAuditing.observer(log: log))
        try "permit(".write(toFile: dir.path + "/policies/broken.cedar", atomically: true, encoding: .utf8)
        let refused = try await store.reload()
        try await log.close()

        let loads = try AuditLogReader(directory: dir.path + "/audit").entries().filter { $0.event.type == "policy.load" }
        #expect(loads.count == 2)
        #expect(loads[0].event.outcome == .success && loads[0].event.objectID == store.current.hashHex)
        #expect(loads[0].event.policySetHash?.hex == store.current.hashHex)
        #expect(loads[1].event.outcome == .minorFailure && loads[1].event.details["accepted"] == "false")
        #expect(loads[1].event.objectID == refused.hash)
        #expect(try LogVerifier(key: signer.verifier).verify(directory: dir.path + "/audit").isValid)
    }
}
