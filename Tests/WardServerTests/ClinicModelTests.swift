import Foundation
import Testing
import WardPolicy
import WardProtocol
import WardServer

@Suite("Clinic model")
struct ClinicModelTests {
    /// The roles and actions the server supplies are those the policy tests use.
    @Test func staticEntitiesMatchThePolicyTests() throws {
        let file = URL(fileURLWithPath: ServerHarness.repositoryPolicies + "/tests/clinic-entities.json")
        let documented = try CedarJSON.entities(Data(contentsOf: file)).filter { $0.uid.type == "Role" || $0.uid.type == "Action" }
        let supplied = ClinicModel.staticEntities.filter { $0.uid.type == "Role" || $0.uid.type == "Action" }
        func normal(_ list: [Entity]) -> [String: Set<EntityUID>] {
            Dictionary(uniqueKeysWithValues: list.map { ($0.uid.description, Set($0.parents)) })
        }
        #expect(normal(supplied) == normal(documented))
    }

    /// Every request but `hello` and `ping` is decided under an action (the type system keeps
    /// it one of `PolicyAction`'s), and every action the policies name is one of them.
    @Test func requestsAndPoliciesNameTheSameActions() throws {
        #expect(RequestType.allCases.filter { $0.action == nil } == [.hello, .ping])
        let directory = URL(fileURLWithPath: ServerHarness.repositoryPolicies)
        var named: Set<String> = []
        for file in try FileManager.default.contentsOfDirectory(atPath: directory.path) where file.hasSuffix(".cedar") {
            let text = try String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8)
            for match in text.matches(of: /Action::"([^"]+)"/) { named.insert(String(match.output.1)) }
        }
        #expect(named.count > 20, "the policies were read")
        #expect(named.filter { PolicyAction(rawValue: $0) == nil }.isEmpty, "actions the policies name that the server never asks about")
    }
}
