import Foundation
public import WardClient
public import WardProtocol

/// A request as one bag of every field any request carries, sent as `{"id", "type", …}` with
/// whichever are set. The clients send typed payloads (`RequestPayload`); the tests build frames
/// with this where they need what no typed client sends (a field missing, out of range, of
/// another request) or many requests in few lines.
public struct ClientRequest: Codable, Hashable, Sendable {
    public var id: Int
    public var type: String
    // Fields of the individual requests; which are required depends on `type`.
    public var version: Int?
    public var username: String?
    public var password: String?
    public var token: String?
    public var currentPassword: String?
    public var newPassword: String?
    public var displayName: String?
    public var role: String?
    public var userID: String?
    public var patientID: String?
    public var clinicianID: String?
    /// A TOTP code or a recovery code (login, totp.confirm).
    public var totp: String?
    /// totp.enroll: the code an Admin's user.reset-second-factor gave, when this session did not
    /// replace a one-time password.
    public var enrolmentCode: String?
    // Conversations.
    public var device: DeviceKeys?
    /// identity.backup: the person's identity key sealed under their recovery key (to store).
    public var backup: String?
    /// keys.backup: sender keys to keep, sealed under the person's key backup key.
    public var keyBackups: [SealedKeyBackup]?
    public var roomID: String?
    public var kind: String?
    public var name: String?
    public var direct: Bool?
    /// room.create: a staff room anyone the policies allow may join without an invitation.
    public var open: Bool?
    public var members: [String]?
    public var clientMessageID: String?
    public var envelope: Envelope?
    public var keyID: String?
    /// keys.distribute: the cipher suite of the key (see `CipherSuite`).
    public var suite: String?
    public var keys: [SealedKey]?
    /// Pagination (message.history): messages after or before a sequence number, at most `limit`.
    public var after: Int?
    public var before: Int?
    public var limit: Int?
    /// receipt: the sequence number read or delivered up to; audit.proof: the entry to prove.
    public var seq: Int?
    /// audit.proof: the checkpoint size to prove against (default the newest), or the size of
    /// the older checkpoint of a consistency proof.
    public var size: Int?
    public var from: Int?
    /// presence.set: "online" or "away".
    public var status: String?
    /// consent.grant, consent.withdraw: the purpose, and the version of its text agreed to.
    public var purpose: String?
    /// gdpr.export: which part of the export (`account`, `rooms`, `messages`, `access`).
    public var section: String?
    public var consentVersion: String?
    /// gdpr.hold.release: which hold.
    public var holdID: Int?
    /// gdpr.hold.place: the matter the hold is for (a case or file reference).
    public var reference: String?
    /// gdpr.erase.request: what the person wants the privacy officer to know (optional).
    public var note: String?
    // Appointments (seconds since 1970; minutes after local midnight).
    public var weekday: Int?
    public var startMinute: Int?
    public var endMinute: Int?
    public var startsAt: Int64?
    public var endsAt: Int64?
    public var slotMinutes: Int?
    public var location: String?
    public var availabilityID: Int?
    public var appointmentID: String?
    /// appointment.book: why the patient comes (clinical; shown only to those allowed).
    public var reason: String?
    /// notification.read: which one (absent: all).
    public var notificationID: Int?
    /// notification.settings: turn `kind` on or off.
    public var enabled: Bool?
    /// notification.announce: the announcement (to `role`, or everyone).
    public var text: String?
    /// message.send: an urgent message alerts its readers again until they read it.
    public var urgent: Bool?
    /// record.read: also every earlier version.
    public var history: Bool?
    /// record.write: the FHIR resource as JSON text; `entryID` names the entry a new version amends.
    public var resource: String?
    public var entryID: String?
    /// breakglass.review: which use, and `verdict` (`justified` or `unjustified`).
    public var breakGlassID: Int?
    public var verdict: String?
    /// record.write: withhold this version from the patient's own view, on this basis
    /// (`psychotherapy-notes`, `endangerment`).
    public var withhold: String?
    /// record.amend.decide: which request.
    public var amendmentID: String?
    /// approval.decide: which approval.
    public var approvalID: Int?

    public init(
        id: Int, type: RequestType, version: Int? = nil, username: String? = nil, password: String? = nil,
        token: String? = nil, currentPassword: String? = nil, newPassword: String? = nil,
        displayName: String? = nil, role: String? = nil, userID: String? = nil,
        patientID: String? = nil, clinicianID: String? = nil, totp: String? = nil
    ) {
        self.id = id
        self.type = type.rawValue
        self.version = version
        self.username = username
        self.password = password
        self.token = token
        self.currentPassword = currentPassword
        self.newPassword = newPassword
        self.displayName = displayName
        self.role = role
        self.userID = userID
        self.patientID = patientID
        self.clinicianID = clinicianID
        self.totp = totp
    }

    /// A request of a type the protocol does not have, as a hostile or newer client sends it
    /// (tests of the server's refusals).
    public init(id: Int, unlistedType: String) {
        self.init(id: id, type: .ping)
        type = unlistedType
    }

    /// The request's type, when the protocol has it.
    public var requestType: RequestType? { RequestType(rawValue: type) }
}

extension WardConnection {
    /// Sends `request` (its id is assigned here) and returns the reply; an `error` reply throws.
    @discardableResult
    public func request(_ request: ClientRequest) async throws -> ServerReply {
        try await send(request).checked()
    }

    /// Sends `request` and returns whatever reply comes, errors included.
    public func send(_ request: ClientRequest) async throws -> ServerReply {
        try ServerReply(
            await send(frame: { id in
                var request = request
                request.id = id
                return try JSONEncoder.sortedKeys.encode(request)
            }))
    }
}
