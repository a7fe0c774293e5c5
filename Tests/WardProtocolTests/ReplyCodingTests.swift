import Foundation
import Testing
import WardProtocol

/// The server writes record pages by hand and the client reads them by hand (for speed): both
/// must agree with Foundation's coders on every text, and refuse what is not JSON.
@Suite("Record replies written and read by hand")
struct ReplyCodingTests {
    static func entry(_ n: Int, resource: String) -> RecordEntryInfo {
        RecordEntryInfo(
            versionID: "rec:v\(n)", entryID: "entry:e\(n)", section: "notes", version: n + 1, authorID: "user:doc", authorRole: "Doctor",
            createdAt: 1_795_000_000 + Int64(n), resource: resource)
    }

    static let awkward = [
        #"{"resourceType": "DocumentReference", "note": "said \"no\" twice"}"#,
        "back\\slash / solidus, tab\there, line\nbreak, return\r, bell \u{07}, nul \u{00}, escape \u{1B}, delete \u{7F}",
        "accents é à ç, CJK 漢字, an ambulance 🚑, a separator \u{2028}, a combining e\u{301}",
        "", " ", "\"", "\\"
    ]

    static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    static let entries = awkward.enumerated().map { entry($0.offset, resource: $0.element) }

    /// A record page as the server sends it.
    static func page(_ entries: [RecordEntryInfo]) -> Reply.RecordPage {
        Reply.RecordPage(recordEntries: entries, next: entries.count + 3, withheld: ["sealed": 2], amendments: entries.isEmpty ? nil : [])
    }

    @Test func theServersTextReadsTheSameWithEitherDecoder() throws {
        for entries in [Self.entries, []] {
            let frame = ReplyFrame(answering: 7, .recordRead, with: Self.page(entries))
            let data = try ReplyEncoding.encode(frame, with: Self.encoder())
            let text = String(decoding: data, as: UTF8.self)
            #expect(try JSONDecoder().decode(Reply.RecordPage.self, from: data) == Self.page(entries))
            #expect(try ReplyDecoding.decode(Reply.RecordPage.self, from: text, with: JSONDecoder()) == Self.page(entries))
            #expect(try ReplyDecoding.envelope(of: text) == (7, ReplyType(answering: .recordRead)))
            // The hand-written text is the text Foundation writes, but for where the entries stand.
            let foundations = try Self.encoder().encode(frame)
            #expect(try JSONSerialization.jsonObject(with: data) as? NSDictionary == JSONSerialization.jsonObject(with: foundations) as? NSDictionary)
        }
        let pong = try ReplyEncoding.encode(ReplyFrame(id: nil, type: .pong, payload: Reply.Done()), with: Self.encoder())
        #expect(String(decoding: pong, as: UTF8.self) == #"{"type":"pong"}"#)
    }

    @Test func foundationsTextReadsTheSameByHand() throws {
        let original = Self.page(Self.entries)
        for formatting: JSONEncoder.OutputFormatting in [[], [.prettyPrinted], [.sortedKeys, .prettyPrinted]] {
            let encoder = JSONEncoder()
            encoder.outputFormatting = formatting
            let text = String(decoding: try encoder.encode(ReplyFrame(answering: 2, .recordRead, with: original)), as: UTF8.self)
            #expect(try ReplyDecoding.decode(Reply.RecordPage.self, from: text, with: JSONDecoder()) == original)
        }
    }

    @Test func writtenOtherwiseButMeaningTheSame() throws {
        // Spacing, key order, \/ and \u escapes (a surrogate pair), unknown keys at both levels.
        let text = """
              { "recordEntries" : [ { "resource":"\\u00e9 \\ud83d\\ude91 a\\/b \\b\\f", "version" : 2, "unknown": {"deep": [1, -2.5e3, true, null]},
                  "versionID":"rec:1","entryID":"entry:1","section":"notes","authorID":"user:d","authorRole":"Doctor","createdAt":-5 } ] ,
                "type" : "record.read", "id": 3, "extra": [ "x" ] }\r\n
            """
        let byHand = try ReplyDecoding.decode(Reply.RecordPage.self, from: text, with: JSONDecoder())
        #expect(byHand == (try JSONDecoder().decode(Reply.RecordPage.self, from: Data(text.utf8))))
        #expect(byHand.recordEntries.first?.resource == "é 🚑 a/b \u{08}\u{0C}")
        #expect(byHand.recordEntries.first?.createdAt == -5)
        #expect(try ReplyDecoding.envelope(of: text) == (3, ReplyType(answering: .recordRead)))
    }

    @Test func malformedTextIsRefusedNotTrusted() throws {
        let entry = #""versionID":"v","entryID":"e","section":"notes","version":1,"authorID":"a","authorRole":"Doctor","createdAt":1"#
        let bad = [
            #"{"type":"r","recordEntries":[{\#(entry),"resource":"x"}]"#, // unterminated object
            #"{"type":"r","recordEntries":[{\#(entry),"resource":"x"}]} trailing"#, // text after the value
            #"{"type":"r","recordEntries":[{\#(entry),"resource":"\x"}]}"#, // unknown escape
            #"{"type":"r","recordEntries":[{\#(entry),"resource":"\ud83d"}]}"#, // lone high surrogate
            #"{"type":"r","recordEntries":[{\#(entry),"resource":"\ude91"}]}"#, // lone low surrogate
            #"{"type":"r","recordEntries":[{\#(entry),"resource":"\u12"}]}"#, // short \u
            "{\"type\":\"r\",\"recordEntries\":[{\(entry),\"resource\":\"tab\tinside\"}]}", // raw control character
            #"{"type":"r","recordEntries":[{\#(entry)}]}"#, // missing resource
            #"{"type":"r","recordEntries":[{"version":01,"resource":"x"}]}"#, // leading zero
            #"{"type":"r","recordEntries":[{\#(entry),"resource":"x"},]}"#, // trailing comma
            #"{"type":"r","recordEntries":[{\#(entry),"resource":"x"}],"other":tru}"#, // bad literal
            #"{"type":"r","recordEntries":[{\#(entry),"resource":"x"}],"other":1.}"#, // bad number
            #"{"type":"r","recordEntries":{}}"#, // wrong type
            #"{"type":"r","recordEntries":[{\#(entry),"resource":5}]}"#, // wrong type
            #"{"type":"r","recordEntries":null}"#, // no entries
            #"{"type":"r"}"#, // no entries
            "{\"type\":\"r\",\"recordEntries\":[],\"deep\":" + String(repeating: "[", count: 5000) + String(repeating: "]", count: 5000) + "}"
        ]
        for text in bad {
            #expect(throws: DecodingError.self, "accepted: \(text.prefix(120))") {
                try ReplyDecoding.decode(Reply.RecordPage.self, from: text, with: JSONDecoder())
            }
        }
        // Invalid UTF-8 inside a string, which a Swift string cannot hold: given as bytes.
        var bytes = Array(#"{"type":"r","recordEntries":[{\#(entry),"resource":"ab"}]}"#.utf8)
        let index = try #require(bytes.firstIndex(of: UInt8(ascii: "b")))
        bytes[index] = 0xFF
        #expect(throws: DecodingError.self) {
            try bytes.withUnsafeBufferPointer { try ReplyDecoding.decode(Reply.RecordPage.self, bytes: $0, with: JSONDecoder()) }
        }
        // A frame's envelope without a type is no reply.
        #expect(throws: DecodingError.self) { try ReplyDecoding.envelope(of: #"{"id":1,"recordEntries":[]}"#) }
    }
}
