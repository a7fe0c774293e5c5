/// One page of a data subject's export (GDPR Art. 15 and 20), as `gdpr.export` returns it. The
/// export has five sections, fetched in turn: `account` (one page), `rooms` (one page), then
/// `messages`, `access` and `records` page by page until `next` is absent. docs/export.schema.json describes
/// the document the clients assemble from the pages.
public struct ExportPage: Codable, Hashable, Sendable {
    public static let sections = ["account", "rooms", "messages", "access", "records"]

    public var section: String
    public var account: ExportAccount?
    public var rooms: [ExportRoom]?
    public var messages: [MessageInfo]?
    public var access: [AccessRecord]?
    /// A patient's record: every version of every entry, as FHIR R4 resources.
    public var records: [RecordEntryInfo]?
    /// `records`: entries withheld from the reader by basis (HIPAA 164.524(a)), on every page.
    public var recordsWithheld: [String: Int]?
    /// `records`, first page: the patient's amendment requests.
    public var amendments: [AmendmentInfo]?
    /// The cursor (`after`) for the next page of this section; absent on its last page.
    public var next: Int?

    public init(section: String) {
        self.section = section
    }
}

/// Everything about the account itself.
public struct ExportAccount: Codable, Hashable, Sendable {
    public var profile: UserInfo
    public var createdAt: Int64
    public var sessions: [ExportSession]
    public var devices: [ExportDevice]
    /// For a patient: the clinicians on their care team; for a clinician: the patients they treat.
    public var careTeam: [String]
    public var patients: [String]
    public var consents: [ConsentInfo]
    public var secondFactor: Bool
    public var recoveryCodesLeft: Int
    /// Erasure requests about the person, with their state.
    public var erasureRequests: [ErasureRequestInfo]
    /// A patient's appointments (with the reason), or a clinician's schedule.
    public var appointments: [AppointmentInfo]
    /// A clinician's published availability.
    public var availability: [AvailabilityInfo]
    /// Every notification delivered to the person, and the kinds they turned off.
    public var notifications: [NotificationInfo]
    public var mutedNotificationKinds: [String]

    public init(
        profile: UserInfo, createdAt: Int64, sessions: [ExportSession], devices: [ExportDevice], careTeam: [String],
        patients: [String], consents: [ConsentInfo], secondFactor: Bool, recoveryCodesLeft: Int,
        erasureRequests: [ErasureRequestInfo] = [], appointments: [AppointmentInfo] = [], availability: [AvailabilityInfo] = [],
        notifications: [NotificationInfo] = [], mutedNotificationKinds: [String] = []
    ) {
        self.erasureRequests = erasureRequests
        self.appointments = appointments
        self.availability = availability
        self.notifications = notifications
        self.mutedNotificationKinds = mutedNotificationKinds
        self.profile = profile
        self.createdAt = createdAt
        self.sessions = sessions
        self.devices = devices
        self.careTeam = careTeam
        self.patients = patients
        self.consents = consents
        self.secondFactor = secondFactor
        self.recoveryCodesLeft = recoveryCodesLeft
    }
}

public struct ExportSession: Codable, Hashable, Sendable {
    /// Seconds since 1970.
    public var createdAt: Int64
    public var lastSeenAt: Int64
    public var secondFactor: Bool

    public init(createdAt: Int64, lastSeenAt: Int64, secondFactor: Bool) {
        (self.createdAt, self.lastSeenAt, self.secondFactor) = (createdAt, lastSeenAt, secondFactor)
    }
}

public struct ExportDevice: Codable, Hashable, Sendable {
    public var keys: DeviceKeys
    public var registeredAt: Int64

    public init(keys: DeviceKeys, registeredAt: Int64) {
        (self.keys, self.registeredAt) = (keys, registeredAt)
    }
}

/// A room the subject is in, with their membership.
public struct ExportRoom: Codable, Hashable, Sendable {
    public var room: RoomInfo
    public var joinedAt: Int64
    public var firstSeq: Int
    public var readSeq: Int
    public var deliveredSeq: Int

    public init(room: RoomInfo, joinedAt: Int64, firstSeq: Int, readSeq: Int, deliveredSeq: Int) {
        self.room = room
        self.joinedAt = joinedAt
        self.firstSeq = firstSeq
        self.readSeq = readSeq
        self.deliveredSeq = deliveredSeq
    }
}

/// One audit entry about the subject: who, in which role, did what, when, decided by which policies.
public struct AccessRecord: Codable, Hashable, Sendable {
    public var seq: Int
    /// Microseconds since 1970.
    public var time: Int64
    public var actorID: String
    /// The actor's display name, for the accounts that still exist (HIPAA 164.528: the accounting
    /// names who received or used the information); absent for system actors and erased accounts.
    public var actorName: String?
    public var actorRole: String
    public var event: String
    /// C, R, U, D or E (FHIR AuditEvent action codes).
    public var action: String
    public var outcome: String
    public var decision: String
    public var policies: [String]
    public var objectType: String
    public var objectID: String

    public init(
        seq: Int, time: Int64, actorID: String, actorRole: String, event: String, action: String, outcome: String,
        decision: String, policies: [String], objectType: String, objectID: String
    ) {
        self.seq = seq
        self.time = time
        self.actorID = actorID
        self.actorRole = actorRole
        self.event = event
        self.action = action
        self.outcome = outcome
        self.decision = decision
        self.policies = policies
        self.objectType = objectType
        self.objectID = objectID
    }
}

/// The whole export as a client assembles it from the pages (docs/export.schema.json).
public struct ExportDocument: Codable, Hashable, Sendable {
    public static let currentFormat = "ward-export-1"

    public var format = ExportDocument.currentFormat
    /// Seconds since 1970.
    public var exportedAt: Int64
    public var subjectID: String
    public var account: ExportAccount
    public var rooms: [ExportRoom]
    /// As the server holds them: metadata and the sender's envelope (ciphertext).
    public var messages: [MessageInfo]
    /// Messages the exporting device could decrypt, by message id (a person's own export).
    public var decrypted: [String: DecryptedText]?
    /// Every audit entry naming the subject: who, in which role, did what, when, under which policies.
    public var access: [AccessRecord]
    /// A patient's record, every version (FHIR R4 resources; docs/RECORDS.md).
    public var records: [RecordEntryInfo]
    /// Entries withheld from the person's own view, by basis (HIPAA 164.524(a)); absent when none.
    public var recordsWithheld: [String: Int]?
    /// The person's requests to amend their record, and the answers.
    public var amendments: [AmendmentInfo]

    public init(
        exportedAt: Int64, subjectID: String, account: ExportAccount, rooms: [ExportRoom], messages: [MessageInfo], access: [AccessRecord],
        records: [RecordEntryInfo] = [], recordsWithheld: [String: Int]? = nil, amendments: [AmendmentInfo] = []
    ) {
        self.records = records
        self.recordsWithheld = recordsWithheld
        self.amendments = amendments
        self.exportedAt = exportedAt
        self.subjectID = subjectID
        self.account = account
        self.rooms = rooms
        self.messages = messages
        self.access = access
    }
}

/// A message's text as the exporting device decrypted it.
public struct DecryptedText: Codable, Hashable, Sendable {
    public var text: String
    /// "text" or "emote".
    public var format: String

    public init(text: String, format: String) {
        (self.text, self.format) = (text, format)
    }
}

/// `backup.status`: where backups go, the newest whole one, and whether it is too old.
public struct BackupStatus: Codable, Hashable, Sendable {
    public var directory: String?
    /// The newest whole backup's name, when there is one.
    public var newest: String?
    /// When it was taken (seconds since 1970) and its age in seconds.
    public var takenAt: Int64?
    public var ageSeconds: Int64?
    /// Older than the schedule allows (twice its interval; 36 hours without one), or none.
    public var stale: Bool
    /// Hours between the server's own backups (0: it takes none), and how many it keeps.
    public var everyHours: Int
    public var keep: Int
    /// What the newest backup holds, in bytes before encryption, and the audit log's size at the
    /// checkpoint it covers, from its manifest (read, not verified: `verify-backup` does that).
    public var bytes: Int?
    public var auditEntries: Int?

    public init(
        directory: String?, newest: String?, takenAt: Int64?, ageSeconds: Int64?, stale: Bool, everyHours: Int, keep: Int,
        bytes: Int? = nil, auditEntries: Int? = nil
    ) {
        self.directory = directory
        self.newest = newest
        self.takenAt = takenAt
        self.ageSeconds = ageSeconds
        self.stale = stale
        self.everyHours = everyHours
        self.keep = keep
        (self.bytes, self.auditEntries) = (bytes, auditEntries)
    }
}
