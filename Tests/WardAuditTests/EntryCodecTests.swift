import Testing
import WardAudit

@Suite("Entry encoding")
struct EntryCodecTests {
    @Test func roundTripIsByteIdentical() throws {
        for i in 0..<50 {
            let entry = AuditEntry(
                seq: UInt64(i), timeMicros: 1_700_000_000_000_000 + UInt64(i), previous: TreeHash.sha256([UInt8(i)]), source: "server:a",
                event: Fixtures.event(i))
            var bytes: [UInt8] = []
            try EntryCodec.append(entry, to: &bytes)
            let decoded = try EntryCodec.decode(bytes)
            #expect(decoded == entry)
            var again: [UInt8] = []
            try EntryCodec.append(decoded, to: &again)
            #expect(again == bytes)
        }
    }

    @Test(arguments: ["John Smith", "a@b", "ü", String(repeating: "x", count: 129), "line\nbreak"])
    func freeTextIsRefused(_ text: String) {
        var event = Fixtures.event(1)
        event.objectID = text
        #expect(throws: EntryCodec.CodecError.invalidIdentifier(field: "object id")) { try EntryCodec.validate(event) }
    }

    @Test func requiredFieldsAndLimits() {
        var event = Fixtures.event(1)
        event.actorID = ""
        #expect(throws: EntryCodec.CodecError.missingRequired(field: "actor id")) { try EntryCodec.validate(event) }
        event = Fixtures.event(1)
        event.policyIDs = (0..<33).map { "p\($0)" }
        #expect(throws: EntryCodec.CodecError.tooMany(field: "policy ids")) { try EntryCodec.validate(event) }
    }

    @Test func malformedBytesAreRejected() throws {
        var bytes: [UInt8] = []
        try EntryCodec.append(AuditEntry(seq: 1, timeMicros: 2, previous: .zero, source: "s", event: Fixtures.event(3)), to: &bytes)
        // Every strict prefix is malformed, and so is any trailing byte.
        for n in 0..<bytes.count {
            #expect(throws: EntryCodec.CodecError.self) { try EntryCodec.decode(Array(bytes.prefix(n))) }
        }
        #expect(throws: EntryCodec.CodecError.self) { try EntryCodec.decode(bytes + [0]) }
        var badVersion = bytes
        badVersion[0] = 2
        #expect(throws: EntryCodec.CodecError.self) { try EntryCodec.decode(badVersion) }
    }
}
