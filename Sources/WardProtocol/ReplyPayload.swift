/// A reply's own fields, typed: what it carries beside `id` and `type` on the wire
/// (docs/PROTOCOL.md). The server builds every reply and event from one of these (`ReplyFrame`);
/// each request names the one it is answered with (`RequestPayload.Answer`), so a handler that
/// answered with the wrong shape would not compile.
public protocol ReplyPayload: Codable, Hashable, Sendable {}

/// The replies and events, by shape: `Reply.Rooms` answers `room.list`, `Reply.Room` answers
/// `room.create`, `room.invite` and `room.join` and is the `room` event.
public enum Reply {}

/// A reply or an event as the frame the server sends: `id` (absent for an event) and `type`
/// beside the payload's fields, one flat JSON object, as `RequestFrame` is for requests.
public struct ReplyFrame: Encodable, Sendable {
    public var id: Int?
    public var type: ReplyType
    public var payload: any ReplyPayload

    public init(id: Int?, type: ReplyType, payload: some ReplyPayload) {
        (self.id, self.type, self.payload) = (id, type, payload)
    }

    /// The reply to request `id` of type `request` (`ReplyType(answering:)`).
    public init<Payload: ReplyPayload>(answering id: Int, _ request: RequestType, with payload: Payload) {
        self.init(id: id, type: ReplyType(answering: request), payload: payload)
    }

    /// An event: a frame without an `id`.
    public static func event(_ type: ReplyType, _ payload: some ReplyPayload) -> ReplyFrame {
        ReplyFrame(id: nil, type: type, payload: payload)
    }

    /// A refusal (docs/PROTOCOL.md "Errors"); `id` nil when the frame it answers had none.
    public static func error(_ id: Int?, _ code: ErrorCode, _ message: String, policies: [String]? = nil) -> ReplyFrame {
        ReplyFrame(id: id, type: .error, payload: Reply.Refusal(code: code, message: message, policies: policies))
    }

    /// What the frame says happened, as the metrics count it: the error code of a refusal,
    /// else the reply's type.
    public var outcome: String { (payload as? Reply.Refusal)?.code.rawValue ?? type.rawValue }

    private enum Keys: String, CodingKey { case id, type }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Keys.self)
        try container.encodeIfPresent(id, forKey: .id)
        try container.encode(type, forKey: .type)
        try payload.encode(to: encoder)
    }
}

extension Reply {
    /// A reply that carries nothing but its type: `pong`, `logout`, `password.change`,
    /// `careteam.add`, `careteam.remove`.
    public struct Done: ReplyPayload {
        public init() {}
    }

    /// An `error` reply: what refused the request, in words a person can act on.
    public struct Refusal: ReplyPayload {
        public var code: ErrorCode
        public var message: String
        /// For `denied`: the policies that decided.
        public var policies: [String]?
        /// For `signin_throttled`: seconds until the next sign-in attempt is looked at.
        public var retryAfter: Int?

        public init(code: ErrorCode, message: String, policies: [String]? = nil, retryAfter: Int? = nil) {
            (self.code, self.message, self.policies, self.retryAfter) = (code, message, policies, retryAfter)
        }
    }
}
