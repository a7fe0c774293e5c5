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
public enum ErrorCode: String, CaseIterable, Codable, Sendable {
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
