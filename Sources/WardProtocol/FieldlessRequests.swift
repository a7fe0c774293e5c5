/// The requests that carry no fields of their own: `id` and `type` are the whole frame. Each is
/// a payload all the same, so that it names the reply it is answered with, as every request does.

/// `ping`: is the connection alive?
public struct Ping: RequestPayload {
    public static let type = RequestType.ping
    public typealias Answer = Reply.Done
    public init() {}
}

/// `logout`: ends the session, on every connection that resumed it.
public struct Logout: RequestPayload {
    public static let type = RequestType.logout
    public typealias Answer = Reply.Done
    public init() {}
}

/// `whoami`: the account signed in.
public struct Whoami: RequestPayload {
    public static let type = RequestType.whoami
    public typealias Answer = Reply.SignedIn
    public init() {}
}

/// `user.list`: every account (Admins).
public struct UserList: RequestPayload {
    public static let type = RequestType.userList
    public typealias Answer = Reply.Users
    public init() {}
}

/// `approval.list`: the requests waiting for a second person.
public struct ApprovalList: RequestPayload {
    public static let type = RequestType.approvalList
    public typealias Answer = Reply.Approvals
    public init() {}
}

/// `room.list`: the person's rooms.
public struct RoomList: RequestPayload {
    public static let type = RequestType.roomList
    public typealias Answer = Reply.Rooms
    public init() {}
}

/// `consent.list`: the person's consents and the texts in force.
public struct ConsentList: RequestPayload {
    public static let type = RequestType.consentList
    public typealias Answer = Reply.Consents
    public init() {}
}

/// `gdpr.purge`: runs the retention job now.
public struct GDPRPurge: RequestPayload {
    public static let type = RequestType.gdprPurge
    public typealias Answer = Reply.Purge
    public init() {}
}

/// `availability.clinicians`: who can be booked.
public struct AvailabilityClinicians: RequestPayload {
    public static let type = RequestType.availabilityClinicians
    public typealias Answer = Reply.Users
    public init() {}
}

/// `backup.status`: the newest backup and the schedule.
public struct BackupStatusRequest: RequestPayload {
    public static let type = RequestType.backupStatus
    public typealias Answer = Reply.Backups
    public init() {}
}
