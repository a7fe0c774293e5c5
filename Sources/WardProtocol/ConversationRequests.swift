/// The conversation requests' payloads (docs/PROTOCOL.md, "Conversations", "Identities"):
/// devices, identity and key backups, sender keys, rooms, messages and receipts, history, presence.

/// `device.register`: this device's public keys, signed (`DeviceKeys`).
public struct DeviceRegister: RequestPayload {
    public static let type = RequestType.deviceRegister
    public typealias Answer = Reply.DeviceRegistered
    public var device: DeviceKeys

    public init(device: DeviceKeys) { self.device = device }
}

/// `identity.backup`: stores the person's identity key sealed under their recovery key
/// (`backup`), or, without one, returns the stored backup.
public struct IdentityBackupRequest: RequestPayload {
    public static let type = RequestType.identityBackup
    public typealias Answer = Reply.IdentityBackup
    public var backup: String?

    public init(backup: String? = nil) { self.backup = backup }
}

/// `keys.backup`: keeps sender keys sealed under the person's key backup key (`keyBackups`), or,
/// without any, returns every one kept.
public struct KeysBackup: RequestPayload {
    public static let type = RequestType.keysBackup
    public typealias Answer = Reply.KeyBackups
    public var keyBackups: [SealedKeyBackup]?

    public init(keyBackups: [SealedKeyBackup]? = nil) { self.keyBackups = keyBackups }
}

/// `keys.distribute`: a sender key (`keyID`, in `suite`) sealed to each member device.
public struct KeysDistribute: RequestPayload {
    public static let type = RequestType.keysDistribute
    public typealias Answer = Reply.KeyDistributed
    public var roomID: String
    public var keyID: String
    public var suite: String
    public var keys: [SealedKey]

    public init(roomID: String, keyID: String, suite: String, keys: [SealedKey]) {
        (self.roomID, self.keyID, self.suite, self.keys) = (roomID, keyID, suite, keys)
    }
}

/// `room.create`: a `staff` or `care` room (a care room names its patient), with its first
/// members; `direct` for a two-person conversation, `open` for a staff room anyone allowed joins.
public struct RoomCreate: RequestPayload {
    public static let type = RequestType.roomCreate
    public typealias Answer = Reply.Room
    public var kind: String
    public var name: String?
    public var direct: Bool?
    public var open: Bool?
    public var patientID: String?
    public var members: [String]?

    public init(kind: String, name: String? = nil, direct: Bool? = nil, open: Bool? = nil, patientID: String? = nil, members: [String]? = nil) {
        self.kind = kind
        self.name = name
        self.direct = direct
        self.open = open
        self.patientID = patientID
        self.members = members
    }
}

/// `user.find`: one account by its exact username.
public struct UserFind: RequestPayload {
    public static let type = RequestType.userFind
    public typealias Answer = Reply.Users
    public var username: String

    public init(username: String) { self.username = username }
}

/// `message.send`: an envelope (`Envelope`) sealed under the sender's current key for `roomID`.
/// A resend with the same `clientMessageID` is answered with the stored message; `urgent` alerts
/// the readers again until they read it.
public struct MessageSend: RequestPayload {
    public static let type = RequestType.messageSend
    public typealias Answer = Reply.Message
    public var roomID: String
    public var clientMessageID: String
    public var envelope: Envelope
    public var urgent: Bool?

    public init(roomID: String, clientMessageID: String, envelope: Envelope, urgent: Bool? = nil) {
        (self.roomID, self.clientMessageID, self.envelope, self.urgent) = (roomID, clientMessageID, envelope, urgent)
    }
}

/// `receipt`: the asker has `read` or had `delivered` the messages of `roomID` up to `seq`.
public struct Receipt: RequestPayload {
    public static let type = RequestType.receipt
    public typealias Answer = Reply.Marker
    public var roomID: String
    public var kind: String
    public var seq: Int

    public init(roomID: String, kind: String, seq: Int) {
        (self.roomID, self.kind, self.seq) = (roomID, kind, seq)
    }
}

/// `message.history`: up to `limit` messages `after` or `before` a sequence number.
public struct MessageHistory: RequestPayload {
    public static let type = RequestType.messageHistory
    public typealias Answer = Reply.History
    public var roomID: String
    public var after: Int?
    public var before: Int?
    public var limit: Int?

    public init(roomID: String, after: Int? = nil, before: Int? = nil, limit: Int? = nil) {
        (self.roomID, self.after, self.before, self.limit) = (roomID, after, before, limit)
    }
}

/// `presence.set`: `online` or `away`.
public struct PresenceSet: RequestPayload {
    public static let type = RequestType.presenceSet
    public typealias Answer = Reply.Presence
    public var status: String

    public init(status: String) { self.status = status }
}
