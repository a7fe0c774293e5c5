/// The wire protocol (docs/PROTOCOL.md): JSON text frames over a TLS WebSocket at /v1/ws.
/// Every client request carries an `id` and a `type`; every reply echoes the `id`.
public enum WireProtocol {
    /// The protocol version this code speaks, negotiated by `hello`.
    public static let version = 1
    /// Largest frame the server accepts, in bytes.
    public static let maxFrameBytes = 64 * 1024
    /// Largest reply the server sends (a page of an export), in bytes; clients accept frames this large.
    public static let maxReplyBytes = 1024 * 1024
    /// WebSocket path.
    public static let path = "/v1/ws"
}

/// A reply (or, with `id` nil, an event) from server to client. Its fields (`Fields`, read and
/// written as `reply.field`) live in one copy-on-write box: a reply has some seventy optional
/// fields, 1.5 KB inline, and every async function that held one — the request handlers hold
/// several — carried them in its frame; measured, the frames of one sign-in came to ~60 KB.
@dynamicMemberLookup
public struct ServerReply: Codable, Hashable, Sendable {
    public struct Fields: Codable, Hashable, Sendable {
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
        /// appointment.book, .reschedule, .cancel, .update, .show, and the `appointment` event.
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

        public init(id: Int?, type: ReplyType) {
            (self.id, self.type) = (id, type)
        }
    }

    /// Mutated only while uniquely referenced (copy on write), so shared copies never change.
    private final class Box: @unchecked Sendable {
        var fields: Fields
        init(_ fields: Fields) { self.fields = fields }
    }

    private var box: Box

    public init(id: Int?, type: ReplyType) {
        box = Box(Fields(id: id, type: type))
    }

    /// The reply to request `id` of type `request`, of the type PROTOCOL.md gives it.
    public init(answering id: Int, _ request: RequestType) {
        self.init(id: id, type: ReplyType(answering: request))
    }

    /// An event: a frame without an `id`.
    public init(event type: ReplyType) {
        self.init(id: nil, type: type)
    }

    public subscript<T>(dynamicMember keyPath: WritableKeyPath<Fields, T>) -> T {
        get { box.fields[keyPath: keyPath] }
        set {
            if !isKnownUniquelyReferenced(&box) { box = Box(box.fields) }
            box.fields[keyPath: keyPath] = newValue
        }
    }

    public init(from decoder: any Decoder) throws {
        box = Box(try Fields(from: decoder))
    }

    public func encode(to encoder: any Encoder) throws {
        try box.fields.encode(to: encoder)
    }

    public static func == (lhs: ServerReply, rhs: ServerReply) -> Bool { lhs.box === rhs.box || lhs.box.fields == rhs.box.fields }

    public func hash(into hasher: inout Hasher) { hasher.combine(box.fields) }

    public static func error(_ id: Int?, _ code: ErrorCode, _ message: String, policies: [String]? = nil) -> ServerReply {
        var reply = ServerReply(id: id, type: .error)
        reply.code = code
        reply.message = message
        reply.policies = policies
        return reply
    }
}

/// One consent record: a purpose, the version of its text agreed to, when and how it was given,
/// and when it was withdrawn (absent while it stands).
public struct ConsentInfo: Codable, Hashable, Sendable {
    public var purpose: String
    public var version: String
    public var givenAt: Int64
    public var method: String
    public var withdrawnAt: Int64?

    public init(purpose: String, version: String, givenAt: Int64, method: String, withdrawnAt: Int64?) {
        self.purpose = purpose
        self.version = version
        self.givenAt = givenAt
        self.method = method
        self.withdrawnAt = withdrawnAt
    }
}

/// A purpose one can consent to, with the text in force and its version (a grant names it).
public struct ConsentPurposeInfo: Codable, Hashable, Sendable {
    public var purpose: String
    public var version: String
    public var title: String
    public var text: String

    public init(purpose: String, version: String, title: String, text: String) {
        (self.purpose, self.version, self.title, self.text) = (purpose, version, title, text)
    }
}

/// An account as administrators see it.
public struct UserInfo: Codable, Hashable, Sendable {
    public var userID: String
    public var username: String
    public var displayName: String
    public var role: String
    public var active: Bool

    public init(userID: String, username: String, displayName: String, role: String, active: Bool) {
        self.userID = userID
        self.username = username
        self.displayName = displayName
        self.role = role
        self.active = active
    }
}

/// Error codes of `error` replies.
public enum ErrorCode: String, Codable, Hashable, Sendable {
    /// The frame is not a JSON object of the expected shape (or not valid UTF-8).
    case badRequest = "bad_request"
    /// `type` is not a request this server knows.
    case unknownType = "unknown_type"
    /// The first request must be `hello` with a supported version.
    case helloRequired = "hello_required"
    case unsupportedVersion = "unsupported_version"
    /// The request needs a signed-in session.
    case notAuthenticated = "not_authenticated"
    /// Username or password is wrong (the same answer for unknown users).
    case invalidCredentials = "invalid_credentials"
    /// A policy refused the request; `policies` names the deciding policies.
    case denied
    /// The password must be changed before anything else.
    case passwordChangeRequired = "password_change_required"
    /// The new password is too short or equal to the current one.
    case weakPassword = "weak_password"
    /// The session expired (idle or absolute limit) or was ended.
    case sessionExpired = "session_expired"
    /// The server could not record the request in the audit log, so it did not act.
    case unavailable
    /// The account has a second factor: send `totp` (a code or a recovery code) with `login`.
    case secondFactorRequired = "second_factor_required"
    /// Too many requests on this connection; slow down (the request was not processed).
    case rateLimited = "rate_limited"
    /// The named user (or care-team membership) does not exist.
    case notFound = "not_found"
    /// The username is taken, or the membership exists.
    case conflict
    /// The request names a room the user is not a member of.
    case notAMember = "not_a_member"
    /// The sender key was made for an earlier membership of the room: make a new one.
    case staleKey = "stale_key"
    /// The session has not registered its device (device.register) yet.
    case deviceRequired = "device_required"
    /// A sender key is sealed only to the room's member devices, and always to the sender's own (see keys.get).
    case wrongRecipients = "wrong_recipients"
    /// An envelope of this sender key and position is stored already: replays are refused.
    case replayed
    /// A legal hold keeps the data from erasure; the message names the hold.
    case legalHold = "legal_hold"
    /// Someone else holds the slot (or the patient already has an appointment at that time).
    case slotTaken = "slot_taken"
    /// The room is joined only by invitation (a member's room.invite), and this user was not
    /// invited, or was removed; direct conversations are never joined.
    case invitationRequired = "invitation_required"
    /// Too many failed sign-ins for this account name or from this address: try again after
    /// `retryAfter` seconds (the password was not checked).
    case signInThrottled = "signin_throttled"
    /// The server has more password checks waiting than it takes on; nothing was done: try
    /// again in a few seconds.
    case busy
    /// A first second factor is enrolled in the session that replaced the one-time password, or
    /// with the enrolment code an Admin gave: send `enrolmentCode`.
    case enrolmentCodeRequired = "enrolment_code_required"
    /// The server is low on disk space and takes no new data for now (reading still works).
    case storageLow = "storage_low"
    /// Only the room's owner (its creator), or an Admin in a staff room, removes others.
    case notOwner = "not_owner"
}

/// security.signins: failed sign-ins since a time, by account and by source address.
public struct SignInReport: Codable, Hashable, Sendable {
    /// Failures per account (`key` is the user id; `unknown` for names no account has), most first.
    public var accounts: [SignInFailures]
    /// Failures per source address (`key` is the address; `accounts` how many names it tried), most first.
    public var sources: [SignInFailures]
    /// The start of the period (seconds since 1970).
    public var since: Int64

    public init(accounts: [SignInFailures], sources: [SignInFailures], since: Int64) {
        (self.accounts, self.sources, self.since) = (accounts, sources, since)
    }
}

public struct SignInFailures: Codable, Hashable, Sendable {
    public var key: String
    public var failures: Int
    /// For a source: how many different accounts (or unknown names, counted as one) it failed on.
    public var accounts: Int?
    public var firstAt: Int64
    public var lastAt: Int64
    /// At least `SignInReport` burst-many failures within ten minutes: someone may be guessing.
    public var burst: Bool

    public init(key: String, failures: Int, accounts: Int? = nil, firstAt: Int64, lastAt: Int64, burst: Bool) {
        self.key = key
        self.failures = failures
        self.accounts = accounts
        self.firstAt = firstAt
        self.lastAt = lastAt
        self.burst = burst
    }
}

/// A request that waits for a second person's approval.
public struct ApprovalInfo: Codable, Hashable, Sendable {
    public var approvalID: Int
    /// The request type that waits: `user.create`, `user.reset-password`, `user.reset-second-factor`, `gdpr.erase`.
    public var action: String
    /// The account it is about.
    public var subjectID: String
    public var requestedBy: String
    public var requestedAt: Int64
    /// `pending`, `approved` or `rejected`.
    public var status: String
    public var decidedBy: String?

    public init(approvalID: Int, action: String, subjectID: String, requestedBy: String, requestedAt: Int64, status: String, decidedBy: String?) {
        self.approvalID = approvalID
        self.action = action
        self.subjectID = subjectID
        self.requestedBy = requestedBy
        self.requestedAt = requestedAt
        self.status = status
        self.decidedBy = decidedBy
    }
}
