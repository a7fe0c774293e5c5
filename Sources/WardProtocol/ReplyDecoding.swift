public import Foundation

/// Reads a reply as the client receives it. Foundation's decoder builds a keyed container (a
/// dictionary) for every object, which made decoding a record page of a thousand entries take a
/// third of a record read; the entries are read here directly, the rest of the reply by the
/// decoder. A reply reads the same either way (tests compare the two on the same texts, with
/// every kind of escape, spacing and key order), and malformed text is refused with the byte
/// offset at fault. Entries' integers must be written as integers (`1`, not `1.0`).
public enum ReplyDecoding {
    /// A reply read as the payload its request is answered with; a record page's entries by hand.
    public static func decode<Answer: ReplyPayload>(_ type: Answer.Type, from text: String, with decoder: JSONDecoder) throws -> Answer {
        var text = text
        return try text.withUTF8 { try decode(type, bytes: $0, with: decoder) }
    }

    public static func decode<Answer: ReplyPayload>(
        _: Answer.Type, bytes: UnsafeBufferPointer<UInt8>, with decoder: JSONDecoder
    ) throws -> Answer {
        guard Answer.self == Reply.RecordPage.self else { return try decoder.decode(Answer.self, from: Data(bytes)) }
        let (entries, rest) = try splitEntries(bytes)
        guard let entries else { throw JSONReader.malformed("a record page without its entries", at: 0) }
        let page = try decoder.decode(Reply.RecordPage.WithoutEntries.self, from: rest).page(entries)
        guard let answer = page as? Answer else { throw JSONReader.malformed("not a record page", at: 0) }
        return answer
    }

    /// A frame's `id` and `type`, its other values skipped unread: what a client needs to route
    /// the frame to the request it answers, before the request's own type reads it.
    public static func envelope(of text: String) throws -> (id: Int?, type: ReplyType) {
        var text = text
        return try text.withUTF8 { bytes in
            var reader = JSONReader(bytes: bytes)
            var id: Int?, type: ReplyType?
            try reader.readObject { reader, key, _ in
                switch key {
                case "id": id = try reader.readNullOr { Int(try $0.readInteger()) }
                case "type": type = ReplyType(rawValue: try reader.readString())
                default: _ = try reader.skipValue()
                }
            }
            try reader.expectEnd()
            guard let type else { throw JSONReader.malformed("a frame without a type", at: 0) }
            return (id, type)
        }
    }

    /// A reply's `recordEntries`, read by hand, and the rest of its object as JSON text for the decoder.
    private static func splitEntries(_ bytes: UnsafeBufferPointer<UInt8>) throws -> (entries: [RecordEntryInfo]?, rest: Data) {
        var reader = JSONReader(bytes: bytes)
        var rest: [UInt8] = [UInt8(ascii: "{")]
        var entries: [RecordEntryInfo]?
        try reader.readObject { reader, key, keyRange in
            if key == "recordEntries" {
                entries = try reader.readNullOr { reader in try reader.readArray { try RecordEntryInfo(reading: &$0) } }
            } else {
                let value = try reader.skipValue()
                if rest.count > 1 { rest.append(UInt8(ascii: ",")) }
                rest.append(contentsOf: bytes[keyRange])
                rest.append(UInt8(ascii: ":"))
                rest.append(contentsOf: bytes[value])
            }
        }
        try reader.expectEnd()
        rest.append(UInt8(ascii: "}"))
        return (entries, Data(rest))
    }
}

extension RecordEntryInfo {
    init(reading reader: inout JSONReader) throws {
        var versionID: String?, entryID: String?, section: String?, authorID: String?, authorRole: String?, resource: String?
        var version: Int?, createdAt: Int64?
        let start = reader.offset
        try reader.readObject { reader, key, _ in
            switch key {
            case "versionID": versionID = try reader.readString()
            case "entryID": entryID = try reader.readString()
            case "section": section = try reader.readString()
            case "version": version = Int(try reader.readInteger())
            case "authorID": authorID = try reader.readString()
            case "authorRole": authorRole = try reader.readString()
            case "createdAt": createdAt = try reader.readInteger()
            case "resource": resource = try reader.readString()
            default: _ = try reader.skipValue()
            }
        }
        guard let versionID, let entryID, let section, let version, let authorID, let authorRole, let createdAt, let resource else {
            throw JSONReader.malformed("a record entry lacks one of its fields", at: start)
        }
        self.init(
            versionID: versionID, entryID: entryID, section: section, version: version, authorID: authorID, authorRole: authorRole,
            createdAt: createdAt, resource: resource)
    }
}

/// A strict RFC 8259 reader over UTF-8 bytes, for the parts of a reply read by hand.
struct JSONReader {
    let bytes: UnsafeBufferPointer<UInt8>
    private(set) var offset = 0
    /// Deeper nesting is refused rather than followed (each level is a stack frame).
    static let maxDepth = 256

    init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    static func malformed(_ what: String, at offset: Int) -> DecodingError {
        .dataCorrupted(DecodingError.Context(codingPath: [], debugDescription: "malformed JSON at byte \(offset): \(what)"))
    }

    private mutating func skipWhitespace() {
        while offset < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[offset]) { offset += 1 }
    }

    private mutating func expect(_ byte: UInt8) throws {
        skipWhitespace()
        guard offset < bytes.count, bytes[offset] == byte else { throw Self.malformed("expected '\(Character(Unicode.Scalar(byte)))'", at: offset) }
        offset += 1
    }

    private mutating func peek() throws -> UInt8 {
        skipWhitespace()
        guard offset < bytes.count else { throw Self.malformed("unexpected end", at: offset) }
        return bytes[offset]
    }

    mutating func expectEnd() throws {
        skipWhitespace()
        guard offset == bytes.count else { throw Self.malformed("text after the value", at: offset) }
    }

    /// Calls `member` for each key of an object, the reader at its value; `member` must read it.
    mutating func readObject(_ member: (inout JSONReader, String, Range<Int>) throws -> Void) throws {
        try expect(UInt8(ascii: "{"))
        if try peek() == UInt8(ascii: "}") { offset += 1; return }
        while true {
            skipWhitespace()
            let keyStart = offset
            let key = try readString()
            let keyRange = keyStart..<offset
            try expect(UInt8(ascii: ":"))
            try member(&self, key, keyRange)
            let next = try peek()
            offset += 1
            if next == UInt8(ascii: "}") { return }
            guard next == UInt8(ascii: ",") else { throw Self.malformed("expected ',' or '}'", at: offset - 1) }
        }
    }

    mutating func readArray<T>(_ element: (inout JSONReader) throws -> T) throws -> [T] {
        try expect(UInt8(ascii: "["))
        var elements: [T] = []
        if try peek() == UInt8(ascii: "]") { offset += 1; return elements }
        while true {
            elements.append(try element(&self))
            let next = try peek()
            offset += 1
            if next == UInt8(ascii: "]") { return elements }
            guard next == UInt8(ascii: ",") else { throw Self.malformed("expected ',' or ']'", at: offset - 1) }
        }
    }

    mutating func readNullOr<T>(_ value: (inout JSONReader) throws -> T) throws -> T? {
        if try peek() == UInt8(ascii: "n") {
            try literal("null")
            return nil
        }
        return try value(&self)
    }

    private mutating func literal(_ word: StaticString) throws {
        let start = offset
        let count = word.utf8CodeUnitCount
        guard offset + count <= bytes.count,
            bytes[offset..<offset + count].elementsEqual(UnsafeBufferPointer(start: word.utf8Start, count: count))
        else {
            throw Self.malformed("unknown literal", at: start)
        }
        offset += count
    }

    mutating func readInteger() throws -> Int64 {
        skipWhitespace()
        let start = offset
        if offset < bytes.count, bytes[offset] == UInt8(ascii: "-") { offset += 1 }
        let digits = offset
        while offset < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[offset]) { offset += 1 }
        guard offset > digits, bytes[digits] != UInt8(ascii: "0") || offset == digits + 1,
            let value = Int64(String(decoding: bytes[start..<offset], as: UTF8.self))
        else {
            throw Self.malformed("expected an integer", at: start)
        }
        return value
    }

    /// A string, its escapes resolved; unescaped control characters, bad escapes, lone
    /// surrogates and invalid UTF-8 are refused.
    mutating func readString() throws -> String {
        try expect(UInt8(ascii: "\""))
        let start = offset
        // Most strings have no escapes: those are one copy.
        while offset < bytes.count {
            let byte = bytes[offset]
            if byte == UInt8(ascii: "\"") {
                offset += 1
                return try Self.validated(bytes[start..<offset - 1], at: start)
            }
            if byte == UInt8(ascii: "\\") || byte < 0x20 { break }
            offset += 1
        }
        var out = Array(bytes[start..<offset])
        var run = offset
        while offset < bytes.count {
            let byte = bytes[offset]
            guard byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || byte < 0x20 else {
                offset += 1
                continue
            }
            // The bytes since the last escape, in one copy.
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[run..<offset]))
            switch byte {
            case UInt8(ascii: "\""):
                offset += 1
                return try Self.validated(out[...], at: start)
            case UInt8(ascii: "\\"):
                offset += 1
                try readEscape(into: &out)
                run = offset
            default:
                throw Self.malformed("a control character inside a string", at: offset)
            }
        }
        throw Self.malformed("unterminated string", at: start - 1)
    }

    private static func validated(_ utf8: some Collection<UInt8>, at offset: Int) throws -> String {
        guard let text = String(validating: utf8, as: UTF8.self) else { throw malformed("invalid UTF-8 in a string", at: offset) }
        return text
    }

    private mutating func readEscape(into out: inout [UInt8]) throws {
        guard offset < bytes.count else { throw Self.malformed("unterminated escape", at: offset) }
        let code = bytes[offset]
        offset += 1
        switch code {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(code)
        case UInt8(ascii: "b"): out.append(0x08)
        case UInt8(ascii: "f"): out.append(0x0C)
        case UInt8(ascii: "n"): out.append(0x0A)
        case UInt8(ascii: "r"): out.append(0x0D)
        case UInt8(ascii: "t"): out.append(0x09)
        case UInt8(ascii: "u"):
            var scalar = UInt32(try readHex4())
            if (0xD800..<0xDC00).contains(scalar) {
                // A high surrogate must be followed by an escaped low one.
                guard offset + 1 < bytes.count, bytes[offset] == UInt8(ascii: "\\"), bytes[offset + 1] == UInt8(ascii: "u") else {
                    throw Self.malformed("a lone surrogate", at: offset)
                }
                offset += 2
                let low = UInt32(try readHex4())
                guard (0xDC00..<0xE000).contains(low) else { throw Self.malformed("a lone surrogate", at: offset - 6) }
                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
            }
            guard let unicode = Unicode.Scalar(scalar) else { throw Self.malformed("a lone surrogate", at: offset - 6) }
            out.append(contentsOf: String(unicode).utf8)
        default:
            throw Self.malformed("an unknown escape", at: offset - 2)
        }
    }

    private mutating func readHex4() throws -> UInt16 {
        guard offset + 4 <= bytes.count, let value = UInt16(String(decoding: bytes[offset..<offset + 4], as: UTF8.self), radix: 16),
            bytes[offset..<offset + 4].allSatisfy({ $0 != UInt8(ascii: "+") && $0 != UInt8(ascii: "-") })
        else {
            throw Self.malformed("an escape needs four hex digits", at: offset)
        }
        offset += 4
        return value
    }

    /// Skips one value of any kind (checking it), returning the range of its text.
    mutating func skipValue(depth: Int = 0) throws -> Range<Int> {
        guard depth < Self.maxDepth else { throw Self.malformed("nesting deeper than \(Self.maxDepth)", at: offset) }
        let first = try peek()
        let start = offset
        switch first {
        case UInt8(ascii: "\""): _ = try readString()
        case UInt8(ascii: "{"): try readObject { reader, _, _ in _ = try reader.skipValue(depth: depth + 1) }
        case UInt8(ascii: "["): _ = try readArray { _ = try $0.skipValue(depth: depth + 1) }
        case UInt8(ascii: "t"): try literal("true")
        case UInt8(ascii: "f"): try literal("false")
        case UInt8(ascii: "n"): try literal("null")
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): try skipNumber()
        default: throw Self.malformed("expected a value", at: offset)
        }
        return start..<offset
    }

    /// RFC 8259 section 6: -? int frac? exp?
    private mutating func skipNumber() throws {
        let start = offset
        func digits() -> Int {
            let from = offset
            while offset < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[offset]) { offset += 1 }
            return offset - from
        }
        if bytes[offset] == UInt8(ascii: "-") { offset += 1 }
        let integerStart = offset
        let integerDigits = digits()
        guard integerDigits > 0, integerDigits == 1 || bytes[integerStart] != UInt8(ascii: "0") else {
            throw Self.malformed("a bad number", at: start)
        }
        if offset < bytes.count, bytes[offset] == UInt8(ascii: ".") {
            offset += 1
            guard digits() > 0 else { throw Self.malformed("a bad number", at: start) }
        }
        if offset < bytes.count, bytes[offset] == UInt8(ascii: "e") || bytes[offset] == UInt8(ascii: "E") {
            offset += 1
            if offset < bytes.count, bytes[offset] == UInt8(ascii: "+") || bytes[offset] == UInt8(ascii: "-") { offset += 1 }
            guard digits() > 0 else { throw Self.malformed("a bad number", at: start) }
        }
    }
}
