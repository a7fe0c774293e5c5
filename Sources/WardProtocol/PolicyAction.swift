/// The actions the policies decide (policies/README.md, "Actions"): one name for each, shared
/// by the request table (`RequestType.action`), the server's entity model (each action's group
/// is its parent entity) and the policies' tests, which refuse a name not here.
public enum PolicyAction: String, CaseIterable, Sendable {
    // Groups: a policy may name one to cover every action in it.
    case clinical, messaging, administration, privacy, account, scheduling
    // clinical
    case recordRead = "record.read", recordUpdate = "record.update", recordNote = "record.note", recordShare = "record.share"
    case recordReadWithheld = "record.read.withheld", recordAmend = "record.amend", appointmentReason = "appointment.reason"
    // messaging
    case messageSend = "message.send", messageRead = "message.read", roomJoin = "room.join", roomCreate = "room.create"
    case roomInvite = "room.invite", directoryFind = "directory.find"
    // administration
    case userManage = "user.manage", careTeamManage = "careteam.manage", securitySignIns = "security.signins"
    case backupStatus = "backup.status", notificationAnnounce = "notification.announce"
    // privacy
    case gdprExport = "gdpr.export", gdprErase = "gdpr.erase", gdprEraseRequest = "gdpr.erase.request", gdprRequests = "gdpr.requests"
    case gdprHold = "gdpr.hold", gdprRetention = "gdpr.retention", breakGlassReview = "breakglass.review", auditProof = "audit.proof"
    // account
    case accountRead = "account.read", accountPassword = "account.password", accountMFA = "account.mfa", deviceRegister = "device.register"
    case accountPresence = "account.presence", consentManage = "consent.manage", notificationRead = "notification.read"
    // scheduling
    case availabilityManage = "availability.manage", availabilityRead = "availability.read", appointmentBook = "appointment.book"
    case appointmentCancel = "appointment.cancel", appointmentManage = "appointment.manage", appointmentRead = "appointment.read"
    // In no group: leaving a room; signing in and out; approvals (Admins and privacy officers both approve).
    case roomLeave = "room.leave", sessionLogin = "session.login", sessionLogout = "session.logout", approvalDecide = "approval.decide"

    /// The group it belongs to (its parent in the policies' entity hierarchy); nil for a group
    /// and for the actions in none.
    public var group: PolicyAction? {
        switch self {
        case .clinical, .messaging, .administration, .privacy, .account, .scheduling: return nil
        case .roomLeave, .sessionLogin, .sessionLogout, .approvalDecide: return nil
        case .recordRead, .recordUpdate, .recordNote, .recordShare, .recordReadWithheld, .recordAmend, .appointmentReason: return .clinical
        case .messageSend, .messageRead, .roomJoin, .roomCreate, .roomInvite, .directoryFind: return .messaging
        case .userManage, .careTeamManage, .securitySignIns, .backupStatus, .notificationAnnounce: return .administration
        case .gdprExport, .gdprErase, .gdprEraseRequest, .gdprRequests, .gdprHold, .gdprRetention, .breakGlassReview, .auditProof: return .privacy
        case .accountRead, .accountPassword, .accountMFA, .deviceRegister, .accountPresence, .consentManage, .notificationRead: return .account
        case .availabilityManage, .availabilityRead, .appointmentBook, .appointmentCancel, .appointmentManage, .appointmentRead: return .scheduling
        }
    }
}
