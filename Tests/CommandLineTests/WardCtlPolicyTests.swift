import Foundation
import Testing
import WardTestSupport

@Suite("wardctl policy")
struct WardCtlPolicyTests {
    static let policies = Repository.path("policies")
    static let entities = policies + "/tests/clinic-entities.json"

    @Test func checkAndTestTheClinicPolicies() throws {
        let check = try runProcess(Binaries.wardctl, ["policy", "check", Self.policies])
        #expect(check.status == 0, "\(check.stdout)")
        #expect(check.stdout.hasPrefix("ok: "))
        let test = try runProcess(Binaries.wardctl, ["policy", "test", Self.policies])
        #expect(test.status == 0, "\(test.stdout)")
    }

    @Test func checkReportsEveryBrokenFileWithLineAndColumn() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        try "permit(principal, action, resource);\n".write(toFile: dir.path + "/good.cedar", atomically: true, encoding: .utf8)
        try "permit(principal, action, resource)\nwhen { 1 < 2 < 3 };\n".write(toFile: dir.path + "/a.cedar", atomically: true, encoding: .utf8)
        try "forbid(principal, action resource);\n".write(toFile: dir.path + "/b.cedar", atomically: true, encoding: .utf8)
        let check = try runProcess(Binaries.wardctl, ["policy", "check", dir.path])
        #expect(check.status == 1)
        #expect(check.stdout.contains("a.cedar:2:14: comparisons do not chain"), "\(check.stdout)")
        #expect(check.stdout.contains("b.cedar:1:26: expected ',' after the action constraint"), "\(check.stdout)")
        let missing = try runProcess(Binaries.wardctl, ["policy", "check", dir.path + "/nothing"])
        #expect(missing.status == 2)
    }

    @Test func testReportsFailuresAndUncoveredPolicies() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        try FileManager.default.copyItem(atPath: Self.policies, toPath: dir.path + "/p")
        try "@id(\"untested\") permit(principal, action == Action::\"nothing\", resource);\n".write(
            toFile: dir.path + "/p/extra.cedar", atomically: true, encoding: .utf8)
        let test = try runProcess(Binaries.wardctl, ["policy", "test", dir.path + "/p"])
        #expect(test.status == 1)
        #expect(test.stdout.contains("FAIL policy untested is not the determining policy of any test case"), "\(test.stdout)")
    }

    @Test func evalAndExplain() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let breakGlass =
            #"{"principal": "User::\"dr-bob\"", "action": "Action::\"record.read\"", "resource": "Record::\"pat-1\"", "context": {"breakGlass": true, "breakGlassReasonLength": 40, "secondFactor": true}}"#
        let eval = try runProcess(
            Binaries.wardctl, ["policy", "eval", "--policies", Self.policies, "--entities", Self.entities, "--request", breakGlass])
        #expect(eval.status == 0)
        #expect(
            eval.stdout
                == #"{"decision":"Allow","errors":[],"obligations":{"break-glass-read":{"accessMinutes":"60","audit":"critical","notify":"privacy-officer"}},"policies":["break-glass-read"]}"#
                + "\n")

        let lines = [
            #"{"principal": "User::\"pat-2\"", "action": "Action::\"record.read\"", "resource": "Record::\"pat-1\""}"#,
            #"{"principal": "User::\"pat-1\"", "action": "Action::\"record.read\"", "resource": "Record::\"pat-1\""}"#
        ]
        try lines.joined(separator: "\n").write(toFile: dir.path + "/batch.jsonl", atomically: true, encoding: .utf8)
        let batch = try runProcess(
            Binaries.wardctl, ["policy", "eval", "--policies", Self.policies, "--entities", Self.entities, "--batch", dir.path + "/batch.jsonl"])
        #expect(batch.stdout.split(separator: "\n").map { $0.contains("\"Deny\"") } == [true, false])

        let explain = try runProcess(
            Binaries.wardctl, ["policy", "explain", "--policies", Self.policies, "--entities", Self.entities, "--request", lines[0]])
        #expect(explain.stdout.hasPrefix("decision: Deny (no policy applied: default deny)"))
        #expect(explain.stdout.contains("permit patient-reads-own-record (records.cedar:"))
        #expect(explain.stdout.contains("when (resource.subject == principal) → false"), "\(explain.stdout)")

        try "not json\n".write(toFile: dir.path + "/bad.jsonl", atomically: true, encoding: .utf8)
        let bad = try runProcess(
            Binaries.wardctl, ["policy", "eval", "--policies", Self.policies, "--entities", Self.entities, "--batch", dir.path + "/bad.jsonl"])
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("line 1"), "\(bad.stderr)")
        let both = try runProcess(Binaries.wardctl, ["policy", "eval", "--policies", Self.policies, "--entities", Self.entities])
        #expect(both.status == 2)
    }
}
