/// The canonical binary encoding of an entry (audit/FORMAT.md §3). One event has exactly one
/// encoding: fields in a fixed order, lengths explicit, detail keys sorted, nothing optional
/// left to the writer's taste.
public enum EntryCodec {
    /// Format version written in the first byte.
    public static let version: UInt8 = 1
    /// Longest identifier, in bytes.
    public static let maxIdentifierLength = 128
    /// Most policy ids, commitments or details one entry holds.
    public static let maxListCount = 32
    /// Byte offsets of the fixed header: version, seq, time, previous hash.
    static let seqOffset = 1, timeOffset = 9, previousOffset = 17, headerLength = 49

    /// Why an entry could not be encoded or decoded; `field` names the part at fault.
    public enum CodecError: Error, Equatable, Sendable, CustomStringConvertible {
        case invalidIdentifier(field: String)
        case missingRequired(field: String)
        case tooMany(field: String)
        case malformed(offset: Int, reason: String)

        public var description: String {
            switch self {
            case let .invalidIdentifier(field):
                return "\(field) is not an identifier (0-\(EntryCodec.maxIdentifierLength) of A-Z a-z 0-9 . _ : / + = -)"
            case let .missingRequired(field): return "\(field) is required"
            case let .tooMany(field): return "\(field) has more than \(EntryCodec.maxListCount) items"
            case let .malformed(offset, reason): return "malformed entry at byte \(offset): \(reason)"
            }
        }
    }

    /// Identifier bytes `+ - . / 0-9 : =` (bits of bytes 0-63) and `A-Z _ a-z` (bits of bytes
    /// 64-127). A mask rather than a switch because the verifier checks every byte of every entry.
    static let identifierMaskLow: UInt64 = 0x27FF_E800_0000_0000
    static let identifierMaskHigh: UInt64 = 0x07FF_FFFE_87FF_FFFE

    /// True for bytes allowed in identifiers.
    @inline(__always)
    static func isIdentifierByte(_ b: UInt8) -> Bool {
        let mask = b < 64 ? identifierMaskLow : identifierMaskHigh
        return b < 128 && (mask &>> UInt64(b & 63)) & 1 == 1
    }

    /// True when every byte of `bytes` is an identifier byte.
    static func isIdentifier(_ bytes: UnsafeRawBufferPointer) -> Bool {
        IdentifierTable.shared.accepts(bytes)
    }

    /// Checks an event's fields without encoding it.
    public static func validate(_ event: AuditEvent) throws {
        var scratch = [UInt8]()
        try append(AuditEntry(seq: 0, timeMicros: 0, previous: .zero, source: "validation", event: event), to: &scratch)
    }

    /// Appends the encoding of `entry` to `out`.
    public static func append(_ entry: AuditEntry, to out: inout [UInt8]) throws {
        let e = entry.event
        out.append(version)
        appendUInt64(entry.seq, to: &out)
        appendUInt64(entry.timeMicros, to: &out)
        entry.previous.withUnsafeBytes { out.append(contentsOf: $0) }
        try appendIdentifier(e.type, field: "event type", required: true, to: &out)
        out.append(e.action.rawValue)
        out.append(e.outcome.rawValue)
        try appendIdentifier(e.actorID, field: "actor id", required: true, to: &out)
        try appendIdentifier(e.actorRole, field: "actor role", required: true, to: &out)
        try appendIdentifier(e.objectType, field: "object type", to: &out)
        try appendIdentifier(e.objectID, field: "object id", to: &out)
        try appendIdentifier(e.subjectID, field: "subject id", to: &out)
        try appendIdentifier(e.purpose, field: "purpose", to: &out)
        try appendIdentifier(entry.source, field: "source", required: true, to: &out)
        out.append(e.decision.rawValue)
        if let hash = e.policySetHash {
            out.append(1)
            hash.withUnsafeBytes { out.append(contentsOf: $0) }
        } else {
            out.append(0)
        }
        guard e.policyIDs.count <= maxListCount else { throw CodecError.tooMany(field: "policy ids") }
        out.append(UInt8(e.policyIDs.count))
        for id in e.policyIDs { try appendIdentifier(id, field: "policy id", required: true, to: &out) }
        guard e.commitments.count <= maxListCount else { throw CodecError.tooMany(field: "commitments") }
        out.append(UInt8(e.commitments.count))
        for c in e.commitments { c.withUnsafeBytes { out.append(contentsOf: $0) } }
        guard e.details.count <= maxListCount else { throw CodecError.tooMany(field: "details") }
        out.append(UInt8(e.details.count))
        for key in e.details.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
            try appendIdentifier(key, field: "detail key", required: true, to: &out)
            try appendIdentifier(e.details[key] ?? "", field: "detail value", to: &out)
        }
    }

    @inline(__always)
    static func appendUInt64(_ v: UInt64, to out: inout [UInt8]) {
        withUnsafeBytes(of: v.bigEndian) { out.append(contentsOf: $0) }
    }

    private static func appendIdentifier(_ s: String, field: String, required: Bool = false, to out: inout [UInt8]) throws {
        let utf8 = s.utf8
        guard isIdentifier(s) else { throw CodecError.invalidIdentifier(field: field) }
        if required && utf8.isEmpty { throw CodecError.missingRequired(field: field) }
        out.append(UInt8(utf8.count))
        out.append(contentsOf: utf8)
    }
}

extension EntryCodec {
    /// True when `s` is an identifier (possibly empty).
    public static func isIdentifier(_ s: String) -> Bool {
        var count = 0
        for b in s.utf8 {
            guard isIdentifierByte(b) else { return false }
            count += 1
        }
        return count <= maxIdentifierLength
    }
}

/// A 256-entry table (1 for identifier bytes) for the verifier, which checks every byte of every
/// entry: one load per byte and no branch, and the caller can hold the table across a whole
/// entry instead of reaching for a global each time. (A branch-free comparison loop and Swift's
/// SIMD16 types were both slower on the short identifiers entries hold.)
struct IdentifierTable: @unchecked Sendable {
    // Written once in `init`, read-only afterwards, never freed (it lives as long as the process).
    private let table: UnsafeMutablePointer<UInt8>

    static let shared = IdentifierTable()

    private init() {
        table = UnsafeMutablePointer<UInt8>.allocate(capacity: 256)
        for b in 0...255 { table[b] = EntryCodec.isIdentifierByte(UInt8(b)) ? 1 : 0 }
    }

    /// True when every byte of `bytes` is an identifier byte.
    @inline(__always)
    func accepts(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard let base = bytes.baseAddress else { return true }
        var ok: UInt8 = 1
        var i = 0
        // Four lookups per step: independent loads, one combined test.
        while i + 4 <= bytes.count {
            ok &=
                table[Int(base.load(fromByteOffset: i, as: UInt8.self))] & table[Int(base.load(fromByteOffset: i + 1, as: UInt8.self))]
                & table[Int(base.load(fromByteOffset: i + 2, as: UInt8.self))] & table[Int(base.load(fromByteOffset: i + 3, as: UInt8.self))]
            i += 4
        }
        while i < bytes.count {
            ok &= table[Int(base.load(fromByteOffset: i, as: UInt8.self))]
            i += 1
        }
        return ok == 1
    }
}
