/// The bytes that signatures and associated data cover: a domain label, then each field as a
/// 4-byte big-endian length and its bytes, so no two different field lists encode alike.
struct CanonicalBytes {
    private(set) var bytes: [UInt8]

    init(label: String) {
        bytes = []
        append(Array(label.utf8))
    }

    mutating func append(_ field: [UInt8]) {
        let count = UInt32(field.count)
        bytes += [UInt8(count >> 24), UInt8(count >> 16 & 0xFF), UInt8(count >> 8 & 0xFF), UInt8(count & 0xFF)]
        bytes += field
    }

    mutating func append(_ text: String) { append(Array(text.utf8)) }

    mutating func append(_ number: Int) {
        let value = UInt64(clamping: number)
        append((0..<8).map { UInt8(value >> (56 - 8 * $0) & 0xFF) })
    }
}

/// Reads back what `CanonicalBytes` wrote: the label must match, then exactly `count` fields.
struct CanonicalReader {
    static func fields(of bytes: [UInt8], label: String, count: Int) -> [[UInt8]]? {
        var fields: [[UInt8]] = []
        var offset = 0
        while offset < bytes.count {
            guard bytes.count - offset >= 4 else { return nil }
            let length = bytes[offset..<offset + 4].reduce(0) { $0 << 8 | Int($1) }
            offset += 4
            guard length <= bytes.count - offset else { return nil }
            fields.append(Array(bytes[offset..<offset + length]))
            offset += length
        }
        guard fields.count == count + 1, fields[0] == Array(label.utf8) else { return nil }
        return Array(fields.dropFirst())
    }
}
