import Foundation
import Testing
import WardProtocol
@testable import WardServer
import WardTestSupport

/// A client is written from docs/PROTOCOL.md alone, so every field the server reads of a request
/// (its payload type's, `RequestRoute.payloadType`) is named in the document's row for that
/// request, every field of a reply (`RequestPayload.Answer`) in the row of a request it answers,
/// and the policy action that decides a request in its row: a field or an action changed in the
/// code and not in the document fails here.
@Suite("The request tables of docs/PROTOCOL.md")
struct RequestFieldDocumentTests {
    /// Per request, the names in backquotes in its row's cell `column` (1: its fields, 2: its
    /// reply, 3: what decides it).
    static func documented(column: Int) throws -> [RequestType: Set<String>] {
        var documented: [RequestType: Set<String>] = [:]
        for row in DocumentRow.rows(of: try Repository.text("docs/PROTOCOL.md")) where row.cells.count == 4 {
            for type in row.names.compactMap(RequestType.init(rawValue:)) {
                documented[type, default: []].formUnion(DocumentRow.quoted(in: row.cells[column]))
            }
        }
        return documented
    }

    @Test func everyFieldOfEveryRequestIsNamedInItsRow() throws {
        let documented = try Self.documented(column: 1)
        let fields = try HostileInputTests.fieldsByRequest()
        #expect(Set(fields.keys) == Set(RequestType.allCases), "every request has a payload type")
        for (type, fields) in fields {
            let missing = Set(fields.map(\.name)).subtracting(documented[type] ?? [])
            #expect(missing.isEmpty, "\(type.rawValue): not in its row of docs/PROTOCOL.md: \(missing.sorted())")
        }
    }

    /// A reply shape answers several requests (`Reply.AccountChange`: `user.disable`,
    /// `user.reset-password`, …), each filling the fields it concerns; each field is named in the
    /// reply cell of at least one of them.
    @Test func everyFieldOfEveryReplyIsNamedInTheRowOfARequestItAnswers() throws {
        let documented = try Self.documented(column: 2)
        func answer<Payload: RequestPayload>(_: Payload.Type) -> any ReplyPayload.Type { Payload.Answer.self }
        var answered: [String: (reply: any ReplyPayload.Type, requests: [RequestType])] = [:]
        for type in RequestType.allCases {
            let payloadType = try #require(RequestRoute.table[type]?.payloadType)
            let reply = answer(payloadType)
            answered[String(reflecting: reply), default: (reply, [])].requests.append(type)
        }
        for (name, (reply, requests)) in answered {
            let named = requests.reduce(into: Set<String>()) { $0.formUnion(documented[$1] ?? []) }
            let missing = Set(try FieldNames.of(reply)).subtracting(named)
            #expect(missing.isEmpty, "\(name) \(missing.sorted()): in no reply cell of \(requests.map(\.rawValue))")
        }
    }

    @Test func everyRequestsPolicyActionIsNamedInItsRow() throws {
        let documented = try Self.documented(column: 3)
        for type in RequestType.allCases {
            guard let action = type.action else { continue }
            #expect(documented[type]?.contains(action.rawValue) == true, "\(type.rawValue): \(action.rawValue) is not in its row")
        }
    }
}
