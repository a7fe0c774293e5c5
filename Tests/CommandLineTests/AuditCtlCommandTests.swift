import Foundation
import Testing
import WardAudit
import WardTestSupport

@Suite("auditctl commands")
struct AuditCtlCommandTests {
    @Test func showProveConsistencyRoundTrip() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        #expect(try runProcess(Binaries.wardBench, ["audit-generate", "--dir", dir.path, "--entries", "300"]).status == 0)
        let log = dir.path + "/log", key = dir.path + "/log.vkey"

        let json = try runProcess(Binaries.auditctl, ["show", log, "--json", "--action", "C", "--limit", "5"])
        #expect(json.status == 0)
        let lines = json.stdout.split(separator: "\n")
        #expect(lines.count == 5)
        #expect(lines.allSatisfy { $0.contains("\"action\":\"C\"") })
        let table = try runProcess(Binaries.auditctl, ["show", log, "--event", "audit.start"])
        #expect(table.stdout.split(separator: "\n").count == 2) // header + one entry
        #expect(try runProcess(Binaries.auditctl, ["show", log, "--since", "2999-01-01"]).stdout.split(separator: "\n").count == 1)
        #expect(try runProcess(Binaries.auditctl, ["show", log, "--outcome", "catastrophic"]).status == 2)

        let checkpoint = try runProcess(Binaries.auditctl, ["checkpoint", log, "--key", key])
        #expect(checkpoint.status == 0)
        try Data(checkpoint.stdout.utf8).write(to: URL(fileURLWithPath: dir.path + "/old.checkpoint"))

        let proof = try runProcess(Binaries.auditctl, ["prove", log, "--seq", "42"])
        #expect(proof.stdout.hasPrefix("c2sp.org/tlog-proof@v1\n"))
        try Data(proof.stdout.utf8).write(to: URL(fileURLWithPath: dir.path + "/p.proof"))
        let verified = try runProcess(Binaries.auditctl, ["verify-proof", dir.path + "/p.proof", "--key", key])
        #expect(verified.status == 0, "\(verified.stdout)")
        // A proof with one changed hash character does not verify.
        var lines2 = proof.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        lines2[3] = (lines2[3].first == "A" ? "B" : "A") + lines2[3].dropFirst()
        try Data(lines2.joined(separator: "\n").utf8).write(to: URL(fileURLWithPath: dir.path + "/bad.proof"))
        #expect(try runProcess(Binaries.auditctl, ["verify-proof", dir.path + "/bad.proof", "--key", key]).status == 1)
        #expect(try runProcess(Binaries.auditctl, ["prove", log, "--seq", "100000"]).status == 2)

        #expect(try runProcess(Binaries.wardBench, ["audit-generate", "--dir", dir.path, "--entries", "50"]).status == 0)
        let consistency = try runProcess(Binaries.auditctl, ["consistency", log, "--from", dir.path + "/old.checkpoint"])
        #expect(consistency.status == 0)
        try Data(consistency.stdout.utf8).write(to: URL(fileURLWithPath: dir.path + "/c.proof"))
        #expect(try runProcess(Binaries.auditctl, ["verify-proof", dir.path + "/c.proof", "--key", key]).status == 0)
        #expect(try runProcess(Binaries.auditctl, ["verify", log, "--key", key, "--pin", dir.path + "/old.checkpoint"]).status == 0)
    }
}
