/// Every request's payload: its own fields, typed, one type per request, beside the frame's `id`
/// and `type`. The protocol's catalogue in one file, by topic, each topic citing the part of
/// docs/PROTOCOL.md that documents it, so that whoever writes a client reads the two side by side.

// MARK: - Sessions

// Greeting, signing in and the session's own requests (docs/PROTOCOL.md, "Requests").

/// `hello`: the protocol version the client speaks.
public struct Hello: RequestPayload {
    public static let type = RequestType.hello
    public typealias Answer = Reply.Greeting
    public var version: Int

    public init(version: Int = WireProtocol.version) { self.version = version }
}

/// `login`: username and password, and the second factor (`totp`: a current code or a
/// recovery code) when the account has one.
public struct Login: RequestPayload {
    public static let type = RequestType.login
    public typealias Answer = Reply.Session
    public var username: String
    public var password: String
    public var totp: String?

    public init(username: String, password: String, totp: String? = nil) {
        (self.username, self.password, self.totp) = (username, password, totp)
    }
}

/// `resume`: a session continued on a new connection with its token.
public struct Resume: RequestPayload {
    public static let type = RequestType.resume
    public typealias Answer = Reply.Session
    public var token: String

    public init(token: String) { self.token = token }
}

/// `password.change`: the current password and the new one.
public struct PasswordChange: RequestPayload {
    public static let type = RequestType.passwordChange
    public typealias Answer = Reply.Done
    public var currentPassword: String
    public var newPassword: String

    public init(currentPassword: String, newPassword: String) { (self.currentPassword, self.newPassword) = (currentPassword, newPassword) }
}

/// `totp.enroll`: starts a second factor's set-up; `enrolmentCode` is the code an Admin's reset
/// gave, needed unless this session replaced a one-time password.
public struct TOTPEnroll: RequestPayload {
    public static let type = RequestType.totpEnroll
    public typealias Answer = Reply.SecondFactorSecret
    public var enrolmentCode: String?

    public init(enrolmentCode: String? = nil) { self.enrolmentCode = enrolmentCode }
}

/// `totp.confirm`: the authenticator's current code, proving the set-up.
public struct TOTPConfirm: RequestPayload {
    public static let type = RequestType.totpConfirm
    public typealias Answer = Reply.RecoveryCodes
    public var totp: String

    public init(totp: String) { self.totp = totp }
}

// MARK: - Administration

// Account administration, for Admins (docs/PROTOCOL.md, "Requests"). The requests that name
// one account and the care-team changes share their payloads' shapes (the last section).

/// `user.create`: a new account with its `role`; `displayName` defaults to the username.
public struct UserCreate: RequestPayload {
    public static let type = RequestType.userCreate
    public typealias Answer = Reply.AccountChange
    public var username: String
    public var role: String
    public var displayName: String?

    public init(username: String, role: String, displayName: String? = nil) {
        (self.username, self.role, self.displayName) = (username, role, displayName)
    }
}

// MARK: - Conversations

// Devices, identity and key backups, sender keys, rooms, messages and receipts, history,
// presence (docs/PROTOCOL.md, "Conversations", "Identities").

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

// MARK: - Records

// Patient records, amendment requests and emergency (break-glass) access (docs/PROTOCOL.md,
// "Records and emergency access").

/// `record.read`: a page of a patient's record, from entry `after` (0 first); one `section`, or
/// all; with `history`, every earlier version too.
public struct RecordRead: RequestPayload {
    public static let type = RequestType.recordRead
    public typealias Answer = Reply.RecordPage
    public var patientID: String
    public var section: String?
    public var history: Bool?
    public var after: Int?

    public init(patientID: String, section: String? = nil, history: Bool? = nil, after: Int? = nil) {
        (self.patientID, self.section, self.history, self.after) = (patientID, section, history, after)
    }
}

/// `record.write`: a new entry in `section` (the FHIR resource as JSON text), or with `entryID` a
/// new version of that entry; `withhold` keeps the version from the patient's own view on that
/// basis (`none` releases it).
public struct RecordWrite: RequestPayload {
    public static let type = RequestType.recordWrite
    public typealias Answer = Reply.RecordEntries
    public var patientID: String
    public var section: String
    public var resource: String
    public var entryID: String?
    public var withhold: String?

    public init(patientID: String, section: String, resource: String, entryID: String? = nil, withhold: String? = nil) {
        self.patientID = patientID
        self.section = section
        self.resource = resource
        self.entryID = entryID
        self.withhold = withhold
    }
}

/// `record.amend`: the patient asks for an entry to be amended, saying what is wrong in `text`.
public struct RecordAmend: RequestPayload {
    public static let type = RequestType.recordAmend
    public typealias Answer = Reply.Amendments
    public var patientID: String
    public var entryID: String
    public var text: String

    public init(patientID: String, entryID: String, text: String) {
        (self.patientID, self.entryID, self.text) = (patientID, entryID, text)
    }
}

/// `record.amend.decide`: a doctor's answer, `accepted` with the amended `resource` or `denied`
/// with a `reason`.
public struct RecordAmendDecide: RequestPayload {
    public static let type = RequestType.recordAmendDecide
    public typealias Answer = Reply.Amendments
    public var amendmentID: String
    public var verdict: String
    public var resource: String?
    public var reason: String?

    public init(amendmentID: String, verdict: String, resource: String? = nil, reason: String? = nil) {
        (self.amendmentID, self.verdict, self.resource, self.reason) = (amendmentID, verdict, resource, reason)
    }
}

/// `record.amend.disagree`: the patient's statement of disagreement with a denial.
public struct RecordAmendDisagree: RequestPayload {
    public static let type = RequestType.recordAmendDisagree
    public typealias Answer = Reply.Amendments
    public var amendmentID: String
    public var text: String

    public init(amendmentID: String, text: String) {
        (self.amendmentID, self.text) = (amendmentID, text)
    }
}

/// `breakglass.open`: emergency access to a patient's record, with the `reason` as a sentence.
public struct BreakGlassOpen: RequestPayload {
    public static let type = RequestType.breakGlassOpen
    public typealias Answer = Reply.BreakGlassUses
    public var patientID: String
    public var reason: String

    public init(patientID: String, reason: String) {
        (self.patientID, self.reason) = (patientID, reason)
    }
}

/// `breakglass.review`: the privacy officer's `verdict` on one use (`justified`, `unjustified`).
public struct BreakGlassReview: RequestPayload {
    public static let type = RequestType.breakGlassReview
    public typealias Answer = Reply.BreakGlassUses
    public var breakGlassID: Int
    public var verdict: String
    public var kind: String?

    public init(breakGlassID: Int, verdict: String, kind: String? = nil) {
        (self.breakGlassID, self.verdict, self.kind) = (breakGlassID, verdict, kind)
    }
}

// MARK: - Appointments

// Clinicians' availability and appointments (docs/PROTOCOL.md, "Appointments"). Times are seconds since 1970; weekly hours are minutes after
// the clinic's local midnight.

/// `availability.add`: `weekly` hours (`weekday`, `startMinute`, `endMinute`), or a one-off
/// `open` or `closed` block (`startsAt`, `endsAt`); the asker's own unless `clinicianID`.
public struct AvailabilityAdd: RequestPayload {
    public static let type = RequestType.availabilityAdd
    public typealias Answer = Reply.Availability
    public var clinicianID: String?
    public var kind: String
    public var weekday: Int?
    public var startMinute: Int?
    public var endMinute: Int?
    public var startsAt: Int64?
    public var endsAt: Int64?
    public var slotMinutes: Int?
    public var location: String?

    public init(
        clinicianID: String? = nil, kind: String, weekday: Int? = nil, startMinute: Int? = nil, endMinute: Int? = nil,
        startsAt: Int64? = nil, endsAt: Int64? = nil, slotMinutes: Int? = nil, location: String? = nil
    ) {
        self.clinicianID = clinicianID
        self.kind = kind
        self.weekday = weekday
        self.startMinute = startMinute
        self.endMinute = endMinute
        self.startsAt = startsAt
        self.endsAt = endsAt
        self.slotMinutes = slotMinutes
        self.location = location
    }
}

/// `availability.remove`: one entry, by the id `availability.list` gives.
public struct AvailabilityRemove: RequestPayload {
    public static let type = RequestType.availabilityRemove
    public typealias Answer = Reply.Availability
    public var clinicianID: String?
    public var availabilityID: Int

    public init(clinicianID: String? = nil, availabilityID: Int) {
        (self.clinicianID, self.availabilityID) = (clinicianID, availabilityID)
    }
}

/// `availability.list`: a clinician's entries (the asker's own by default).
public struct AvailabilityList: RequestPayload {
    public static let type = RequestType.availabilityList
    public typealias Answer = Reply.Availability
    public var clinicianID: String?

    public init(clinicianID: String? = nil) { self.clinicianID = clinicianID }
}

/// `appointment.slots`: a clinician's free slots in [`startsAt`, `endsAt`) (default: two weeks from now).
public struct AppointmentSlots: RequestPayload {
    public static let type = RequestType.appointmentSlots
    public typealias Answer = Reply.Slots
    public var clinicianID: String
    public var startsAt: Int64?
    public var endsAt: Int64?

    public init(clinicianID: String, startsAt: Int64? = nil, endsAt: Int64? = nil) {
        (self.clinicianID, self.startsAt, self.endsAt) = (clinicianID, startsAt, endsAt)
    }
}

/// `appointment.book`: the slot starting at `startsAt` with a clinician, for the asker or (staff)
/// for `patientID`; `reason` is clinical and sealed under the patient's key.
public struct AppointmentBook: RequestPayload {
    public static let type = RequestType.appointmentBook
    public typealias Answer = Reply.Appointment
    public var clinicianID: String
    public var patientID: String?
    public var reason: String?
    public var startsAt: Int64

    public init(clinicianID: String, patientID: String? = nil, reason: String? = nil, startsAt: Int64) {
        (self.clinicianID, self.patientID, self.reason, self.startsAt) = (clinicianID, patientID, reason, startsAt)
    }
}

/// `appointment.reschedule`: the same clinician's free slot starting at `startsAt`.
public struct AppointmentReschedule: RequestPayload {
    public static let type = RequestType.appointmentReschedule
    public typealias Answer = Reply.Appointment
    public var appointmentID: String
    public var startsAt: Int64

    public init(appointmentID: String, startsAt: Int64) {
        (self.appointmentID, self.startsAt) = (appointmentID, startsAt)
    }
}

/// `appointment.update`: the clinic's `status` change: `confirmed`, `completed` or `noShow`.
public struct AppointmentUpdate: RequestPayload {
    public static let type = RequestType.appointmentUpdate
    public typealias Answer = Reply.Appointment
    public var appointmentID: String
    public var status: String?

    public init(appointmentID: String, status: String?) {
        (self.appointmentID, self.status) = (appointmentID, status)
    }
}

/// `appointment.list`: a person's appointments from `startsAt` (default now), soonest first.
public struct AppointmentList: RequestPayload {
    public static let type = RequestType.appointmentList
    public typealias Answer = Reply.Appointments
    public var userID: String?
    public var startsAt: Int64?

    public init(userID: String? = nil, startsAt: Int64? = nil) {
        (self.userID, self.startsAt) = (userID, startsAt)
    }
}

// MARK: - Consent and GDPR

// Consent, the subject's export, erasure and legal holds (docs/PROTOCOL.md, "Consent", "Subject
// access", "Erasure, legal holds, retention").

/// `consent.grant`: consent to `purpose`, agreeing to the version of its text in force.
public struct ConsentGrant: RequestPayload {
    public static let type = RequestType.consentGrant
    public typealias Answer = Reply.Consents
    public var purpose: String
    public var consentVersion: String

    public init(purpose: String, consentVersion: String) {
        (self.purpose, self.consentVersion) = (purpose, consentVersion)
    }
}

/// `consent.withdraw`: the standing consent to `purpose` ends.
public struct ConsentWithdraw: RequestPayload {
    public static let type = RequestType.consentWithdraw
    public typealias Answer = Reply.Consents
    public var purpose: String

    public init(purpose: String) { self.purpose = purpose }
}

/// `gdpr.export`: one `section` of a person's export (the asker's own unless `userID`), from `after`.
public struct GDPRExport: RequestPayload {
    public static let type = RequestType.gdprExport
    public typealias Answer = Reply.Export
    public var userID: String?
    public var section: String
    public var after: Int?

    public init(userID: String? = nil, section: String, after: Int? = nil) {
        (self.userID, self.section, self.after) = (userID, section, after)
    }
}

/// `gdpr.erase.request`: an erasure request, for the asker (or, by a privacy officer, for
/// `userID`), with an optional `note` for the privacy officer.
public struct GDPREraseRequest: RequestPayload {
    public static let type = RequestType.gdprEraseRequest
    public typealias Answer = Reply.ErasureRequests
    public var userID: String?
    public var note: String?

    public init(userID: String? = nil, note: String? = nil) {
        (self.userID, self.note) = (userID, note)
    }
}

/// `gdpr.erase`: the privacy officer executes the erasure of `userID`.
public struct GDPRErase: RequestPayload {
    public static let type = RequestType.gdprErase
    public typealias Answer = Reply.Erasure
    public var userID: String

    public init(userID: String) { self.userID = userID }
}

/// `gdpr.hold.place`: a legal hold for the matter `reference`, on a person (`userID`) or a
/// conversation (`roomID`).
public struct GDPRHoldPlace: RequestPayload {
    public static let type = RequestType.gdprHoldPlace
    public typealias Answer = Reply.LegalHolds
    public var reference: String
    public var userID: String?
    public var roomID: String?

    public init(reference: String, userID: String? = nil, roomID: String? = nil) {
        (self.reference, self.userID, self.roomID) = (reference, userID, roomID)
    }
}

/// `gdpr.hold.release`: one standing hold ends.
public struct GDPRHoldRelease: RequestPayload {
    public static let type = RequestType.gdprHoldRelease
    public typealias Answer = Reply.LegalHolds
    public var holdID: Int
    public var kind: String?

    public init(holdID: Int, kind: String? = nil) {
        (self.holdID, self.kind) = (holdID, kind)
    }
}

// MARK: - Oversight

// What the clinic's officers and Admins ask: notifications and announcements, audit proofs,
// failed sign-ins, second-person approvals (docs/PROTOCOL.md, "Notifications", "Audit proofs",
// "Approvals by a second person").

/// `notification.read`: one notification read (`notificationID`), or all of them.
public struct NotificationRead: RequestPayload {
    public static let type = RequestType.notificationRead
    public typealias Answer = Reply.Notifications
    public var notificationID: Int?

    public init(notificationID: Int? = nil) { self.notificationID = notificationID }
}

/// `notification.settings`: turn one `kind` on or off (`enabled`), or, with neither, read the settings.
public struct NotificationSettings: RequestPayload {
    public static let type = RequestType.notificationSettings
    public typealias Answer = Reply.Notifications
    public var kind: String?
    public var enabled: Bool?

    public init(kind: String? = nil, enabled: Bool? = nil) {
        (self.kind, self.enabled) = (kind, enabled)
    }
}

/// `notification.announce`: an Admin's announcement to everyone, or to one `role`.
public struct NotificationAnnounce: RequestPayload {
    public static let type = RequestType.notificationAnnounce
    public typealias Answer = Reply.Announced
    public var text: String
    public var role: String?

    public init(text: String, role: String? = nil) {
        (self.text, self.role) = (text, role)
    }
}

/// `audit.proof`: an inclusion proof of entry `seq`, or a consistency proof `from` an older
/// size, against the checkpoint of `size` (default the newest).
public struct AuditProof: RequestPayload {
    public static let type = RequestType.auditProof
    public typealias Answer = Reply.AuditProof
    public var seq: Int?
    public var size: Int?
    public var from: Int?

    public init(seq: Int? = nil, size: Int? = nil, from: Int? = nil) {
        (self.seq, self.size, self.from) = (seq, size, from)
    }
}

/// `security.signins`: failed sign-ins since `startsAt` (default a week ago).
public struct SecuritySignIns: RequestPayload {
    public static let type = RequestType.securitySignIns
    public typealias Answer = Reply.SignIns
    public var startsAt: Int64?

    public init(startsAt: Int64? = nil) { self.startsAt = startsAt }
}

/// `approval.decide`: the second person's `verdict` (`approved`, `rejected`) on one approval.
public struct ApprovalDecide: RequestPayload {
    public static let type = RequestType.approvalDecide
    public typealias Answer = Reply.ApprovalDecision
    public var approvalID: Int
    public var verdict: String

    public init(approvalID: Int, verdict: String) {
        (self.approvalID, self.verdict) = (approvalID, verdict)
    }
}

// MARK: - Requests without fields

// The requests that carry no fields of their own: `id` and `type` are the whole frame. Each is
// a payload all the same, so that it names the reply it is answered with, as every request does.

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

// MARK: - Shapes several requests share

// One generic payload per shape that several requests share, and per request a tag that
// names its `RequestType`, so that `NamedRoom<RoomJoin>` and `NamedRoom<RoomLeave>` carry the
// same fields under their own type and a tag of one shape does not fit another.

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
