import Foundation
public import WardClient
public import WardProtocol

/// Any frame from the server read as the union of every reply's and event's fields: what the
/// tests read raw replies with (refusals, frames no client would send). Clients read the reply
/// their request names (`RequestPayload.Answer`) and events as `ServerEvent`.
public struct ServerReply: Decodable, Hashable, Sendable {
    public var id: Int?
    public var type: ReplyType
    public var version: Int?
    public var server: String?
    public var token: String?
    public var userID: String?
    public var role: String?
    public var mustChangePassword: Bool?
    /// For `type == "error"`.
    public var code: ErrorCode?
    public var message: String?
    /// For denials: the policies that decided.
    public var policies: [String]?
    /// For `signin_throttled`: seconds until the next sign-in attempt is looked at.
    public var retryAfter: Int?
    /// A one-time password (user.create, user.reset-password), shown once.
    public var password: String?
    /// Accounts (user.list, user.show).
    public var users: [UserInfo]?
    /// Care-team members' user ids (careteam.list).
    public var members: [String]?
    /// totp.enroll: the new secret (base32) and its otpauth URI, shown once.
    public var secret: String?
    public var uri: String?
    /// user.reset-second-factor: the code the person enrols a new second factor with (7 days, once).
    public var enrolmentCode: String?
    /// totp.confirm: single-use recovery codes, shown once.
    public var recoveryCodes: [String]?
    /// session: whether it was signed in with a second factor.
    public var secondFactor: Bool?
    /// session: seconds without a request after which the session ends, so that a client
    /// clears its screen then (the web client's automatic logoff).
    public var idleSeconds: Int?
    // Conversations.
    public var deviceID: String?
    public var devices: [DeviceKeys]?
    /// identity.backup: the stored backup of the person's identity key.
    public var backup: String?
    /// keys.backup: the sender keys kept for the person.
    public var keyBackups: [SealedKeyBackup]?
    public var room: RoomInfo?
    public var rooms: [RoomInfo]?
    public var roomMembers: [MemberInfo]?
    public var messages: [MessageInfo]?
    public var keyDeliveries: [KeyDelivery]?
    /// message.sent and the `message` event.
    public var messageInfo: MessageInfo?
    /// Events: who joined, left, read or changed presence; what kind of receipt.
    public var roomID: String?
    public var kind: String?
    public var seq: Int?
    public var status: String?
    public var epoch: Int?
    /// consent.list and consent changes: the account's consent records.
    public var consents: [ConsentInfo]?
    /// consent.list and consent changes: what can be consented to, with the texts in force.
    public var consentPurposes: [ConsentPurposeInfo]?
    /// gdpr.export: one page of the export.
    public var exportPage: ExportPage?
    /// gdpr.erase.request, gdpr.requests: erasure requests.
    public var erasureRequests: [ErasureRequestInfo]?
    /// gdpr.erase: what was erased and what was kept.
    public var erasureReceipt: ErasureReceipt?
    /// gdpr.hold.place, gdpr.hold.release, gdpr.holds: legal holds.
    public var legalHolds: [LegalHoldInfo]?
    /// gdpr.purge: what the retention job removed.
    public var purgeReceipt: PurgeReceipt?
    /// availability.*: a clinician's availability entries.
    public var availability: [AvailabilityInfo]?
    /// appointment.slots: free slots.
    public var slots: [SlotInfo]?
    /// appointment.list: appointments, soonest first.
    public var appointments: [AppointmentInfo]?
    /// appointment.book, .reschedule, .cancel, .update, .show.
    public var appointment: AppointmentInfo?
    /// notification.list: the person's notifications, newest first.
    public var notifications: [NotificationInfo]?
    /// The `notification` event.
    public var notification: NotificationInfo?
    /// notification.*: how many are unread.
    public var unreadNotifications: Int?
    /// notification.settings: the kinds turned off.
    public var mutedKinds: [String]?
    /// Requests waiting for a second person (user.create, user.reset-*, gdpr.erase when they
    /// wait; approval.list; approval.decide).
    public var approvals: [ApprovalInfo]?
    /// security.signins: failed sign-ins by account and source.
    public var signInReport: SignInReport?
    /// backup.status: the newest backup and the schedule.
    public var backupStatus: BackupStatus?
    /// session (Admins): what needs their attention, e.g. `backup_stale`.
    public var warnings: [String]?
    /// audit.proof: the proof (C2SP tlog-proof, or a consistency proof), as `auditctl verify-proof` reads it.
    public var auditProof: String?
    /// record.read, record.write: entries of a patient's record.
    public var recordEntries: [RecordEntryInfo]?
    /// record.read: where the next page starts (send it as `after`); absent on the last page.
    public var next: Int?
    /// breakglass.open, breakglass.list, breakglass.review.
    public var breakGlassUses: [BreakGlassInfo]?
    /// record.read: entries of the record withheld from this reader, by basis.
    public var withheld: [String: Int]?
    /// record.amend, record.amendments, record.amend.decide.
    public var amendments: [AmendmentInfo]?

    public init(_ frame: ReceivedFrame) throws {
        self = try JSONDecoder().decode(ServerReply.self, from: Data(frame.text.utf8))
    }

    /// The reply, or `WardClientError.server` for an `error` reply.
    public func checked() throws -> ServerReply {
        guard type == .error else { return self }
        throw WardClientError.server(code ?? .badRequest, message ?? "", policies: policies ?? [])
    }
}

extension WardConnection {
    /// Sends a request as its typed payload and returns whatever reply comes, errors included.
    public func send<Payload: RequestPayload>(_ payload: Payload) async throws -> ServerReply {
        try ServerReply(await send(frame: { id in try JSONEncoder.sortedKeys.encode(RequestFrame(id: id, payload: payload)) }))
    }

    /// The next reply that answered no request (replies to raw frames), read as `ServerReply`.
    public func receiveReply() async throws -> ServerReply {
        try ServerReply(await receive())
    }
}
