import Foundation
import Testing
import WardProtocol
import WardTestSupport

/// Every notification kind the server makes is one docs/PROTOCOL.md names, so a client written
/// from it can offer every kind to turn off (`notification.settings`).
@Suite("Notification kinds")
struct NotificationKindTests {
    @Test func everyKindIsInTheDocumentsListOfKinds() throws {
        let document = try Repository.text("docs/PROTOCOL.md")
        let paragraph = try #require(document.components(separatedBy: "\n\n").first { $0.hasPrefix("Kinds: ") })
        let named = Set(DocumentRow.quoted(in: paragraph).compactMap(NotificationKind.init(rawValue:)))
        #expect(named == Set(NotificationKind.allCases), "not in the document: \(Set(NotificationKind.allCases).subtracting(named))")
    }
}
