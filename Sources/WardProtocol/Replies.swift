/// Every reply's payload, by shape (`Reply`): the fields a reply or an event carries beside `id`
/// and `type` (docs/PROTOCOL.md). One file, by the topics of `Requests.swift`, whose payloads
/// name these as their `Answer`.

extension Reply {
    // MARK: - Sessions

    /// `hello`: the protocol version and the server's opaque id.
    public struct Greeting: ReplyPayload {
        public var version: Int
        public var server: String

        public init(version: Int, server: String) { (self.version, self.server) = (version, server) }
    }

    /// `session`, to `login` and `resume`: who is signed in, and how.
    public struct Session: ReplyPayload {
        /// The session's token, to `resume` with; only in the reply to `login`.
        public var token: String?
        public var userID: String
        public var role: String
        public var mustChangePassword: Bool
        /// Whether it was signed in with a second factor.
        public var secondFactor: Bool
        /// Seconds without a request after which the session ends, so that a client clears its
        /// screen then (the web client's automatic logoff).
        public var idleSeconds: Int
        /// For Admins: what needs their attention, e.g. `backup_stale`.
        public var warnings: [String]?

        public init(
            token: String?, userID: String, role: String, mustChangePassword: Bool, secondFactor: Bool, idleSeconds: Int,
            warnings: [String]?
        ) {
            (self.token, self.userID, self.role, self.mustChangePassword) = (token, userID, role, mustChangePassword)
            (self.secondFactor, self.idleSeconds, self.warnings) = (secondFactor, idleSeconds, warnings)
        }
    }

    /// `user`, to `whoami`: the account signed in, and its entry (`users`, one).
    public struct SignedIn: ReplyPayload {
        public var userID: String
        public var role: String
        public var mustChangePassword: Bool
        public var users: [UserInfo]

        public init(userID: String, role: String, mustChangePassword: Bool, users: [UserInfo]) {
            (self.userID, self.role, self.mustChangePassword, self.users) = (userID, role, mustChangePassword, users)
        }
    }

    /// `totp.enroll`: the new secret (base32) and its otpauth URI, shown once.
    public struct SecondFactorSecret: ReplyPayload {
        public var secret: String
        public var uri: String

        public init(secret: String, uri: String) { (self.secret, self.uri) = (secret, uri) }
    }

    /// `totp.confirm`: single-use recovery codes, shown once; the session now has a second factor.
    public struct RecoveryCodes: ReplyPayload {
        public var recoveryCodes: [String]
        public var secondFactor: Bool

        public init(recoveryCodes: [String]) { (self.recoveryCodes, secondFactor) = (recoveryCodes, true) }
    }

    // MARK: - Administration

    /// Accounts: `user.list`, `user.show` (one), `user.find` (one), `availability.clinicians`.
    public struct Users: ReplyPayload {
        public var users: [UserInfo]

        public init(users: [UserInfo]) { self.users = users }
    }

    /// What an account change gives: `user.create`, `user.disable`, `user.enable`,
    /// `user.reset-password`, `user.reset-second-factor`. `approvals` (pending) instead of the
    /// password or code when the change waits for a second person.
    public struct AccountChange: ReplyPayload {
        public var userID: String?
        /// A one-time password (`user.create`, `user.reset-password`), shown once.
        public var password: String?
        /// `user.reset-second-factor`: the code the person enrols a new second factor with (7 days, once).
        public var enrolmentCode: String?
        public var approvals: [ApprovalInfo]?

        public init(userID: String?, password: String? = nil, enrolmentCode: String? = nil, approvals: [ApprovalInfo]? = nil) {
            (self.userID, self.password, self.enrolmentCode, self.approvals) = (userID, password, enrolmentCode, approvals)
        }
    }

    /// `careteam.list`: the care team's members (user ids).
    public struct CareTeam: ReplyPayload {
        public var members: [String]

        public init(members: [String]) { self.members = members }
    }

    /// `approval.list`: every pending approval.
    public struct Approvals: ReplyPayload {
        public var approvals: [ApprovalInfo]

        public init(approvals: [ApprovalInfo]) { self.approvals = approvals }
    }

    /// `approval.decide`: the decided approval and, when approved, what the request gives.
    public struct ApprovalDecision: ReplyPayload {
        public var approvals: [ApprovalInfo]
        public var userID: String?
        public var password: String?
        public var enrolmentCode: String?
        /// `gdpr.erase`, approved: what was erased and what was kept.
        public var erasureReceipt: ErasureReceipt?

        public init(approval: ApprovalInfo) { approvals = [approval] }
    }

    // MARK: - Conversations

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

    // MARK: - Records

    /// `record.read`: a page of a patient's record. Written and read by hand on the hot path
    /// (`ReplyEncoding`, `ReplyDecoding`).
    public struct RecordPage: ReplyPayload {
        public var recordEntries: [RecordEntryInfo]
        /// Where the next page starts (send it as `after`); absent on the last page.
        public var next: Int?
        /// Entries withheld from this reader, by basis.
        public var withheld: [String: Int]?
        /// On the first page: the record's amendment requests and answers.
        public var amendments: [AmendmentInfo]?

        public init(recordEntries: [RecordEntryInfo], next: Int?, withheld: [String: Int]?, amendments: [AmendmentInfo]? = nil) {
            (self.recordEntries, self.next, self.withheld, self.amendments) = (recordEntries, next, withheld, amendments)
        }
    }

    /// `record.write`: the entries written.
    public struct RecordEntries: ReplyPayload {
        public var recordEntries: [RecordEntryInfo]

        public init(recordEntries: [RecordEntryInfo]) { self.recordEntries = recordEntries }
    }

    /// `record.amend`, `record.amendments`, `record.amend.decide`, `record.amend.disagree`.
    public struct Amendments: ReplyPayload {
        public var amendments: [AmendmentInfo]

        public init(amendments: [AmendmentInfo]) { self.amendments = amendments }
    }

    /// `breakglass.open` (the access), `breakglass.list`, `breakglass.review`.
    public struct BreakGlassUses: ReplyPayload {
        public var breakGlassUses: [BreakGlassInfo]

        public init(breakGlassUses: [BreakGlassInfo]) { self.breakGlassUses = breakGlassUses }
    }

    // MARK: - Appointments

    /// `availability.add`, `availability.remove`, `availability.list`: a clinician's availability.
    public struct Availability: ReplyPayload {
        public var availability: [AvailabilityInfo]

        public init(availability: [AvailabilityInfo]) { self.availability = availability }
    }

    /// `appointment.slots`: free slots.
    public struct Slots: ReplyPayload {
        public var slots: [SlotInfo]

        public init(slots: [SlotInfo]) { self.slots = slots }
    }

    /// `appointment.list`: appointments, soonest first.
    public struct Appointments: ReplyPayload {
        public var appointments: [AppointmentInfo]

        public init(appointments: [AppointmentInfo]) { self.appointments = appointments }
    }

    /// `appointment.book`, `.reschedule`, `.cancel`, `.update`, `.show`.
    public struct Appointment: ReplyPayload {
        public var appointment: AppointmentInfo

        public init(appointment: AppointmentInfo) { self.appointment = appointment }
    }

    // MARK: - Consent and GDPR

    /// `consent.grant`, `consent.withdraw`, `consent.list`: the person's consent records, and
    /// what can be consented to with the texts in force.
    public struct Consents: ReplyPayload {
        public var consents: [ConsentInfo]
        public var consentPurposes: [ConsentPurposeInfo]

        public init(consents: [ConsentInfo], consentPurposes: [ConsentPurposeInfo]) {
            (self.consents, self.consentPurposes) = (consents, consentPurposes)
        }
    }

    /// `gdpr.export`: one page of the export.
    public struct Export: ReplyPayload {
        public var exportPage: ExportPage

        public init(exportPage: ExportPage) { self.exportPage = exportPage }
    }

    /// `gdpr.erase.request` (the one filed), `gdpr.requests`.
    public struct ErasureRequests: ReplyPayload {
        public var erasureRequests: [ErasureRequestInfo]

        public init(erasureRequests: [ErasureRequestInfo]) { self.erasureRequests = erasureRequests }
    }

    /// `gdpr.erase`: what was erased and kept, or, when it waits for a second person, `approvals`.
    public struct Erasure: ReplyPayload {
        public var erasureReceipt: ErasureReceipt?
        public var approvals: [ApprovalInfo]?

        public init(erasureReceipt: ErasureReceipt) { self.erasureReceipt = erasureReceipt }

        public init(waitingFor approval: ApprovalInfo) { approvals = [approval] }
    }

    /// `gdpr.hold.place`, `gdpr.hold.release`, `gdpr.holds`: legal holds.
    public struct LegalHolds: ReplyPayload {
        public var legalHolds: [LegalHoldInfo]

        public init(legalHolds: [LegalHoldInfo]) { self.legalHolds = legalHolds }
    }

    /// `gdpr.purge`: what the retention job removed.
    public struct Purge: ReplyPayload {
        public var purgeReceipt: PurgeReceipt

        public init(purgeReceipt: PurgeReceipt) { self.purgeReceipt = purgeReceipt }
    }

    // MARK: - Oversight

    /// `notification.list`, `notification.read`, `notification.settings`: the notifications,
    /// newest first, how many are unread, and the kinds turned off.
    public struct Notifications: ReplyPayload {
        public var notifications: [NotificationInfo]
        public var unreadNotifications: Int
        public var mutedKinds: [String]

        public init(notifications: [NotificationInfo], unreadNotifications: Int, mutedKinds: [String]) {
            (self.notifications, self.unreadNotifications, self.mutedKinds) = (notifications, unreadNotifications, mutedKinds)
        }
    }

    /// `notification.announce`: how many notifications were made (`unreadNotifications`).
    public struct Announced: ReplyPayload {
        public var unreadNotifications: Int

        public init(unreadNotifications: Int) { self.unreadNotifications = unreadNotifications }
    }

    /// The `notification` event.
    public struct Notification: ReplyPayload {
        public var notification: NotificationInfo

        public init(notification: NotificationInfo) { self.notification = notification }
    }

    /// `audit.proof`: the proof, as `auditctl verify-proof` reads it.
    public struct AuditProof: ReplyPayload {
        public var auditProof: String

        public init(auditProof: String) { self.auditProof = auditProof }
    }

    /// `security.signins`: failed sign-ins by account and source.
    public struct SignIns: ReplyPayload {
        public var signInReport: SignInReport

        public init(signInReport: SignInReport) { self.signInReport = signInReport }
    }

    /// `backup.status`: the newest backup and the schedule.
    public struct Backups: ReplyPayload {
        public var backupStatus: BackupStatus

        public init(backupStatus: BackupStatus) { self.backupStatus = backupStatus }
    }
}
