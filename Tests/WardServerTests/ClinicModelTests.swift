import Foundation
import Testing
import WardPolicy
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

    /// Every request type that touches data names an action the policies know.
    @Test func everyRequestTypeMapsToAKnownAction() {
        for type in RequestType.allCases {
            if let action = type.action { #expect(ClinicModel.actionParents[action] != nil, "\(type.rawValue) → \(action)") }
        }
    }
}
