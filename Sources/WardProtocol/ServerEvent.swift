public import Foundation

/// An event the server pushes (a frame without an `id`; docs/PROTOCOL.md "Events"), decoded by
/// its `type` into what that type carries.
public enum ServerEvent: Sendable {
    /// A message was stored in one of the person's rooms.
    case message(MessageInfo)
    /// Sender keys sealed to this connection's device (one per event).
    case key([KeyDelivery])
    /// The person was put in a room (created or invited).
    case room(RoomInfo)
    /// Someone joined one of the person's rooms: senders make a new key.
    case memberJoined(Reply.Membership)
    /// Someone left one of the person's rooms or was removed, the person too.
    case memberLeft(Reply.Membership)
    /// A member registered a new device: senders make a new key.
    case roomEpoch(Reply.Membership)
    /// Another member's read or delivered marker moved.
    case receipt(Reply.Marker)
    /// Someone who shares a room came online, went away or went offline.
    case presence(Reply.Presence)
    /// A notification fell due.
    case notification(NotificationInfo)
    /// A type this client does not know (a newer server's): passed by.
    case other(ReplyType)

    /// The event of type `type` whose frame is `data`.
    public init(type: ReplyType, frame data: Data, with decoder: JSONDecoder) throws {
        switch type {
        case .message: self = .message(try decoder.decode(Reply.Message.self, from: data).messageInfo)
        case .key: self = .key(try decoder.decode(Reply.KeyDeliveries.self, from: data).keyDeliveries)
        case .room: self = .room(try decoder.decode(Reply.Room.self, from: data).room)
        case .memberJoined: self = .memberJoined(try decoder.decode(Reply.Membership.self, from: data))
        case .memberLeft: self = .memberLeft(try decoder.decode(Reply.Membership.self, from: data))
        case .roomEpoch: self = .roomEpoch(try decoder.decode(Reply.Membership.self, from: data))
        case .receipt: self = .receipt(try decoder.decode(Reply.Marker.self, from: data))
        case .presence: self = .presence(try decoder.decode(Reply.Presence.self, from: data))
        case .notification: self = .notification(try decoder.decode(Reply.Notification.self, from: data).notification)
        default: self = .other(type)
        }
    }
}
