public import GRDB
public import WardProtocol

/// A request that waits for a second person (issue 16, item 8): granting a privileged role,
/// resetting a clinician's password or second factor, erasing someone who did not ask.
public struct ApprovalRecord: Codable, Hashable, Sendable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "approval"
    public var id: Int64?
    /// The request that waits: `user.create`, `user.reset-password`, `user.reset-second-factor`
    /// or `gdpr.erase`.
    public var action: RequestType
    /// Whose account it is about.
    public var subjectID: String
    public var requestedBy: String
    public var requestedAt: Int64
    public var status: Status
    public var decidedBy: String?
    public var decidedAt: Int64?

    public init(action: RequestType, subjectID: String, requestedBy: String, requestedAt: Int64) {
        self.action = action
        self.subjectID = subjectID
        self.requestedBy = requestedBy
        self.requestedAt = requestedAt
        status = .pending
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

extension RequestType: DatabaseValueConvertible {}

extension WardDatabase {
    /// Stores a pending approval, or returns the one already pending for the same action and person.
    public func addApproval(_ approval: ApprovalRecord) async throws -> ApprovalRecord {
        try await batches.write { db in
            if let pending = try ApprovalRecord.fetchOne(
                db, sql: "SELECT * FROM approval WHERE action = ? AND subjectID = ? AND status = 'pending'",
                arguments: [approval.action, approval.subjectID])
            {
                return pending
            }
            var record = approval
            try record.insert(db)
            return record
        }
    }

    public func approval(id: Int64) throws -> ApprovalRecord? {
        try pool.read { try ApprovalRecord.fetchOne($0, key: id) }
    }

    public func pendingApprovals() throws -> [ApprovalRecord] {
        try pool.read { try ApprovalRecord.filter(Column("status") == "pending").order(Column("id")).fetchAll($0) }
    }

    public func pendingApproval(action: RequestType, subjectID: String) throws -> ApprovalRecord? {
        try pool.read {
            try ApprovalRecord.filter(Column("status") == "pending" && Column("action") == action.rawValue && Column("subjectID") == subjectID)
                .fetchOne($0)
        }
    }

    /// Records the verdict on a pending approval; nil when it was no longer pending (someone
    /// else decided first), so that one approval runs once.
    public func decideApproval(id: Int64, approved: Bool, by userID: String, at time: Int64) async throws -> ApprovalRecord? {
        try await batches.write { db in
            try db.execute(
                sql: "UPDATE approval SET status = ?, decidedBy = ?, decidedAt = ? WHERE id = ? AND status = 'pending'",
                arguments: [approved ? "approved" : "rejected", userID, time, id])
            guard db.changesCount == 1 else { return nil }
            return try ApprovalRecord.fetchOne(db, key: id)
        }
    }

    /// How many active accounts with one of `roles` and a confirmed second factor, other than
    /// `excluding`, could approve: with none, there is no second person to ask.
    public func approvers(roles: [AccountRole], excluding userID: String) throws -> Int {
        try pool.read { db in
            try Int.fetchOne(
                db,
                sql: """
                    SELECT COUNT(*) FROM user JOIN totp ON totp.userID = user.id AND totp.confirmed
                    WHERE user.active AND user.id != ? AND user.role IN (\(roles.map { _ in "?" }.joined(separator: ",")))
                    """, arguments: StatementArguments([userID] + roles.map(\.rawValue))) ?? 0
        }
    }
}

extension ApprovalRecord {
    /// Waiting for the second person, or decided by them.
    public enum Status: String, Codable, Sendable, CaseIterable, DatabaseValueConvertible {
        case pending, approved, rejected
    }
}
