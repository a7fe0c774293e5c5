public import WardCrypto

/// Key ids per C2SP signed-note: the first four bytes of SHA-256(name ‖ "\n" ‖ 0x01 ‖ public key),
/// where 0x01 names the Ed25519 signature type.
enum NoteKeyID {
    static let ed25519Type: UInt8 = 0x01

    static func of(name: String, publicKey: Ed25519.PublicKey) -> UInt32 {
        let digest = TreeHash.sha256(Array(name.utf8) + [0x0A, ed25519Type] + publicKey.bytes).bytes
        return digest.prefix(4).reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
    }
}

/// A note signer: an Ed25519 key with a name (for the audit log, the log's origin).
public struct NoteSigner: Sendable {
    public let name: String
    public let key: Ed25519.PrivateKey
    public let keyID: UInt32

    /// A signer for `key` under `name`; throws when the name has a space, '+' or a control
    /// character.
    public init(name: String, key: Ed25519.PrivateKey) throws {
        guard KeyName.isValid(name) else { throw NoteError.malformed("key name must be printable ASCII without spaces or '+'") }
        self.name = name
        self.key = key
        self.keyID = NoteKeyID.of(name: name, publicKey: key.publicKey)
    }

    /// A new random key named `name`.
    public static func generate(name: String) throws -> NoteSigner {
        try NoteSigner(name: name, key: Ed25519.PrivateKey())
    }

    /// The matching verifier.
    public var verifier: NoteVerifier { NoteVerifier(name: name, keyID: keyID, publicKey: key.publicKey) }

    /// Signs `text` (which must end in "\n").
    public func sign(_ text: String) -> SignedNote {
        let signature = key.signature(for: Array(text.utf8))
        return SignedNote(text: text, signatures: [.init(keyName: name, keyID: keyID, signature: signature)])
    }

    /// The private key file text, `PRIVATE+KEY+<name>+<key id hex>+<base64(0x01 ‖ seed)>`, the
    /// form Go's golang.org/x/mod/sumdb/note uses. Store it only in a 0600 file.
    public var privateKeyText: String {
        let seed = key.seed.copyBytes()
        return "PRIVATE+KEY+\(name)+\(NoteVerifier.hex8(keyID))+\(Base64.encode([NoteKeyID.ed25519Type] + seed))"
    }

    /// Parses `privateKeyText`.
    public init(privateKeyText text: String) throws {
        // Base64 may contain '+', so split off only the first four fields.
        let fields = text.trimmingSuffixNewline().split(separator: "+", maxSplits: 4, omittingEmptySubsequences: false)
        guard fields.count == 5, fields[0] == "PRIVATE", fields[1] == "KEY" else {
            throw NoteError.malformed("not a PRIVATE+KEY+name+id+key line")
        }
        guard let blob = Base64.decode(fields[4]), blob.count == 33, blob[0] == NoteKeyID.ed25519Type else {
            throw NoteError.malformed("private key is not base64 of 0x01 and a 32-byte Ed25519 seed")
        }
        try self.init(name: String(fields[2]), key: Ed25519.PrivateKey(seed: SecureBytes(Array(blob.dropFirst()))))
        guard NoteVerifier.hex8(keyID) == fields[3] else { throw NoteError.malformed("private key id does not match the key") }
    }
}

/// A note verifier: a named Ed25519 public key, written as the C2SP verifier key text
/// `<name>+<key id as 8 hex digits>+<base64(0x01 ‖ public key)>`.
public struct NoteVerifier: Hashable, Sendable {
    public let name: String
    public let keyID: UInt32
    public let publicKey: Ed25519.PublicKey

    init(name: String, keyID: UInt32, publicKey: Ed25519.PublicKey) {
        self.name = name
        self.keyID = keyID
        self.publicKey = publicKey
    }

    /// Parses verifier key text; surrounding whitespace (a trailing newline) is allowed.
    public init(vkey text: String) throws {
        let fields = text.trimmingSuffixNewline().split(separator: "+", maxSplits: 2, omittingEmptySubsequences: false)
        guard fields.count == 3, KeyName.isValid(fields[0]) else { throw NoteError.malformed("verifier key is not name+id+key") }
        guard fields[1].utf8.count == 8, let idBytes = Hex.decode(fields[1]) else {
            throw NoteError.malformed("verifier key id is not 8 hex digits")
        }
        guard let blob = Base64.decode(fields[2]), blob.count == 33, blob[0] == NoteKeyID.ed25519Type else {
            throw NoteError.malformed("verifier key is not base64 of 0x01 and a 32-byte Ed25519 public key")
        }
        let publicKey = try Ed25519.PublicKey(bytes: Array(blob.dropFirst()))
        let name = String(fields[0])
        let keyID = idBytes.reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        guard keyID == NoteKeyID.of(name: name, publicKey: publicKey) else {
            throw NoteError.malformed("verifier key id does not match its name and key")
        }
        self.init(name: name, keyID: keyID, publicKey: publicKey)
    }

    /// The verifier key text.
    public var vkey: String {
        "\(name)+\(NoteVerifier.hex8(keyID))+\(Base64.encode([NoteKeyID.ed25519Type] + publicKey.bytes))"
    }

    /// Throws unless `note` carries a valid signature by this key. Signatures by other keys are
    /// ignored, as C2SP signed-note requires.
    public func verify(_ note: SignedNote) throws {
        let mine = note.signatures.filter { $0.keyName == name && $0.keyID == keyID }
        guard !mine.isEmpty else { throw NoteError.noSignatureByKey(name) }
        let text = Array(note.text.utf8)
        for signature in mine where !publicKey.isValidSignature(signature.signature, for: text) {
            throw NoteError.badSignature(name)
        }
    }

    static func hex8(_ v: UInt32) -> String {
        Hex.encode(withUnsafeBytes(of: v.bigEndian) { Array($0) })
    }
}

extension StringProtocol {
    /// The text without one trailing "\n" (key files usually end with one).
    func trimmingSuffixNewline() -> SubSequence {
        hasSuffix("\n") ? self[startIndex..<index(before: endIndex)] : self[...]
    }
}
