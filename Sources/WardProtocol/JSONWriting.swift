public import Foundation

extension JSONEncoder {
    /// How Ward writes JSON: keys sorted and slashes unescaped, so the same value is always the
    /// same bytes. Requests and replies go on the wire this way (docs/PROTOCOL.md), and the server
    /// stores and signs what it writes this way (backup manifests, erasure receipts).
    public static var sortedKeys: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }
}
