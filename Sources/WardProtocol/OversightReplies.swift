extension Reply {
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
