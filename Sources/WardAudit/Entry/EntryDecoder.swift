/// Decoding of the canonical entry encoding. Decoding is strict: any byte sequence that is not
/// exactly what `EntryCodec.append` would write for some event is rejected, so an entry has one
/// encoding and a decoded-then-re-encoded entry is byte-identical.
extension EntryCodec {
    /// The fixed-position part of an entry, read without materialising its strings: what the
    /// verifier needs from every entry.
    public struct Header: Hashable, Sendable {
        public var seq: UInt64
        public var timeMicros: UInt64
        public var previous: Hash32
    }

    /// Decodes a whole entry.
    public static func decode(_ bytes: UnsafeRawBufferPointer) throws -> AuditEntry {
        var reader = Reader(bytes: bytes)
        var fields = FieldCollector()
        let header = try reader.walk(&fields)
        guard let action = AuditEvent.Action(rawValue: fields.action),
            let outcome = AuditEvent.Outcome(rawValue: fields.outcome),
            let decision = AuditEvent.Decision(rawValue: fields.decision)
        else { throw CodecError.malformed(offset: 0, reason: "unreachable: codes were checked") }
        let event = AuditEvent(
            type: fields.strings[0], action: action, outcome: outcome,
            actorID: fields.strings[1], actorRole: fields.strings[2],
            objectType: fields.strings[3], objectID: fields.strings[4], subjectID: fields.strings[5],
            purpose: fields.strings[6], decision: decision, policyIDs: fields.policies,
            policySetHash: fields.policySetHash, commitments: fields.commitments,
            details: Dictionary(uniqueKeysWithValues: fields.details)
        )
        return AuditEntry(seq: header.seq, timeMicros: header.timeMicros, previous: header.previous, source: fields.strings[7], event: event)
    }

    /// Decodes an array's bytes.
    public static func decode(_ bytes: [UInt8]) throws -> AuditEntry {
        try bytes.withUnsafeBytes { try decode($0) }
    }

    /// Checks that `bytes` is a well-formed entry and returns its header, allocating nothing.
    public static func validate(_ bytes: UnsafeRawBufferPointer) throws -> Header {
        var reader = Reader(bytes: bytes)
        var sink = NoSink()
        return try reader.walk(&sink)
    }
}

/// Receives the variable fields as the reader walks an entry.
protocol EntryFieldSink {
    mutating func codes(action: UInt8, outcome: UInt8, decision: UInt8)
    mutating func identifier(_ index: Int, _ bytes: UnsafeRawBufferPointer)
    mutating func policySetHash(_ hash: Hash32)
    mutating func policy(_ bytes: UnsafeRawBufferPointer)
    mutating func commitment(_ hash: Hash32)
    mutating func detail(key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer)
}

private struct NoSink: EntryFieldSink {
    mutating func codes(action: UInt8, outcome: UInt8, decision: UInt8) {}
    mutating func identifier(_ index: Int, _ bytes: UnsafeRawBufferPointer) {}
    mutating func policySetHash(_ hash: Hash32) {}
    mutating func policy(_ bytes: UnsafeRawBufferPointer) {}
    mutating func commitment(_ hash: Hash32) {}
    mutating func detail(key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer) {}
}

private struct FieldCollector: EntryFieldSink {
    var action: UInt8 = 0, outcome: UInt8 = 0, decision: UInt8 = 0
    var strings = [String](repeating: "", count: 8)
    var policySetHash: Hash32?
    var policies: [String] = []
    var commitments: [Hash32] = []
    var details: [(String, String)] = []

    mutating func codes(action: UInt8, outcome: UInt8, decision: UInt8) {
        self.action = action
        self.outcome = outcome
        self.decision = decision
    }
    mutating func identifier(_ index: Int, _ bytes: UnsafeRawBufferPointer) { strings[index] = String(decoding: bytes, as: UTF8.self) }
    mutating func policySetHash(_ hash: Hash32) { policySetHash = hash }
    mutating func policy(_ bytes: UnsafeRawBufferPointer) { policies.append(String(decoding: bytes, as: UTF8.self)) }
    mutating func commitment(_ hash: Hash32) { commitments.append(hash) }
    mutating func detail(key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer) {
        details.append((String(decoding: key, as: UTF8.self), String(decoding: value, as: UTF8.self)))
    }
}

/// A bounds-checked cursor over one entry's bytes.
private struct Reader {
    let bytes: UnsafeRawBufferPointer
    var offset = 0
    let identifiers = IdentifierTable.shared

    init(bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    func fail(_ reason: String) -> EntryCodec.CodecError { .malformed(offset: offset, reason: reason) }

    mutating func byte(_ what: @autoclosure () -> String) throws -> UInt8 {
        guard offset < bytes.count else { throw fail("ends before \(what())") }
        defer { offset += 1 }
        return bytes[offset]
    }

    mutating func uint64(_ what: StaticString) throws -> UInt64 {
        guard bytes.count - offset >= 8 else { throw fail("ends inside \(what)") }
        defer { offset += 8 }
        return UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }

    mutating func hash(_ what: StaticString) throws -> Hash32 {
        guard bytes.count - offset >= 32 else { throw fail("ends inside \(what)") }
        defer { offset += 32 }
        return Hash32(raw: UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + 32)]))
    }

    mutating func identifier(_ what: StaticString, required: Bool) throws -> UnsafeRawBufferPointer {
        let length = Int(try byte("the length of \(what)"))
        guard length <= EntryCodec.maxIdentifierLength else { throw fail("\(what) is longer than \(EntryCodec.maxIdentifierLength)") }
        guard !required || length > 0 else { throw fail("\(what) is empty") }
        guard bytes.count - offset >= length else { throw fail("ends inside \(what)") }
        let slice = UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + length)])
        guard identifiers.accepts(slice) else { throw fail("\(what) has a byte outside the identifier alphabet") }
        offset += length
        return slice
    }

    mutating func count(_ what: StaticString) throws -> Int {
        let n = Int(try byte("the count of \(what)"))
        guard n <= EntryCodec.maxListCount else { throw fail("more than \(EntryCodec.maxListCount) \(what)") }
        return n
    }

    mutating func walk(_ sink: inout some EntryFieldSink) throws -> EntryCodec.Header {
        guard try byte("version") == EntryCodec.version else { offset = 0; throw fail("unknown version") }
        let seq = try uint64("seq")
        let time = try uint64("time")
        let previous = try hash("previous hash")
        sink.identifier(0, try identifier("event type", required: true))
        let action = try byte("action")
        guard AuditEvent.Action(rawValue: action) != nil else { offset -= 1; throw fail("unknown action code") }
        let outcome = try byte("outcome")
        guard AuditEvent.Outcome(rawValue: outcome) != nil else { offset -= 1; throw fail("unknown outcome code") }
        sink.identifier(1, try identifier("actor id", required: true))
        sink.identifier(2, try identifier("actor role", required: true))
        sink.identifier(3, try identifier("object type", required: false))
        sink.identifier(4, try identifier("object id", required: false))
        sink.identifier(5, try identifier("subject id", required: false))
        sink.identifier(6, try identifier("purpose", required: false))
        sink.identifier(7, try identifier("source", required: true))
        let decision = try byte("decision")
        guard AuditEvent.Decision(rawValue: decision) != nil else { offset -= 1; throw fail("unknown decision code") }
        sink.codes(action: action, outcome: outcome, decision: decision)
        switch try byte("policy-set flag") {
        case 0: break
        case 1: sink.policySetHash(try hash("policy-set hash"))
        default: offset -= 1; throw fail("policy-set flag is neither 0 nor 1")
        }
        for _ in 0..<(try count("policy ids")) { sink.policy(try identifier("policy id", required: true)) }
        for _ in 0..<(try count("commitments")) { sink.commitment(try hash("commitment")) }
        var previousKey: UnsafeRawBufferPointer?
        for _ in 0..<(try count("details")) {
            let key = try identifier("detail key", required: true)
            if let previousKey, !previousKey.lexicographicallyPrecedes(key) {
                throw fail("detail keys are not in strictly ascending order")
            }
            previousKey = key
            sink.detail(key: key, value: try identifier("detail value", required: false))
        }
        guard offset == bytes.count else { throw fail("\(bytes.count - offset) bytes after the last field") }
        return EntryCodec.Header(seq: seq, timeMicros: time, previous: previous)
    }
}
