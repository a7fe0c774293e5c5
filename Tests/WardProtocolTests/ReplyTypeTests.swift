import Foundation
import Testing
import WardProtocol

/// The reply and event types the code names (`ReplyType`) are the ones docs/PROTOCOL.md gives,
/// so a client written from the document alone expects what the server sends.
@Suite("Reply types")
struct ReplyTypeTests {
    /// The document's table rows: the names in the first column's backquotes, and the cells.
    static func rows() throws -> [(names: [String], cells: [String])] {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../docs/PROTOCOL.md")
        return try String(contentsOf: url, encoding: .utf8).split(separator: "\n").filter { $0.hasPrefix("| `") }.map { line in
            let cells = line.split(separator: "|", omittingEmptySubsequences: false).dropFirst().dropLast().map {
                $0.trimmingCharacters(in: .whitespaces)
            }
            return (Self.quoted(in: cells[0]), cells)
        }
    }

    static func quoted(in cell: String) -> [String] {
        cell.split(separator: "`", omittingEmptySubsequences: false).enumerated().filter { $0.offset % 2 == 1 }.map { String($0.element) }
    }

    @Test func everyRequestIsAnsweredWithTheTypeTheDocumentGives() throws {
        var documented: [RequestType: String] = [:]
        for row in try Self.rows() where row.cells.count == 4 {
            let reply = row.cells[2]
            for name in row.names {
                guard let type = RequestType(rawValue: name) else { continue }
                documented[type] = reply.hasPrefix("same type") ? name : Self.quoted(in: reply).first
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
