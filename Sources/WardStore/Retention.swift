import GRDB
import Foundation

/// One kind of data the retention job removes once it has been kept long enough: which rows are
/// expired (a condition on the table, with its arguments) and which column names a row.
public struct RetentionRule: Sendable {
    public var table: String
    public var keyColumn: String
    /// SQL condition selecting the expired rows that no legal hold keeps.
    public var expired: String
    public var arguments: [String]
    /// The cut-off time the condition uses, for the receipt (seconds since 1970).
    public var cutoff: Int64

    /// The rules for the registry's kinds that expire. Rows about held people, and messages in
    /// held rooms, are never selected.
    public static func standard(now: Int64, periods: RetentionPeriods, heldUsers: [String], heldRooms: [String]) -> [RetentionRule] {
        let users = heldUsers.map { _ in "?" }.joined(separator: ",")
        let rooms = heldRooms.map { _ in "?" }.joined(separator: ",")
        func notHeld(_ column: String) -> String { heldUsers.isEmpty ? "" : " AND \(column) NOT IN (\(users))" }
        let idle = now - periods.sessionIdleSeconds, lifetime = now - periods.sessionLifetimeSeconds
        let messages = now - periods.messageDays * 86_400
        let sixYears = now - periods.recordsDays * 86_400
        let readNotifications = now - periods.readNotificationDays * 86_400
        return [
            RetentionRule(
                table: "session", keyColumn: "tokenHash", expired: "(lastSeenAt < ? OR createdAt < ?)" + notHeld("userID"),
                arguments: ["\(idle)", "\(lifetime)"] + heldUsers, cutoff: idle),
            RetentionRule(
                table: "message", keyColumn: "id",
                expired: "sentAt < ?" + notHeld("senderID") + (heldRooms.isEmpty ? "" : " AND roomID NOT IN (\(rooms))"),
                arguments: ["\(messages * 1000)"] + heldUsers + heldRooms, cutoff: messages),
            RetentionRule(
                table: "consent", keyColumn: "id", expired: "withdrawnAt < ?" + notHeld("userID"),
                arguments: ["\(sixYears)"] + heldUsers, cutoff: sixYears),
            RetentionRule(
                table: "erasureRequest", keyColumn: "id", expired: "status = 'done' AND completedAt < ?" + notHeld("userID"),
                arguments: ["\(sixYears)"] + heldUsers, cutoff: sixYears),
            RetentionRule(table: "legalHold", keyColumn: "id", expired: "releasedAt < ?", arguments: ["\(sixYears)"], cutoff: sixYears),
            RetentionRule(
                table: "notification", keyColumn: "id", expired: "readAt < ?" + notHeld("userID"),
                arguments: ["\(readNotifications)"] + heldUsers, cutoff: readNotifications)
        ]
    }
}

/// How long data is kept (the registry's retention column, in numbers).
public struct RetentionPeriods: Sendable {
    /// Messages: the clinic's messaging retention (ten years unless configured).
    public var messageDays: Int64 = 3650
    /// Proof kept six years (HIPAA 164.316(b)(2), 164.530(j)): withdrawn consents, executed
    /// erasure requests, released holds.
    public var recordsDays: Int64 = 6 * 365 + 2
    /// Notifications, once read.
    public var readNotificationDays: Int64 = 90
    /// Sessions past their limits.
    public var sessionIdleSeconds: Int64 = 15 * 60
    public var sessionLifetimeSeconds: Int64 = 12 * 3600

    public init() {}
}

extension WardDatabase {
    /// How many rows `rule` still selects (after a purge: 0, or the purge failed).
    public func countExpired(_ rule: RetentionRule) throws -> Int {
        try pool.read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \(rule.table) WHERE \(rule.expired)", arguments: StatementArguments(rule.arguments)) ?? 0
        }
    }
}

extension StoreTransaction {
    /// Up to `limit` keys of the rows `rule` selects, smallest first.
    public func expiredKeys(_ rule: RetentionRule, limit: Int) throws -> [String] {
        try String.fetchAll(
            db, sql: "SELECT CAST(\(rule.keyColumn) AS TEXT) FROM \(rule.table) WHERE \(rule.expired) ORDER BY \(rule.keyColumn) LIMIT \(limit)",
            arguments: StatementArguments(rule.arguments))
    }

    /// Deletes the rows of `rule.table` with these keys; returns how many went.
    public func deleteRows(_ rule: RetentionRule, keys: [String]) throws -> Int {
        guard !keys.isEmpty else { return 0 }
        try db.execute(
            sql: "DELETE FROM \(rule.table) WHERE \(rule.keyColumn) IN (\(keys.map { _ in "?" }.joined(separator: ",")))",
            arguments: StatementArguments(keys))
        return db.changesCount
    }
}
