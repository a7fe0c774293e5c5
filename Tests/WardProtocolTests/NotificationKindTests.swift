import Foundation
import Testing
import WardProtocol

/// Every notification kind the server makes is one docs/PROTOCOL.md names, so a client written
/// from it can offer every kind to turn off (`notification.settings`).
@Suite("Notification kinds")
struct NotificationKindTests {
    @Test func everyKindIsInTheDocumentsListOfKinds() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../docs/PROTOCOL.md")
        let document = try String(contentsOf: url, encoding: .utf8)
        let paragraph = try #require(document.components(separatedBy: "\n\n").first { $0.hasPrefix("Kinds: ") })
        let named = Set(ReplyTypeTests.quoted(in: paragraph).compactMap(NotificationKind.init(rawValue:)))
        #expect(named == Set(NotificationKind.allCases), "not in the document: \(Set(NotificationKind.allCases).subtracting(named))")
    }
}
