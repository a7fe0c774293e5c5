import WardCrypto

/// A C2SP tlog-checkpoint: the signed statement "the log named `origin` had `size` entries and
/// this Merkle root". Body: `<origin>\n<size>\n<base64 root>\n`, optionally followed by
/// extension lines, which Ward neither writes nor interprets.
public struct Checkpoint: Hashable, Sendable {
    public var origin: String
    public var size: UInt64
    public var root: Hash32

    public init(origin: String, size: UInt64, root: Hash32) {
        (self.origin, self.size, self.root) = (origin, size, root)
    }

    /// The note text.
    public var body: String { "\(origin)\n\(size)\n\(Base64.encode(root.bytes))\n" }

    /// Parses a checkpoint body strictly (decimal without leading zeros, canonical base64).
    public init(parsingBody body: String) throws {
        let lines = body.split(separator: "\n", omittingEmptySubsequences: false)
        guard lines.count >= 4, lines.last == "" else { throw NoteError.malformed("checkpoint body has fewer than three lines") }
        guard KeyName.isValid(lines[0]) else { throw NoteError.malformed("checkpoint origin is empty or has spaces") }
        let sizeText = lines[1]
        guard !sizeText.isEmpty, sizeText.utf8.count <= 20, sizeText.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
            sizeText == "0" || !sizeText.hasPrefix("0"), let size = UInt64(sizeText)
        else { throw NoteError.malformed("checkpoint size is not a decimal number without leading zeros") }
        guard let rootBytes = Base64.decode(lines[2]), let root = Hash32(bytes: rootBytes) else {
            throw NoteError.malformed("checkpoint root is not canonical base64 of 32 bytes")
        }
        for line in lines.dropFirst(3).dropLast() where line.isEmpty { throw NoteError.malformed("checkpoint has an empty extension line") }
        self.init(origin: String(lines[0]), size: size, root: root)
    }
}

/// A checkpoint with its signed note.
public struct SignedCheckpoint: Hashable, Sendable {
    public let checkpoint: Checkpoint
    public let note: SignedNote

    /// Signs `checkpoint` with `signer`.
    public init(signing checkpoint: Checkpoint, with signer: NoteSigner) {
        self.checkpoint = checkpoint
        self.note = signer.sign(checkpoint.body)
    }

    /// Parses a note's text as a checkpoint; does not check signatures.
    public init(note: SignedNote) throws {
        self.checkpoint = try Checkpoint(parsingBody: note.text)
        self.note = note
    }

    /// Parses checkpoint note text and checks it is signed by `verifier` and names it as origin.
    public init(parsing text: String, verifier: NoteVerifier) throws {
        try self.init(note: SignedNote(parsing: text))
        try verify(with: verifier)
    }

    /// Throws unless signed by `verifier` and the origin is the verifier's name.
    public func verify(with verifier: NoteVerifier) throws {
        try verifier.verify(note)
        guard checkpoint.origin == verifier.name else {
            throw NoteError.malformed("checkpoint origin \(checkpoint.origin) is not the key's name \(verifier.name)")
        }
    }

    /// The note text.
    public var text: String { note.encoded }
}
