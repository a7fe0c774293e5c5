extension Reply {
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
}
