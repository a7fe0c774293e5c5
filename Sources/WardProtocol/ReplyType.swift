/// A reply's or an event's `type` on the wire (docs/PROTOCOL.md "Requests", "Events", "Errors"),
/// named here once so that neither the server nor a client spells one. A reply answers with its
/// request's own type but for the few PROTOCOL.md names otherwise (`ReplyType(answering:)`).
/// Any text decodes: a client meets the event types of a newer server as types it does not know
/// and passes them by, rather than taking the frame for a broken one.
public struct ReplyType: RawRepresentable, Hashable, Codable, Sendable, CustomStringConvertible {
    public let rawValue: String

    public init(rawValue: String) { self.rawValue = rawValue }

    /// The type of the reply to `request`.
    public init(answering request: RequestType) {
        switch request {
        case .ping: self = .pong
        case .login, .resume: self = .session
        case .whoami: self = .user
        case .keysGet: self = .keys
        case .roomCreate: self = .room
        case .messageSend: self = .messageSent
        default: self.init(rawValue: request.rawValue)
        }
    }

    public init(from decoder: any Decoder) throws { rawValue = try decoder.singleValueContainer().decode(String.self) }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    public var description: String { rawValue }

    /// A refusal, to a request (with its `id`) or to a frame that was none (without).
    public static let error = ReplyType(rawValue: "error")

    // Replies whose type is not their request's.
    /// To `ping`.
    public static let pong = ReplyType(rawValue: "pong")
    /// To `login` and `resume`: the session.
    public static let session = ReplyType(rawValue: "session")
    /// To `whoami`: the account signed in.
    public static let user = ReplyType(rawValue: "user")
    /// To `keys.get`: a room's member devices.
    public static let keys = ReplyType(rawValue: "keys")
    /// To `room.create`, and the event of being put in a room.
    public static let room = ReplyType(rawValue: "room")
    /// To `message.send`: the message as stored.
    public static let messageSent = ReplyType(rawValue: "message.sent")

    // Events (no `id`).
    /// A message was stored in one of the person's rooms.
    public static let message = ReplyType(rawValue: "message")
    /// A sender key was sealed to this connection's device.
    public static let key = ReplyType(rawValue: "key")
    /// Someone joined one of the person's rooms.
    public static let memberJoined = ReplyType(rawValue: "member.joined")
    /// Someone left one of the person's rooms, or was removed (the person too).
    public static let memberLeft = ReplyType(rawValue: "member.left")
    /// A member registered a new device: senders make a new key.
    public static let roomEpoch = ReplyType(rawValue: "room.epoch")
    /// Another member's read or delivered marker moved (also the reply to `receipt`).
    public static let receipt = ReplyType(rawValue: "receipt")
    /// Someone who shares a room came online, went away or went offline.
    public static let presence = ReplyType(rawValue: "presence")
    /// A notification fell due.
    public static let notification = ReplyType(rawValue: "notification")
}
