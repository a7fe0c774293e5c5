/// A request's own fields, typed: what its `type` carries beside `id` on the wire
/// (docs/PROTOCOL.md), and the reply it is answered with (`Answer`). The server decodes a frame
/// as the payload its route names, so a missing field is refused by name before any handler
/// runs; clients send the same types (`RequestFrame`): one flat JSON object, `id` and `type`
/// beside the payload's fields.
public protocol RequestPayload: Codable, Sendable {
    /// The reply the request is answered with; the server's route for the request returns it.
    associatedtype Answer: ReplyPayload
    static var type: RequestType { get }
}

/// A request as the frame a client sends: `id` and `type` beside the payload's fields, one flat
/// JSON object; a request without fields of its own (`Ping`, `Logout`, `RoomList`, …) is `id`
/// and `type` alone.
public struct RequestFrame: Encodable, Sendable {
    public var id: Int
    public var type: RequestType
    public var payload: any RequestPayload

    public init<Payload: RequestPayload>(id: Int, payload: Payload) {
        (self.id, type, self.payload) = (id, Payload.type, payload)
    }

    private enum Keys: String, CodingKey { case id, type }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Keys.self)
        try container.encode(id, forKey: .id)
        try container.encode(type.rawValue, forKey: .type)
        try payload.encode(to: encoder)
    }
}
