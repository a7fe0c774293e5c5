/// The requests of the protocol (docs/PROTOCOL.md), by their `type` on the wire. Each one either
/// touches no data (`hello`, `ping`) or names the policy action deciding it and the event type of
/// its audit entry; adding a request means adding a case here, and the server's dispatch does
/// not compile until it is handled. Clients name requests by these cases, never by hand.
public enum RequestType: String, CaseIterable, Codable, Sendable {
    case hello, ping, login, resume, logout, whoami
    case passwordChange = "password.change"
    case totpEnroll = "totp.enroll", totpConfirm = "totp.confirm"
    case userCreate = "user.create", userList = "user.list", userShow = "user.show"
    case userDisable = "user.disable", userEnable = "user.enable", userResetPassword = "user.reset-password"
    case userResetSecondFactor = "user.reset-second-factor"
    case careTeamAdd = "careteam.add", careTeamRemove = "careteam.remove", careTeamList = "careteam.list"
    case deviceRegister = "device.register", identityBackup = "identity.backup", keysBackup = "keys.backup", keysGet = "keys.get", keysDistribute =
        "keys.distribute", keysFetch = "keys.fetch"
    case roomCreate = "room.create", roomInvite = "room.invite", roomJoin = "room.join", roomLeave = "room.leave"
    case roomRemove = "room.remove", roomList = "room.list", roomMembers = "room.members", userFind = "user.find"
    case messageSend = "message.send", messageHistory = "message.history", receipt = "receipt", presenceSet = "presence.set"
    case consentGrant = "consent.grant", consentWithdraw = "consent.withdraw", consentList = "consent.list"
    case gdprExport = "gdpr.export"
    case gdprEraseRequest = "gdpr.erase.request", gdprRequests = "gdpr.requests", gdprErase = "gdpr.erase"
    case gdprHoldPlace = "gdpr.hold.place", gdprHoldRelease = "gdpr.hold.release", gdprHolds = "gdpr.holds"
    case gdprPurge = "gdpr.purge"
    case availabilityAdd = "availability.add", availabilityRemove = "availability.remove", availabilityList = "availability.list"
    case availabilityClinicians = "availability.clinicians"
    case appointmentSlots = "appointment.slots", appointmentBook = "appointment.book", appointmentReschedule = "appointment.reschedule"
    case appointmentCancel = "appointment.cancel", appointmentUpdate = "appointment.update", appointmentList = "appointment.list"
    case appointmentShow = "appointment.show"
    case notificationList = "notification.list", notificationRead = "notification.read", notificationSettings = "notification.settings"
    case notificationAnnounce = "notification.announce"
    case recordRead = "record.read", recordWrite = "record.write"
    case recordAmend = "record.amend", recordAmendments = "record.amendments", recordAmendDecide = "record.amend.decide"
    case recordAmendDisagree = "record.amend.disagree"
    case breakGlassOpen = "breakglass.open", breakGlassList = "breakglass.list", breakGlassReview = "breakglass.review"
    case auditProof = "audit.proof"
    case securitySignIns = "security.signins"
    case backupStatus = "backup.status"
    case approvalList = "approval.list", approvalDecide = "approval.decide"

    /// The event type of its audit entry; nil for protocol-level requests that touch no data.
    public var auditEvent: String? {
        switch self {
        case .hello, .ping: return nil
        case .login: return "auth.login"
        case .resume: return "auth.resume"
        case .logout: return "auth.logout"
        case .whoami: return "account.read"
        case .passwordChange: return "account.password"
        case .totpEnroll, .totpConfirm: return rawValue
        default: return rawValue
        }
    }

    /// Writes that can wait while the disk is nearly full (`StorageWatch`): what they store is
    /// new. Sign-in, reading, emergency access, consent withdrawal, erasure and retention are not
    /// among them: they keep working on the room the watermark keeps.
    public var deferrableWrite: Bool {
        switch self {
        case .userCreate, .deviceRegister, .identityBackup, .keysBackup, .keysDistribute, .roomCreate, .roomInvite, .roomJoin, .messageSend,
            .consentGrant, .gdprEraseRequest,
            .gdprHoldPlace, .availabilityAdd, .appointmentBook, .appointmentReschedule, .notificationAnnounce, .recordWrite, .recordAmend,
            .recordAmendDecide, .recordAmendDisagree:
            return true
        default:
            return false
        }
    }

    /// The policy action deciding it; nil for protocol-level requests that touch no data.
    public var action: PolicyAction? {
        switch self {
        case .hello, .ping: return nil
        case .login, .resume: return .sessionLogin
        case .logout: return .sessionLogout
        case .whoami: return .accountRead
        case .passwordChange: return .accountPassword
        case .totpEnroll, .totpConfirm: return .accountMFA
        case .userCreate, .userList, .userShow, .userDisable, .userEnable, .userResetPassword, .userResetSecondFactor: return .userManage
        case .careTeamAdd, .careTeamRemove, .careTeamList: return .careTeamManage
        case .deviceRegister, .identityBackup, .keysBackup: return .deviceRegister
        case .keysGet, .keysFetch, .roomMembers, .messageHistory, .receipt: return .messageRead
        case .keysDistribute, .messageSend: return .messageSend
        case .roomCreate: return .roomCreate
        case .roomInvite, .roomRemove: return .roomInvite
        case .roomJoin: return .roomJoin
        case .roomLeave: return .roomLeave
        case .roomList: return .accountRead
        case .userFind: return .directoryFind
        case .presenceSet: return .accountPresence
        case .consentGrant, .consentWithdraw, .consentList: return .consentManage
        case .gdprExport: return .gdprExport
        case .gdprEraseRequest: return .gdprEraseRequest
        case .gdprRequests: return .gdprRequests
        case .gdprErase: return .gdprErase
        case .gdprHoldPlace, .gdprHoldRelease, .gdprHolds: return .gdprHold
        case .gdprPurge: return .gdprRetention
        case .availabilityAdd, .availabilityRemove: return .availabilityManage
        case .availabilityList, .availabilityClinicians, .appointmentSlots: return .availabilityRead
        case .appointmentBook, .appointmentReschedule: return .appointmentBook
        case .appointmentCancel: return .appointmentCancel
        case .appointmentUpdate: return .appointmentManage
        case .appointmentList, .appointmentShow: return .appointmentRead
        case .notificationList, .notificationRead, .notificationSettings: return .notificationRead
        case .notificationAnnounce: return .notificationAnnounce
        case .recordRead, .breakGlassOpen: return .recordRead
        case .recordWrite, .recordAmendDecide: return .recordUpdate
        case .recordAmend, .recordAmendDisagree: return .recordAmend
        case .recordAmendments: return .recordRead
        case .breakGlassList, .breakGlassReview: return .breakGlassReview
        case .auditProof: return .auditProof
        case .securitySignIns: return .securitySignIns
        case .backupStatus: return .backupStatus
        case .approvalList, .approvalDecide: return .approvalDecide
        }
    }
}
