public import Foundation

/// Cedar's JSON forms for entities, requests and values (the forms cedarpy and the Cedar CLI
/// take), so that the same files feed Ward and the reference engine.
///
/// - value: `true`, `42`, `"text"`, `[…]` (set), `{…}` (record),
///   `{"__entity": {"type": "T", "id": "i"}}` (entity); extension values (`__extn`) are refused.
/// - entity: `{"uid": {"type", "id"}, "attrs": {…}, "parents": [{"type", "id"}, …]}`.
/// - request: `{"principal": "T::\"i\"" | {"type","id"}, "action": …, "resource": …, "context": {…}}`.
public enum CedarJSON {
    /// Parses a JSON array of entities.
    public static func entities(_ data: Data) throws -> [Entity] {
        guard case let .array(items) = try parse(data) else { throw EntityError.malformed("entities must be a JSON array") }
        return try items.enumerated().map { index, item in
            do { return try entity(item) } catch let error as EntityError {
                throw EntityError.malformed("entity #\(index): \(error)")
            }
        }
    }

    /// Parses one request object.
    public static func request(_ data: Data) throws -> AuthorizationRequest {
        try request(try parse(data))
    }

    /// Parses JSON Lines of requests (one per non-empty line); errors name the line.
    public static func requests(lines data: Data) throws -> [AuthorizationRequest] {
        var out: [AuthorizationRequest] = []
        for (number, line) in String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            if line.allSatisfy(\.isWhitespace) { continue }
            do { out.append(try request(Data(line.utf8))) } catch {
                throw EntityError.malformed("line \(number + 1): \(error)")
            }
        }
        return out
    }

    // MARK: - Internals

    enum JSON: Decodable {
        case bool(Bool), number(Int64), string(String), array([JSON]), object([String: JSON]), null

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if container.decodeNil() { self = .null; return }
            if let b = try? container.decode(Bool.self) { self = .bool(b); return }
            if let n = try? container.decode(Int64.self) { self = .number(n); return }
            if let s = try? container.decode(String.self) { self = .string(s); return }
            if let a = try? container.decode([JSON].self) { self = .array(a); return }
            if let o = try? container.decode([String: JSON].self) { self = .object(o); return }
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "numbers must be integers within a 64-bit Long")
        }
    }

    static func parse(_ data: Data) throws -> JSON {
        do { return try JSONDecoder().decode(JSON.self, from: data) } catch let error as DecodingError {
            throw EntityError.malformed("invalid JSON: \(describe(error))")
        }
    }

    private static func describe(_ error: DecodingError) -> String {
        switch error {
        case let .dataCorrupted(context): return context.debugDescription
        case let .typeMismatch(_, context), let .valueNotFound(_, context), let .keyNotFound(_, context): return context.debugDescription
        @unknown default: return "\(error)"
        }
    }

    static func entity(_ json: JSON) throws -> Entity {
        guard case let .object(fields) = json else { throw EntityError.malformed("an entity must be an object") }
        for key in fields.keys where !["uid", "attrs", "parents", "tags"].contains(key) {
            throw EntityError.malformed("unknown entity field \"\(key)\"")
        }
        if let tags = fields["tags"], case let .object(t) = tags, !t.isEmpty { throw EntityError.malformed("entity tags are not supported") }
        guard let uidJSON = fields["uid"] else { throw EntityError.malformed("entity has no \"uid\"") }
        let uid = try entityUID(uidJSON)
        var attributes: [String: Value] = [:]
        if let attrs = fields["attrs"] {
            guard case let .object(a) = attrs else { throw EntityError.malformed("\"attrs\" of \(uid) must be an object") }
            for (key, value) in a { attributes[key] = try self.value(value) }
        }
        var parents: [EntityUID] = []
        if let p = fields["parents"] {
            guard case let .array(items) = p else { throw EntityError.malformed("\"parents\" of \(uid) must be an array") }
            parents = try items.map(entityUID)
        }
        return Entity(uid: uid, attributes: attributes, parents: parents)
    }

    /// `{"type": "T", "id": "i"}`, `{"__entity": {…}}`, or the text `T::"i"`.
    static func entityUID(_ json: JSON) throws -> EntityUID {
        switch json {
        case let .object(fields):
            if let inner = fields["__entity"], fields.count == 1 { return try entityUID(inner) }
            guard fields.count == 2, case let .string(type)? = fields["type"], case let .string(id)? = fields["id"], !type.isEmpty else {
                throw EntityError.malformed("an entity reference must be {\"type\": …, \"id\": …}")
            }
            return EntityUID(type: type, id: id)
        case let .string(text):
            guard case let .literal(.entity(uid)) = try? PolicyParser.parseExpression(text) else {
                throw EntityError.malformed("\(text) is not an entity reference such as Type::\"id\"")
            }
            return uid
        default:
            throw EntityError.malformed("an entity reference must be an object or a Type::\"id\" string")
        }
    }

    static func value(_ json: JSON) throws -> Value {
        switch json {
        case let .bool(b): return .bool(b)
        case let .number(n): return .long(n)
        case let .string(s): return .string(s)
        case let .array(items): return .set(Set(try items.map(value)))
        case .null: throw EntityError.malformed("null is not a Cedar value")
        case let .object(fields):
            if fields.count == 1, let inner = fields["__entity"] { return .entity(try entityUID(inner)) }
            if fields["__extn"] != nil { throw EntityError.malformed("extension values (__extn) are not supported") }
            var record: [String: Value] = [:]
            for (key, item) in fields { record[key] = try value(item) }
            return .record(record)
        }
    }

    static func request(_ json: JSON) throws -> AuthorizationRequest {
        guard case let .object(fields) = json else { throw EntityError.malformed("a request must be a JSON object") }
        for key in fields.keys where !["principal", "action", "resource", "context"].contains(key) {
            throw EntityError.malformed("unknown request field \"\(key)\"")
        }
        func uid(_ name: String) throws -> EntityUID {
            guard let value = fields[name] else { throw EntityError.malformed("request has no \"\(name)\"") }
            return try entityUID(value)
        }
        var context: [String: Value] = [:]
        if let c = fields["context"] {
            guard case let .object(items) = c else { throw EntityError.malformed("\"context\" must be an object") }
            for (key, item) in items { context[key] = try value(item) }
        }
        return AuthorizationRequest(principal: try uid("principal"), action: try uid("action"), resource: try uid("resource"), context: context)
    }
}
