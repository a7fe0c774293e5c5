import Foundation

/// JSON for what goes inside ciphertext: sorted keys, so equal content encodes alike.
enum JSONCoding {
    struct Encoder: Sendable {
        func encode(_ value: some Encodable) throws -> [UInt8] {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            return Array(try encoder.encode(value))
        }
    }

    struct Decoder: Sendable {
        func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8]) throws -> T {
            try JSONDecoder().decode(type, from: Data(bytes))
        }
    }

    static let encoder = Encoder()
    static let decoder = Decoder()
}
