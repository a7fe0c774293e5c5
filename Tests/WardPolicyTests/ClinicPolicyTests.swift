import Foundation
import Testing
import WardPolicy
import WardTestSupport

/// The clinic's policies (policies/) pass their own tests (policies/tests/), which cover every
/// policy, and Cedar itself decides every one of those cases the same way.
@Suite("Clinic policies")
struct ClinicPolicyTests {
    static let directory = Repository.path("policies")

    @Test func policyTestsPassAndCoverEveryPolicy() throws {
        let set = try PolicySet.load(directory: Self.directory)
        let files = try PolicyTests.load(directory: Self.directory + "/tests")
        let report = PolicyTests.run(files, against: set)
        #expect(report.succeeded, "\(report.problems.joined(separator: "\n"))")
        #expect(report.passed >= 40)
        #expect(set.policies.count >= 15)
    }

    @Test func cedarAgreesOnEveryPolicyTest() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let set = try PolicySet.load(directory: Self.directory)
        let text = set.sources.map(\.text).joined(separator: "\n")
        let entities =
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: Self.directory + "/tests/clinic-entities.json")))
            as? [[String: Any]] ?? []
        for file in ["records", "messaging", "administration", "authentication"] {
            let json =
                try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(Self.directory)/tests/\(file).json")))
                as? [String: Any] ?? [:]
            let cases = json["cases"] as? [[String: Any]] ?? []
            let requests = cases.map { $0.filter { ["principal", "action", "resource", "context"].contains($0.key) } }
            let reference = try Reference.decide(policies: text, entities: entities, requests: requests, in: dir.path + "/" + file)
            for (index, test) in cases.enumerated() {
                let expectedIDs = Set(test["policies"] as? [String] ?? [])
                let cedarIDs = Set(reference[index].reasons.map { set.policies[$0].id })
                #expect(
                    reference[index].decision == test["decision"] as? String && cedarIDs == expectedIDs,
                    "\(file): \(test["name"] ?? "?"): cedar says \(reference[index])")
                #expect(reference[index].errors.isEmpty, "\(file): \(test["name"] ?? "?"): cedar reports errors \(reference[index].errors)")
            }
        }
    }

    @Test func hashCoversPathsAndContents() throws {
        let a = try PolicySet(sources: [.init(path: "a.cedar", text: "permit(principal, action, resource);")])
        let b = try PolicySet(sources: [.init(path: "b.cedar", text: "permit(principal, action, resource);")])
        let c = try PolicySet(sources: [.init(path: "a.cedar", text: "permit(principal, action, resource); ")])
        #expect(a.hashHex != b.hashHex && a.hashHex != c.hashHex)
        #expect(a.hashHex.count == 64)
    }

    @Test func duplicateIDsAreRefusedWithBothLocations() {
        let text = "@id(\"x\") permit(principal, action, resource);\n@id(\"x\") forbid(principal, action, resource);"
        #expect(throws: PolicyParseError.self) { try PolicySet(sources: [.init(path: "dup.cedar", text: text)]) }
        do {
            _ = try PolicySet(sources: [.init(path: "dup.cedar", text: text)])
        } catch {
            #expect("\(error)".contains("dup.cedar:2:1") && "\(error)".contains("dup.cedar:1:1"))
        }
    }
}
