public import GRDB

/// One consent as given: which purpose, which version of its text, when and how; withdrawing
/// stamps `withdrawnAt` and keeps the record, so the history of consent stays provable.
public struct ConsentRecord: Codable, Hashable, Sendable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "consent"
    public var id: Int64?
    public var userID: String
    public var purpose: String
    public var version: String
    public var givenAt: Int64
    public var method: Method
    public var withdrawnAt: Int64?

    /// How a consent was given.
    public enum Method: String, Codable, Sendable, CaseIterable, DatabaseValueConvertible {
        /// By the person, in their own session.
        case client
        /// Recorded by staff on the person's behalf.
        case staff
    }

    public init(userID: String, purpose: String, version: String, givenAt: Int64, method: Method) {
        self.userID = userID
        self.purpose = purpose
        self.version = version
        self.givenAt = givenAt
        self.method = method
    }
}

extension WardDatabase {
    /// The purposes `userID` consents to now.
    public func activeConsents(userID: String) throws -> Set<String> {
        try pool.read { db in
            Set(try String.fetchAll(db, cached: "SELECT purpose FROM consent WHERE userID = ? AND withdrawnAt IS NULL", [userID]))
        }
    }

    /// Every consent record of `userID`, oldest first.
    public func consents(userID: String) throws -> [ConsentRecord] {
        try pool.read { try ConsentRecord.filter(Column("userID") == userID).order(Column("id")).fetchAll($0) }
    }
}

extension StoreTransaction {
    /// Grants: withdraws any active consent to the same purpose (an older version) and records the new one.
    public func grantConsent(_ consent: ConsentRecord) throws {
        try db.execute(
            sql: "UPDATE consent SET withdrawnAt = ? WHERE userID = ? AND purpose = ? AND withdrawnAt IS NULL",
            arguments: [consent.givenAt, consent.userID, consent.purpose])
        try consent.insert(db)
    }

    /// Withdraws; returns whether there was an active consent to withdraw.
    public func withdrawConsent(userID: String, purpose: String, at time: Int64) throws -> Bool {
        try db.execute(
            sql: "UPDATE consent SET withdrawnAt = ? WHERE userID = ? AND purpose = ? AND withdrawnAt IS NULL",
            arguments: [time, userID, purpose])
        return db.changesCount > 0
    }
}
