import Foundation
import WardProtocol

/// JSON for what goes inside ciphertext: Ward's own encoding (sorted keys), so equal content
/// encodes alike.
enum JSONCoding {
    struct Encoder: Sendable {
        func encode(_ value: some Encodable) throws -> [UInt8] {
            Array(try JSONEncoder.sortedKeys.encode(value))
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
