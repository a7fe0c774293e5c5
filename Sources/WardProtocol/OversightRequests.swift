/// The payloads of what the clinic's officers and Admins ask (docs/PROTOCOL.md): notifications
/// and announcements, audit proofs, failed sign-ins, second-person approvals.

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
