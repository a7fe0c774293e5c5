import WardCrypto

/// An inclusion proof in the C2SP tlog-proof text form, carrying the entry itself in the
/// `extra` line so that it can be checked with nothing but the log's public key:
///
///     c2sp.org/tlog-proof@v1
///     extra <base64 of the entry's canonical encoding>
///     index <seq>
///     <base64 hash>            (zero or more, leaf's sibling first)
///
///     <checkpoint note>
public struct InclusionProof: Hashable, Sendable {
    public static let header = "c2sp.org/tlog-proof@v1"

    public var entry: [UInt8]
    public var index: UInt64
    public var path: [Hash32]
    public var checkpoint: SignedCheckpoint

    public init(entry: [UInt8], index: UInt64, path: [Hash32], checkpoint: SignedCheckpoint) {
        (self.entry, self.index, self.path, self.checkpoint) = (entry, index, path, checkpoint)
    }

    /// The text form.
    public var text: String {
        var out = "\(Self.header)\nextra \(Base64.encode(entry))\nindex \(index)\n"
        for hash in path { out += Base64.encode(hash.bytes) + "\n" }
        return out + "\n" + checkpoint.text
    }

    /// Parses the text form (signatures are checked by `verify`).
    public init(parsing text: String) throws {
        var lines = ProofLines(text)
        guard let first = lines.next(), first == Self.header else { throw NoteError.malformed("first line is not \(Self.header)") }
        guard let extra = lines.next(), extra.hasPrefix("extra "), let entry = Base64.decode(extra.dropFirst(6)) else {
            throw NoteError.malformed("second line is not 'extra <base64 entry>'")
        }
        guard let indexLine = lines.next(), indexLine.hasPrefix("index "), let index = ProofLines.decimal(indexLine.dropFirst(6)) else {
            throw NoteError.malformed("third line is not 'index <decimal>'")
        }
        let path = try lines.hashesUntilBlank()
        self.init(entry: entry, index: index, path: path, checkpoint: try SignedCheckpoint(note: SignedNote(parsing: lines.rest)))
    }

    /// Checks the checkpoint's signature under `key`, the entry's sequence number, and that the
    /// entry is in the checkpointed tree. Returns the decoded entry.
    @discardableResult
    public func verify(key: NoteVerifier) throws -> AuditEntry {
        try checkpoint.verify(with: key)
        let decoded = try EntryCodec.decode(entry)
        guard decoded.seq == index else { throw NoteError.malformed("the entry's seq \(decoded.seq) is not the proof's index \(index)") }
        try MerkleProofs.verifyInclusion(
            leaf: TreeHash.leaf(entry), index: index, size: checkpoint.checkpoint.size, proof: path, root: checkpoint.checkpoint.root)
        return decoded
    }
}

/// A consistency proof between two checkpoints of one log (RFC 9162 §2.1.4), in a text form
/// modelled on tlog-proof:
///
///     ward.audit/consistency-proof@v1
///     <base64 hash>            (zero or more)
///
///     <old checkpoint note>
///
///     <new checkpoint note>
///
/// (each note followed by one blank line, as in the checkpoints file).
public struct ConsistencyProof: Hashable, Sendable {
    public static let header = "ward.audit/consistency-proof@v1"

    public var old: SignedCheckpoint
    public var new: SignedCheckpoint
    public var path: [Hash32]

    public init(old: SignedCheckpoint, new: SignedCheckpoint, path: [Hash32]) {
        (self.old, self.new, self.path) = (old, new, path)
    }

    public var text: String {
        var out = "\(Self.header)\n"
        for hash in path { out += Base64.encode(hash.bytes) + "\n" }
        return out + "\n" + old.text + "\n" + new.text + "\n"
    }

    public init(parsing text: String) throws {
        var lines = ProofLines(text)
        guard let first = lines.next(), first == Self.header else { throw NoteError.malformed("first line is not \(Self.header)") }
        let path = try lines.hashesUntilBlank()
        let notes = Array(lines.rest.utf8)
        let (records, torn) = notes.withUnsafeBytes { CheckpointFile.parse($0) }
        guard torn == nil, records.count == 2 else { throw NoteError.malformed("expected exactly two checkpoints, each followed by a blank line") }
        self.init(old: try records[0].parsed.get(), new: try records[1].parsed.get(), path: path)
    }

    /// Checks both signatures and that the new tree extends the old one.
    public func verify(key: NoteVerifier) throws {
        try old.verify(with: key)
        try new.verify(with: key)
        try MerkleProofs.verifyConsistency(
            oldSize: old.checkpoint.size, oldRoot: old.checkpoint.root,
            newSize: new.checkpoint.size, newRoot: new.checkpoint.root, proof: path
        )
    }
}

/// Line-by-line reading of proof texts.
private struct ProofLines {
    private let lines: [Substring]
    private var position = 0
    private let text: String

    init(_ text: String) {
        self.text = text
        lines = text.split(separator: "\n", omittingEmptySubsequences: false)
    }

    mutating func next() -> Substring? {
        guard position < lines.count else { return nil }
        defer { position += 1 }
        return lines[position]
    }

    mutating func hashesUntilBlank() throws -> [Hash32] {
        var hashes: [Hash32] = []
        while let line = next() {
            if line.isEmpty { return hashes }
            guard let bytes = Base64.decode(line), let hash = Hash32(bytes: bytes) else {
                throw NoteError.malformed("proof line \(position) is not canonical base64 of a 32-byte hash")
            }
            hashes.append(hash)
            guard hashes.count <= 64 else { throw NoteError.malformed("proof has more than 64 hashes") }
        }
        throw NoteError.malformed("proof has no blank line before its checkpoint")
    }

    /// Everything after the lines read so far.
    var rest: String { lines[position...].joined(separator: "\n") }

    static func decimal(_ s: Substring) -> UInt64? {
        guard !s.isEmpty, s.utf8.count <= 20, s.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), s == "0" || !s.hasPrefix("0") else { return nil }
        return UInt64(s)
    }
}
