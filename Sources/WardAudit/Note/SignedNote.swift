import WardCrypto

/// Errors reading or checking signed notes, checkpoints and keys. Each says what is wrong in
/// terms a person can act on.
public enum NoteError: Error, Equatable, Sendable, CustomStringConvertible {
    case malformed(String)
    case noSignatureByKey(String)
    case badSignature(String)

    public var description: String {
        switch self {
        case let .malformed(why): return why
        case let .noSignatureByKey(name): return "no signature by key \(name)"
        case let .badSignature(name): return "signature by key \(name) does not verify"
        }
    }
}

/// A C2SP signed note: text (one or more lines, each ending in a newline), a blank line, and
/// one or more signature lines `— <key name> <base64(key id ‖ signature)>`.
public struct SignedNote: Hashable, Sendable {
    /// One signature line.
    public struct Signature: Hashable, Sendable {
        public var keyName: String
        /// The first 4 bytes of the key hash, big-endian.
        public var keyID: UInt32
        public var signature: [UInt8]

        /// The line without its newline.
        public var line: String {
            var blob = withUnsafeBytes(of: keyID.bigEndian) { Array($0) }
            blob += signature
            return "\u{2014} \(keyName) \(Base64.encode(blob))"
        }
    }

    /// Largest note accepted, in bytes.
    public static let maxLength = 1 << 16

    /// The signed text, ending in "\n".
    public let text: String
    public let signatures: [Signature]

    public init(text: String, signatures: [Signature]) {
        (self.text, self.signatures) = (text, signatures)
    }

    /// The whole note: text, blank line, signature lines.
    public var encoded: String {
        text + "\n" + signatures.map { $0.line + "\n" }.joined()
    }

    /// Parses a note, strictly: every character of `encoded` must come back from `encoded`.
    public init(parsing note: String) throws {
        guard note.utf8.count <= SignedNote.maxLength else { throw NoteError.malformed("note is larger than \(SignedNote.maxLength) bytes") }
        let utf8 = Array(note.utf8)
        guard let blank = (1..<max(utf8.count, 1)).first(where: { utf8[$0] == 0x0A && utf8[$0 - 1] == 0x0A }) else {
            throw NoteError.malformed("note has no blank line before its signatures")
        }
        let text = String(decoding: utf8[..<blank], as: UTF8.self)
        guard !text.isEmpty, !text.hasPrefix("\n") else { throw NoteError.malformed("note text is empty") }
        for scalar in text.unicodeScalars where scalar.value < 0x20 && scalar != "\n" {
            throw NoteError.malformed("note text contains a control character")
        }
        let rest = String(decoding: utf8[(blank + 1)...], as: UTF8.self)
        guard rest.hasSuffix("\n") else { throw NoteError.malformed("last signature line does not end in a newline") }
        var signatures: [Signature] = []
        for line in rest.dropLast().split(separator: "\n", omittingEmptySubsequences: false) {
            guard line.hasPrefix("\u{2014} ") else { throw NoteError.malformed("signature line does not start with an em dash and a space") }
            let fields = line.dropFirst(2).split(separator: " ", omittingEmptySubsequences: false)
            guard fields.count == 2, KeyName.isValid(fields[0]) else { throw NoteError.malformed("signature line is not '— name base64'") }
            guard let blob = Base64.decode(fields[1]), blob.count > 4 else {
                throw NoteError.malformed("signature of \(fields[0]) is not canonical base64 of a key id and a signature")
            }
            let keyID = blob.prefix(4).reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
            signatures.append(Signature(keyName: String(fields[0]), keyID: keyID, signature: Array(blob.dropFirst(4))))
        }
        guard !signatures.isEmpty else { throw NoteError.malformed("note has no signature") }
        self.text = text
        self.signatures = signatures
    }
}

/// Key names (and checkpoint origins): non-empty, printable ASCII, no space and no '+'.
enum KeyName {
    static func isValid(_ name: some StringProtocol) -> Bool {
        !name.isEmpty && name.utf8.count <= 255 && name.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "+") }
    }
}
