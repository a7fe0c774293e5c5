import Foundation
import Testing
import WardAudit
import WardProtocol
import WardStore
import WardTestSupport

/// docs/export.schema.json names the same closed sets as the code, so that every export the
/// server can write is valid by it (an export naming an Auditor, or a muted `amendment`
/// notification, once was not).
@Suite("The export schema's closed sets")
struct ExportSchemaTests {
    static func names<Set: CaseIterable & RawRepresentable>(_: Set.Type) -> [String] where Set.RawValue == String {
        Set.allCases.map(\.rawValue).sorted()
    }

    @Test func everyEnumInTheSchemaIsTheCodes() throws {
        let url = Repository.root.appendingPathComponent("docs/export.schema.json")
        let schema = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        let definitions = try #require(schema["$defs"] as? [String: [String: Any]])
        func listed(_ definition: String, _ property: String) -> [String]? {
            let described = (definitions[definition]?["properties"] as? [String: [String: Any]])?[property]
            let values = (described?["items"] as? [String: Any] ?? described)?["enum"] as? [String]
            return values?.sorted()
        }
        let expected: [(String, String, [String])] = [
            ("recordEntry", "section", Self.names(RecordSection.self)),
            ("amendment", "section", Self.names(RecordSection.self)),
            ("amendment", "status", Self.names(RecordAmendmentRecord.Status.self)),
            ("account", "mutedNotificationKinds", Self.names(NotificationKind.self)),
            ("notification", "kind", Self.names(NotificationKind.self)),
            ("availability", "kind", Self.names(AvailabilityRecord.Kind.self)),
            ("appointment", "status", Self.names(AppointmentRecord.Status.self)),
            ("erasureRequest", "status", Self.names(ErasureRequestRecord.Status.self)),
            ("profile", "role", Self.names(AccountRole.self)),
            ("roomInfo", "kind", Self.names(RoomRecord.Kind.self)),
            ("consent", "method", Self.names(ConsentRecord.Method.self))
        ]
        for (definition, property, names) in expected {
            #expect(listed(definition, property) == names, "\(definition).\(property)")
        }
    }
}
