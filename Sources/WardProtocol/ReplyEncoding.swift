public import Foundation

/// The JSON text of a reply as the server sends it. A record page carries up to a thousand
/// entries whose resources are JSON texts in strings; Foundation's encoder spent a third of a
/// record read's server time on them (a generic walk through containers, keys sorted at every
/// level), so the entries are written here directly, into a buffer measured first, and the rest
/// of the reply by the encoder. Any JSON decoder reads the output as the same reply (a test
/// decodes it back).
public enum ReplyEncoding {
    public static func encode(_ frame: ReplyFrame, with encoder: JSONEncoder) throws -> Data {
        guard let page = frame.payload as? Reply.RecordPage, !page.recordEntries.isEmpty else { return try encoder.encode(frame) }
        var json = try encoder.encode(ReplyFrame(id: frame.id, type: frame.type, payload: page.withoutEntries))
        // The encoder wrote an object, `{…}`, with at least `type`: the entries go before its `}`.
        guard json.last == UInt8(ascii: "}") else { return try encoder.encode(frame) }
        json.removeLast()
        json.append(contentsOf: entriesText(page.recordEntries))
        return json
    }

    /// `,"recordEntries":[…]}`: measured, then written into memory of exactly that size.
    static func entriesText(_ entries: [RecordEntryInfo]) -> [UInt8] {
        var measure = JSONLength()
        write(entries, to: &measure)
        return [UInt8](unsafeUninitializedCapacity: measure.count) { buffer, initialized in
            var writer = JSONBufferWriter(buffer: buffer)
            write(entries, to: &writer)
            initialized = writer.count
        }
    }

    private static func write(_ entries: [RecordEntryInfo], to out: inout some JSONSink) {
        out.bytes(Self.entriesKey)
        for (index, entry) in entries.enumerated() {
            if index > 0 { out.byte(UInt8(ascii: ",")) }
            entry.write(to: &out)
        }
        out.bytes(Self.close)
    }

    private static let entriesKey = Array(#","recordEntries":["#.utf8)
    private static let close = Array("]}".utf8)
}

extension Reply.RecordPage {
    /// The page's other fields, which the coders read and write; the entries are done by hand.
    struct WithoutEntries: ReplyPayload {
        var next: Int?
        var withheld: [String: Int]?
        var amendments: [AmendmentInfo]?

        func page(_ entries: [RecordEntryInfo]) -> Reply.RecordPage {
            Reply.RecordPage(recordEntries: entries, next: next, withheld: withheld, amendments: amendments)
        }
    }

    var withoutEntries: WithoutEntries { WithoutEntries(next: next, withheld: withheld, amendments: amendments) }
}

extension RecordEntryInfo {
    /// The keys with their punctuation, as `Codable` names them, made once.
    private static let keys = [
        "{\"authorID\":", ",\"authorRole\":", ",\"createdAt\":", ",\"entryID\":", ",\"resource\":", ",\"section\":",
        ",\"version\":", ",\"versionID\":"
    ].map { Array($0.utf8) }

    /// This entry as a JSON object.
    func write(to out: inout some JSONSink) {
        let keys = Self.keys
        out.bytes(keys[0])
        out.string(authorID)
        out.bytes(keys[1])
        out.string(authorRole)
        out.bytes(keys[2])
        out.integer(createdAt)
        out.bytes(keys[3])
        out.string(entryID)
        out.bytes(keys[4])
        out.string(resource)
        out.bytes(keys[5])
        out.string(section)
        out.bytes(keys[6])
        out.integer(Int64(version))
        out.bytes(keys[7])
        out.string(versionID)
        out.byte(UInt8(ascii: "}"))
    }
}

/// Where JSON text goes: counted first, then written (RFC 8259).
protocol JSONSink {
    mutating func byte(_ byte: UInt8)
    mutating func bytes(_ bytes: [UInt8])
    mutating func raw(_ bytes: UnsafeBufferPointer<UInt8>)
}

extension JSONSink {
    mutating func integer(_ value: Int64) {
        var text = String(value)
        text.withUTF8 { raw($0) }
    }

    /// A string: quotation mark, reverse solidus and the control characters escaped (RFC 8259
    /// section 7); everything else as its UTF-8, which a Swift string always is.
    mutating func string(_ text: String) {
        byte(UInt8(ascii: "\""))
        var text = text
        text.withUTF8 { utf8 in
            var run = 0
            for (index, unit) in utf8.enumerated() where unit < 0x20 || unit == UInt8(ascii: "\"") || unit == UInt8(ascii: "\\") {
                raw(UnsafeBufferPointer(rebasing: utf8[run..<index]))
                run = index + 1
                byte(UInt8(ascii: "\\"))
                switch unit {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"): byte(unit)
                case UInt8(ascii: "\n"): byte(UInt8(ascii: "n"))
                case UInt8(ascii: "\r"): byte(UInt8(ascii: "r"))
                case UInt8(ascii: "\t"): byte(UInt8(ascii: "t"))
                default:
                    bytes(Array("u00".utf8))
                    byte(JSONHex.digits[Int(unit >> 4)])
                    byte(JSONHex.digits[Int(unit & 15)])
                }
            }
            raw(UnsafeBufferPointer(rebasing: utf8[run...]))
        }
        byte(UInt8(ascii: "\""))
    }
}

enum JSONHex {
    static let digits = Array("0123456789abcdef".utf8)
}

/// Counts what would be written.
struct JSONLength: JSONSink {
    private(set) var count = 0
    mutating func byte(_ byte: UInt8) { count += 1 }
    mutating func bytes(_ bytes: [UInt8]) { count += bytes.count }
    mutating func raw(_ bytes: UnsafeBufferPointer<UInt8>) { count += bytes.count }
}

/// Writes into memory measured by `JSONLength` beforehand.
struct JSONBufferWriter: JSONSink {
    let buffer: UnsafeMutableBufferPointer<UInt8>
    private(set) var count = 0

    init(buffer: UnsafeMutableBufferPointer<UInt8>) { self.buffer = buffer }

    mutating func byte(_ byte: UInt8) {
        precondition(count < buffer.count, "JSON text longer than measured")
        buffer[count] = byte
        count += 1
    }

    mutating func bytes(_ bytes: [UInt8]) { bytes.withUnsafeBufferPointer { raw($0) } }

    mutating func raw(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
        precondition(count + bytes.count <= buffer.count, "JSON text longer than measured")
        (buffer.baseAddress! + count).initialize(from: base, count: bytes.count)
        count += bytes.count
    }
}
