/// The payload shapes several requests share: one generic payload, and per request a tag that
/// names its `RequestType`, so that `NamedRoom<RoomJoin>` and `NamedRoom<RoomLeave>` carry the
/// same fields under their own type and a tag of one shape does not fit another.

/// A request's type as a type: what tells apart the requests that share a payload shape.
public protocol RequestTag: Sendable {
    static var type: RequestType { get }
}

/// The requests that name one account, by `userID` or by `username`: `user.show`,
/// `user.disable`, `user.enable`, `user.reset-password`, `user.reset-second-factor`.
public protocol NamedAccountRequest: RequestTag {
    /// The reply the request is answered with.
    associatedtype Answer: ReplyPayload
}

public enum UserShow: NamedAccountRequest {
    public static let type = RequestType.userShow
    public typealias Answer = Reply.Users
}
public enum UserDisable: NamedAccountRequest {
    public static let type = RequestType.userDisable
    public typealias Answer = Reply.AccountChange
}
public enum UserEnable: NamedAccountRequest {
    public static let type = RequestType.userEnable
    public typealias Answer = Reply.AccountChange
}
public enum UserResetPassword: NamedAccountRequest {
    public static let type = RequestType.userResetPassword
    public typealias Answer = Reply.AccountChange
}
public enum UserResetSecondFactor: NamedAccountRequest {
    public static let type = RequestType.userResetSecondFactor
    public typealias Answer = Reply.AccountChange
}

/// One of the `NamedAccountRequest`s, naming its account: `NamedAccount<UserDisable>(username: "ann")`.
public struct NamedAccount<Request: NamedAccountRequest>: RequestPayload {
    public static var type: RequestType { Request.type }
    public typealias Answer = Request.Answer
    public var userID: String?
    public var username: String?

    public init(userID: String? = nil, username: String? = nil) { (self.userID, self.username) = (userID, username) }
}

/// The requests that put a clinician on or take them off a patient's care team:
/// `careteam.add`, `careteam.remove`.
public protocol CareTeamChangeRequest: RequestTag {}

public enum CareTeamAdd: CareTeamChangeRequest { public static let type = RequestType.careTeamAdd }
public enum CareTeamRemove: CareTeamChangeRequest { public static let type = RequestType.careTeamRemove }

/// One of the `CareTeamChangeRequest`s: `CareTeamChange<CareTeamAdd>(patientID:clinicianID:)`.
public struct CareTeamChange<Request: CareTeamChangeRequest>: RequestPayload {
    public static var type: RequestType { Request.type }
    public typealias Answer = Reply.Done
    public var patientID: String
    public var clinicianID: String

    public init(patientID: String, clinicianID: String) { (self.patientID, self.clinicianID) = (patientID, clinicianID) }
}

/// The requests whose one field is the room they are about.
public protocol NamedRoomRequest: RequestTag {
    /// The reply the request is answered with.
    associatedtype Answer: ReplyPayload
}

/// `keys.get`: the public keys of every device in a room.
public enum KeysGet: NamedRoomRequest {
    public static let type = RequestType.keysGet
    public typealias Answer = Reply.RoomDevices
}
/// `keys.fetch`: the sender keys sealed to this device in a room.
public enum KeysFetch: NamedRoomRequest {
    public static let type = RequestType.keysFetch
    public typealias Answer = Reply.KeyDeliveries
}
/// `room.join`: the asker joins an open staff room.
public enum RoomJoin: NamedRoomRequest {
    public static let type = RequestType.roomJoin
    public typealias Answer = Reply.Room
}
/// `room.leave`: the asker leaves.
public enum RoomLeave: NamedRoomRequest {
    public static let type = RequestType.roomLeave
    public typealias Answer = Reply.RoomLeft
}
/// `room.members`: a room's members, with their names and presence.
public enum RoomMembers: NamedRoomRequest {
    public static let type = RequestType.roomMembers
    public typealias Answer = Reply.RoomMembers
}

/// One of the `NamedRoomRequest`s: `NamedRoom<RoomJoin>(roomID:)`.
public struct NamedRoom<Request: NamedRoomRequest>: RequestPayload {
    public static var type: RequestType { Request.type }
    public typealias Answer = Request.Answer
    public var roomID: String

    public init(roomID: String) { self.roomID = roomID }
}

/// The requests that add a member to a room or remove one.
public protocol RoomMemberChangeRequest: RequestTag {
    /// The reply the request is answered with.
    associatedtype Answer: ReplyPayload
}

/// `room.invite`: a member adds `userID`.
public enum RoomInvite: RoomMemberChangeRequest {
    public static let type = RequestType.roomInvite
    public typealias Answer = Reply.Room
}
/// `room.remove`: the owner (or an Admin, in a staff room) removes `userID`.
public enum RoomRemove: RoomMemberChangeRequest {
    public static let type = RequestType.roomRemove
    public typealias Answer = Reply.RoomLeft
}

/// One of the `RoomMemberChangeRequest`s: `RoomMemberChange<RoomInvite>(roomID:userID:)`.
public struct RoomMemberChange<Request: RoomMemberChangeRequest>: RequestPayload {
    public static var type: RequestType { Request.type }
    public typealias Answer = Request.Answer
    public var roomID: String
    public var userID: String

    public init(roomID: String, userID: String) { (self.roomID, self.userID) = (roomID, userID) }
}

/// The requests whose one field is the patient they are about.
public protocol NamedPatientRequest: RequestTag {
    /// The reply the request is answered with.
    associatedtype Answer: ReplyPayload
}

/// `careteam.list`: a patient's care team.
public enum CareTeamList: NamedPatientRequest {
    public static let type = RequestType.careTeamList
    public typealias Answer = Reply.CareTeam
}
/// `record.amendments`: a patient's amendment requests and their answers.
public enum RecordAmendments: NamedPatientRequest {
    public static let type = RequestType.recordAmendments
    public typealias Answer = Reply.Amendments
}

/// One of the `NamedPatientRequest`s: `NamedPatient<CareTeamList>(patientID:)`.
public struct NamedPatient<Request: NamedPatientRequest>: RequestPayload {
    public static var type: RequestType { Request.type }
    public typealias Answer = Request.Answer
    public var patientID: String

    public init(patientID: String) { self.patientID = patientID }
}

/// The requests whose one field is the appointment they are about.
public protocol NamedAppointmentRequest: RequestTag {}

/// `appointment.cancel`: the slot is free again.
public enum AppointmentCancel: NamedAppointmentRequest { public static let type = RequestType.appointmentCancel }
/// `appointment.show`: one appointment, with its reason for those the policies let read it.
public enum AppointmentShow: NamedAppointmentRequest { public static let type = RequestType.appointmentShow }

/// One of the `NamedAppointmentRequest`s: `NamedAppointment<AppointmentShow>(appointmentID:)`.
public struct NamedAppointment<Request: NamedAppointmentRequest>: RequestPayload {
    public static var type: RequestType { Request.type }
    public typealias Answer = Reply.Appointment
    public var appointmentID: String

    public init(appointmentID: String) { self.appointmentID = appointmentID }
}

/// The listings of what waits for someone, whose one field, `kind`, asks for every item with `all`.
public protocol ListingRequest: RequestTag {
    /// The reply the request is answered with.
    associatedtype Answer: ReplyPayload
}

/// `notification.list`: unread notifications, or with `kind` `all` the read ones too.
public enum NotificationList: ListingRequest {
    public static let type = RequestType.notificationList
    public typealias Answer = Reply.Notifications
}
/// `gdpr.requests`: erasure requests still open, or with `kind` `all` every one.
public enum GDPRRequests: ListingRequest {
    public static let type = RequestType.gdprRequests
    public typealias Answer = Reply.ErasureRequests
}
/// `gdpr.holds`: the holds in force, or with `kind` `all` released ones too.
public enum GDPRHolds: ListingRequest {
    public static let type = RequestType.gdprHolds
    public typealias Answer = Reply.LegalHolds
}
/// `breakglass.list`: the uses waiting for review, or with `kind` `all` every use.
public enum BreakGlassList: ListingRequest {
    public static let type = RequestType.breakGlassList
    public typealias Answer = Reply.BreakGlassUses
}

/// One of the `ListingRequest`s: `Listing<GDPRHolds>(kind: "all")`.
public struct Listing<Request: ListingRequest>: RequestPayload {
    public static var type: RequestType { Request.type }
    public typealias Answer = Request.Answer
    public var kind: String?

    public init(kind: String? = nil) { self.kind = kind }
}
