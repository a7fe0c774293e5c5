/// The names of the fields a `Decodable` type reads at its top level, in the order it reads them:
/// it is decoded from a decoder that has every key and answers each with a placeholder (an
/// empty string, zero, false, an empty list; nil for every optional), so no value of the type is
/// needed. A type that refuses a placeholder (a required enum with no empty case) throws its own
/// decoding error, which fails the test that asked.
public enum FieldNames {
    public static func of<T: Decodable>(_: T.Type) throws -> [String] {
        let names = Names()
        _ = try T(from: PlaceholderDecoder(names: names, depth: 0))
        return names.list
    }

    final class Names {
        var list: [String] = []
    }

    struct PlaceholderDecoder: Decoder {
        let names: Names
        let depth: Int
        var codingPath: [any CodingKey] = []
        var userInfo: [CodingUserInfoKey: Any] { [:] }

        func container<Key: CodingKey>(keyedBy _: Key.Type) -> KeyedDecodingContainer<Key> {
            KeyedDecodingContainer(Keyed<Key>(decoder: self))
        }
        func unkeyedContainer() -> any UnkeyedDecodingContainer { Empty() }
        func singleValueContainer() -> any SingleValueDecodingContainer { Single(decoder: self) }

        func placeholder<T: Decodable>(_ type: T.Type) throws -> T {
            switch type {
            case is String.Type: return try cast("")
            case is Bool.Type: return try cast(false)
            case is Int.Type: return try cast(0)
            case is Int64.Type: return try cast(Int64(0))
            case is UInt64.Type: return try cast(UInt64(0))
            case is Double.Type: return try cast(0.0)
            default: return try T(from: PlaceholderDecoder(names: names, depth: depth + 1))
            }
        }

        private func cast<T, Value>(_ value: Value) throws -> T {
            guard let value = value as? T else { throw DecodingError.typeMismatch(T.self, .init(codingPath: [], debugDescription: "")) }
            return value
        }
    }

    struct Keyed<Key: CodingKey>: KeyedDecodingContainerProtocol {
        let decoder: PlaceholderDecoder
        var codingPath: [any CodingKey] { [] }
        var allKeys: [Key] { [] }
        func contains(_: Key) -> Bool { true }
        func decodeNil(forKey key: Key) -> Bool {
            if decoder.depth == 0 { decoder.names.list.append(key.stringValue) }
            return true
        }
        func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
            if decoder.depth == 0 { decoder.names.list.append(key.stringValue) }
            return try decoder.placeholder(type)
        }
        func nestedContainer<Nested: CodingKey>(keyedBy _: Nested.Type, forKey _: Key) -> KeyedDecodingContainer<Nested> {
            KeyedDecodingContainer(Keyed<Nested>(decoder: PlaceholderDecoder(names: decoder.names, depth: decoder.depth + 1)))
        }
        func nestedUnkeyedContainer(forKey _: Key) -> any UnkeyedDecodingContainer { Empty() }
        func superDecoder() -> any Decoder { decoder }
        func superDecoder(forKey _: Key) -> any Decoder { decoder }
    }

    struct Single: SingleValueDecodingContainer {
        let decoder: PlaceholderDecoder
        var codingPath: [any CodingKey] { [] }
        func decodeNil() -> Bool { false }
        func decode<T: Decodable>(_ type: T.Type) throws -> T { try decoder.placeholder(type) }
    }

    /// Every list is empty.
    struct Empty: UnkeyedDecodingContainer {
        var codingPath: [any CodingKey] { [] }
        var count: Int? { 0 }
        var isAtEnd: Bool { true }
        var currentIndex: Int { 0 }
        mutating func decodeNil() -> Bool { true }
        mutating func decode<T: Decodable>(_: T.Type) throws -> T {
            throw DecodingError.valueNotFound(T.self, .init(codingPath: [], debugDescription: "every list is empty"))
        }
        mutating func nestedContainer<Nested: CodingKey>(keyedBy _: Nested.Type) throws -> KeyedDecodingContainer<Nested> {
            throw DecodingError.valueNotFound(Nested.self, .init(codingPath: [], debugDescription: "every list is empty"))
        }
        mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer { Empty() }
        mutating func superDecoder() throws -> any Decoder {
            throw DecodingError.valueNotFound(Int.self, .init(codingPath: [], debugDescription: "every list is empty"))
        }
    }
}
