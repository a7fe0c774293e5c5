import Foundation
import Testing
import WardProtocol
import WardTestSupport

/// The reply and event types the code names (`ReplyType`) are the ones docs/PROTOCOL.md gives,
/// so a client written from the document alone expects what the server sends.
@Suite("Reply types")
struct ReplyTypeTests {
    static func rows() throws -> [DocumentRow] { DocumentRow.rows(of: try Repository.text("docs/PROTOCOL.md")) }

    @Test func everyRequestIsAnsweredWithTheTypeTheDocumentGives() throws {
        var documented: [RequestType: String] = [:]
        for row in try Self.rows() where row.cells.count == 4 {
            let reply = row.cells[2]
            for name in row.names {
                guard let type = RequestType(rawValue: name) else { continue }
                documented[type] = reply.hasPrefix("same type") ? name : DocumentRow.quoted(in: reply).first
            }
        }
        for type in RequestType.allCases {
            #expect(documented[type] == ReplyType(answering: type).rawValue, "\(type.rawValue)")
        }
    }

    @Test func theEventsAreTheDocumentsEvents() throws {
        let events: Set<ReplyType> = [.message, .key, .room, .memberJoined, .memberLeft, .roomEpoch, .receipt, .presence, .notification]
        let eventRows = try Self.rows().filter { $0.cells.count == 3 && ReplyType(rawValue: $0.names.first ?? "") != .error }
        let documented = Set(eventRows.flatMap(\.names).filter { !$0.contains(" ") && !$0.contains("_") }.map(ReplyType.init(rawValue:)))
        #expect(documented == events)
    }

    /// The "Errors" table lists every code a refusal can carry, and no other.
    @Test func theErrorCodesAreTheDocumentsCodes() throws {
        let section = try #require(try Repository.text("docs/PROTOCOL.md").components(separatedBy: "\n## Errors\n").last)
        let documented = DocumentRow.rows(of: section).compactMap(\.names.first)
        #expect(documented.sorted() == ErrorCode.allCases.map(\.rawValue).sorted())
    }

    @Test func anEventTheClientDoesNotKnowIsPassedBy() throws {
        let text = #"{"type": "room.renamed", "roomID": "r"}"#
        let (id, type) = try ReplyDecoding.envelope(of: text)
        #expect(id == nil && type == ReplyType(rawValue: "room.renamed"))
        let event = try ServerEvent(type: type, frame: Data(text.utf8), with: JSONDecoder())
        guard case let .other(other) = event else {
            Issue.record("decoded as \(event)")
            return
        }
        #expect(other == type)
    }

    @Test func anEventWithoutWhatItsTypeCarriesIsRefused() {
        for (type, text) in [(ReplyType.message, #"{"type":"message"}"#), (.memberLeft, #"{"type":"member.left","roomID":"r","epoch":"2"}"#)] {
            #expect(throws: DecodingError.self) { try ServerEvent(type: type, frame: Data(text.utf8), with: JSONDecoder()) }
        }
    }
}
