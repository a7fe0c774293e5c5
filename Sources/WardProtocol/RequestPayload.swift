/// A request's own fields, typed: what its `type` carries beside `id` on the wire
/// (docs/PROTOCOL.md). The server decodes a frame as the payload its route names, so a missing
/// field is refused by name before any handler runs; clients send the same types
/// (`RequestFrame`). The JSON is the same flat object `ClientRequest` reads and writes.
public protocol RequestPayload: Codable, Sendable {
    static var type: RequestType { get }
}

/// A payload as the frame a client sends: `id` and `type` beside the payload's fields, one flat
/// JSON object.
public struct RequestFrame<Payload: RequestPayload>: Encodable, Sendable {
    public var id: Int
    public var payload: Payload

    public init(id: Int, payload: Payload) {
        (self.id, self.payload) = (id, payload)
    }

    private enum Keys: String, CodingKey { case id, type }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Keys.self)
        try container.encode(id, forKey: .id)
        try container.encode(Payload.type.rawValue, forKey: .type)
        try payload.encode(to: encoder)
    }
}
