public import Foundation

extension JSONEncoder {
    /// How the tools write JSON documents people and other software read (exports, receipts,
    /// the registry): indented, keys sorted so that two documents compare line by line, slashes
    /// left as they are.
    public static var document: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return encoder
    }
}
