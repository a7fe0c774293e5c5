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

    static func reply(_ entries: [RecordEntryInfo]?) -> ServerReply {
        var reply = ServerReply(answering: 7, .recordRead)
        reply.recordEntries = entries
        reply.next = entries.map { $0.count + 3 }
        reply.message = "a \"quoted\" message"
        return reply
    }

    static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    /// A record page as the server sends it.
    static func page(_ entries: [RecordEntryInfo]) -> ReplyFrame {
        ReplyFrame(
            answering: 7, .recordRead,
            with: Reply.RecordPage(recordEntries: entries, next: entries.count + 3, withheld: ["sealed": 2], amendments: entries.isEmpty ? nil : []))
    }

    @Test func theServersTextReadsTheSameWithEitherDecoder() throws {
        for entries in [Self.awkward.enumerated().map { Self.entry($0.offset, resource: $0.element) }, []] {
            let text = try ReplyEncoding.encode(Self.page(entries), with: Self.encoder())
            let read = try JSONDecoder().decode(ServerReply.self, from: text)
            #expect(read.id == 7 && read.type == ReplyType(answering: .recordRead))
            #expect(read.recordEntries == entries && read.next == entries.count + 3 && read.withheld == ["sealed": 2])
            #expect(read.amendments == (entries.isEmpty ? nil : []))
            // The hand-written text is the text Foundation writes, but for where the entries stand.
            #expect(
                try JSONSerialization.jsonObject(with: text) as? NSDictionary == JSONSerialization.jsonObject(
                    with: Self.encoder().encode(Self.page(entries))) as? NSDictionary)
            #expect(try ReplyDecoding.decode(String(decoding: text, as: UTF8.self), with: JSONDecoder()) == read)
        }
        let pong = try ReplyEncoding.encode(.event(.pong, Reply.Done()), with: Self.encoder())
        #expect(String(decoding: pong, as: UTF8.self) == #"{"type":"pong"}"#)
    }

    @Test func foundationsTextReadsTheSameByHand() throws {
        let original = Self.reply(Self.awkward.enumerated().map { Self.entry($0.offset, resource: $0.element) })
        for formatting: JSONEncoder.OutputFormatting in [[], [.prettyPrinted], [.sortedKeys, .prettyPrinted]] {
            let encoder = JSONEncoder()
            encoder.outputFormatting = formatting
            let text = String(decoding: try encoder.encode(original), as: UTF8.self)
            #expect(try ReplyDecoding.decode(text, with: JSONDecoder()) == original)
        }
    }

    @Test func writtenOtherwiseButMeaningTheSame() throws {
        // Spacing, key order, \/ and \u escapes (a surrogate pair), unknown keys at both levels.
        let text = """
              { "recordEntries" : [ { "resource":"\\u00e9 \\ud83d\\ude91 a\\/b \\b\\f", "version" : 2, "unknown": {"deep": [1, -2.5e3, true, null]},
                  "versionID":"rec:1","entryID":"entry:1","section":"notes","authorID":"user:d","authorRole":"Doctor","createdAt":-5 } ] ,
                "type" : "record.read", "id": 3, "extra": [ "x" ] }\r\n
            """
        let byHand = try ReplyDecoding.decode(text, with: JSONDecoder())
        #expect(byHand == (try JSONDecoder().decode(ServerReply.self, from: Data(text.utf8))))
        #expect(byHand.recordEntries?.first?.resource == "é 🚑 a/b \u{08}\u{0C}")
        #expect(byHand.recordEntries?.first?.createdAt == -5)
        #expect(try ReplyDecoding.decode(#"{"type":"record.read","recordEntries":null}"#, with: JSONDecoder()).recordEntries == nil)
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
            #"{"recordEntries":[]}"#, // no type
            "{\"type\":\"r\",\"recordEntries\":[],\"deep\":" + String(repeating: "[", count: 5000) + String(repeating: "]", count: 5000) + "}"
        ]
        for text in bad {
            #expect(throws: DecodingError.self, "accepted: \(text.prefix(120))") { try ReplyDecoding.decode(text, with: JSONDecoder()) }
        }
        // Invalid UTF-8 inside a string, which a Swift string cannot hold: given as bytes.
        var bytes = Array(#"{"type":"r","recordEntries":[{\#(entry),"resource":"ab"}]}"#.utf8)
        let index = try #require(bytes.firstIndex(of: UInt8(ascii: "b")))
        bytes[index] = 0xFF
        #expect(throws: DecodingError.self) { try bytes.withUnsafeBufferPointer { try ReplyDecoding.decode(bytes: $0, with: JSONDecoder()) } }
    }
}

@Suite("Replies in their box")
struct ReplyBoxTests {
    @Test func aCopyNeverChangesWithTheOriginal() throws {
        var original = ServerReply(answering: 1, .recordRead)
        original.message = "first"
        let copy = original
        original.message = "second"
        original.next = 3
        #expect(copy.message == "first" && copy.next == nil)
        #expect(original.message == "second" && original.next == 3)
        var same = ServerReply(answering: 1, .recordRead)
        same.message = "first"
        #expect(same == copy && same.hashValue == copy.hashValue && same != original)
        // The wire form is the fields', as before the box.
        let text = String(decoding: try JSONEncoder().encode(copy), as: UTF8.self)
        #expect(text.contains(#""message":"first""#) && !text.contains("box") && !text.contains("fields"))
        #expect(try JSONDecoder().decode(ServerReply.self, from: Data(text.utf8)) == copy)
    }
}
