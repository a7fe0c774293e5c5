extension Reply {
    /// `device.register`: the device this session now sends and receives as.
    public struct DeviceRegistered: ReplyPayload {
        public var deviceID: String

        public init(deviceID: String) { self.deviceID = deviceID }
    }

    /// `identity.backup`: the stored backup of the person's identity key; absent when there is none.
    public struct IdentityBackup: ReplyPayload {
        public var backup: String?

        public init(backup: String?) { self.backup = backup }
    }

    /// `keys.backup`: the sender keys kept for the person.
    public struct KeyBackups: ReplyPayload {
        public var keyBackups: [SealedKeyBackup]

        public init(keyBackups: [SealedKeyBackup]) { self.keyBackups = keyBackups }
    }

    /// `keys`, to `keys.get`: the room's member devices at its epoch.
    public struct RoomDevices: ReplyPayload {
        public var roomID: String
        public var epoch: Int
        public var devices: [DeviceKeys]

        public init(roomID: String, epoch: Int, devices: [DeviceKeys]) { (self.roomID, self.epoch, self.devices) = (roomID, epoch, devices) }
    }

    /// `keys.distribute`: how many devices the key was sealed to (`seq`).
    public struct KeyDistributed: ReplyPayload {
        public var roomID: String
        public var seq: Int

        public init(roomID: String, seq: Int) { (self.roomID, self.seq) = (roomID, seq) }
    }

    /// `keys.fetch`: the sender keys sealed to this device; the `key` event (one).
    public struct KeyDeliveries: ReplyPayload {
        public var keyDeliveries: [KeyDelivery]

        public init(keyDeliveries: [KeyDelivery]) { self.keyDeliveries = keyDeliveries }
    }

    /// `room`, to `room.create`; `room.invite`, `room.join`; the `room` event.
    public struct Room: ReplyPayload {
        public var room: RoomInfo

        public init(room: RoomInfo) { self.room = room }
    }

    /// `room.leave`, `room.remove`: the room.
    public struct RoomLeft: ReplyPayload {
        public var roomID: String

        public init(roomID: String) { self.roomID = roomID }
    }

    /// `room.list`: the person's rooms.
    public struct Rooms: ReplyPayload {
        public var rooms: [RoomInfo]

        public init(rooms: [RoomInfo]) { self.rooms = rooms }
    }

    /// `room.members`: a room's members, with their names, presence and markers.
    public struct RoomMembers: ReplyPayload {
        public var roomID: String
        public var roomMembers: [MemberInfo]

        public init(roomID: String, roomMembers: [MemberInfo]) { (self.roomID, self.roomMembers) = (roomID, roomMembers) }
    }

    /// `message.sent`, to `message.send`; the `message` event.
    public struct Message: ReplyPayload {
        public var messageInfo: MessageInfo

        public init(messageInfo: MessageInfo) { self.messageInfo = messageInfo }
    }

    /// `message.history`: a page of a room's messages, oldest first.
    public struct History: ReplyPayload {
        public var roomID: String
        public var messages: [MessageInfo]

        public init(roomID: String, messages: [MessageInfo]) { (self.roomID, self.messages) = (roomID, messages) }
    }

    /// `receipt`: a member's read or delivered marker after the change; `userID` only in the event.
    public struct Marker: ReplyPayload {
        public var roomID: String
        public var userID: String?
        public var kind: String
        public var seq: Int

        public init(roomID: String, userID: String?, kind: String, seq: Int) {
            (self.roomID, self.userID, self.kind, self.seq) = (roomID, userID, kind, seq)
        }
    }

    /// `presence.set`: the person's presence; the `presence` event, with whose.
    public struct Presence: ReplyPayload {
        public var userID: String?
        public var status: String

        public init(userID: String?, status: String) { (self.userID, self.status) = (userID, status) }
    }

    /// The `member.joined`, `member.left` and `room.epoch` events: whose membership changed,
    /// and the room's epoch after it.
    public struct Membership: ReplyPayload {
        public var roomID: String
        public var userID: String
        public var epoch: Int

        public init(roomID: String, userID: String, epoch: Int) { (self.roomID, self.userID, self.epoch) = (roomID, userID, epoch) }
    }
}
