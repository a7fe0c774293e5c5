public import GRDB
public import WardProtocol

/// A notification for one person: due at `dueAt`, delivered (pushed to their connections, or
/// kept for their next sign-in) when the scheduler stamps `firedAt` — once, in the transaction
/// that picks it — and read when they say so. Texts are written for privacy by default (GDPR
/// Art. 25): they say that something happened, never what a message says or why a visit is.
public struct NotificationRecord: Codable, Hashable, Sendable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "notification"
    public var id: Int64?
    public var userID: String
    public var kind: NotificationKind
    public var text: String
    /// What it is about: a room id, an appointment id.
    public var refID: String?
    public var createdAt: Int64
    public var dueAt: Int64
    public var firedAt: Int64?
    public var readAt: Int64?
    /// Urgent messages: when to alert again while unread.
    public var alertAgainAt: Int64?

    public init(userID: String, kind: NotificationKind, text: String, refID: String?, createdAt: Int64, dueAt: Int64, alertAgainAt: Int64? = nil) {
        self.userID = userID
        self.kind = kind
        self.text = text
        self.refID = refID
        self.createdAt = createdAt
        self.dueAt = dueAt
        self.alertAgainAt = alertAgainAt
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

extension NotificationKind: DatabaseValueConvertible {}

extension WardDatabase {
    /// The person's delivered notifications, newest first (unread only, or all).
    public func notifications(userID: String, unreadOnly: Bool, limit: Int = 200) throws -> [NotificationRecord] {
        try pool.read { db in
            try NotificationRecord.fetchAll(
                db,
                sql: """
                    SELECT * FROM notification WHERE userID = ? AND firedAt IS NOT NULL AND (? = 0 OR readAt IS NULL)
                    ORDER BY firedAt DESC, id DESC LIMIT ?
                    """, arguments: [userID, unreadOnly, limit])
        }
    }

    public func unreadNotificationCount(userID: String) throws -> Int {
        try pool.read { db in
            try Int.fetchOne(
                db, sql: "SELECT COUNT(*) FROM notification WHERE userID = ? AND firedAt IS NOT NULL AND readAt IS NULL",
                arguments: [userID]) ?? 0
        }
    }

    // MARK: Preferences

    /// The kinds the person turned off.
    public func mutedNotificationKinds(userID: String) throws -> Set<NotificationKind> {
        try pool.read { db in
            Set(try NotificationKind.fetchAll(db, sql: "SELECT kind FROM notificationMute WHERE userID = ?", arguments: [userID]))
        }
    }
}

extension StoreTransaction {
    /// Adds notifications (due now or later).
    public func addNotifications(_ notifications: [NotificationRecord]) throws {
        for notification in notifications {
            var record = notification
            try record.insert(db)
        }
    }

    /// A message alert for each of `userIDs`, unless they already have an unread one for the room
    /// or turned message alerts off.
    public func addMessageAlerts(userIDs: [String], roomID: String, text: String, at time: Int64) throws {
        for userID in userIDs {
            try db.executeCached(
                """
                INSERT INTO notification (userID, kind, text, refID, createdAt, dueAt)
                SELECT ?1, 'message', ?2, ?3, ?4, ?4
                WHERE NOT EXISTS (SELECT 1 FROM notification WHERE userID = ?1 AND kind = 'message' AND refID = ?3 AND readAt IS NULL)
                  AND NOT EXISTS (SELECT 1 FROM notificationMute WHERE userID = ?1 AND kind = 'message')
                """, [userID, text, roomID, time])
        }
    }

    /// Takes up to `limit` notifications due by `now` that were never delivered, stamping them
    /// delivered in the same transaction: each is returned once, however often this runs and
    /// whatever restarts happen between.
    public func takeDue(now: Int64, limit: Int) throws -> [NotificationRecord] {
        let due = try NotificationRecord.fetchAll(
            db,
            sql: """
                SELECT * FROM notification WHERE firedAt IS NULL AND dueAt <= ? ORDER BY dueAt, id LIMIT ?
                """, arguments: [now, limit])
        guard !due.isEmpty else { return [] }
        try db.execute(
            sql: "UPDATE notification SET firedAt = ? WHERE id IN (\(due.map { _ in "?" }.joined(separator: ",")))",
            arguments: StatementArguments([now] + due.compactMap(\.id)))
        return due.map {
            var fired = $0; fired.firedAt = now; return fired
        }
    }

    /// Urgent alerts still unread whose next alert is due: pushes them again after `interval`.
    public func takeRealerts(now: Int64, interval: Int64, limit: Int) throws -> [NotificationRecord] {
        let due = try NotificationRecord.fetchAll(
            db,
            sql: """
                SELECT * FROM notification WHERE kind = 'urgent' AND readAt IS NULL AND firedAt IS NOT NULL AND alertAgainAt <= ?
                ORDER BY alertAgainAt LIMIT ?
                """, arguments: [now, limit])
        for notification in due {
            try db.execute(sql: "UPDATE notification SET alertAgainAt = ? WHERE id = ?", arguments: [now + interval, notification.id])
        }
        return due
    }

    /// Marks one (or, with nil, every) delivered notification of the person read; returns how many.
    public func markNotificationsRead(userID: String, id: Int64?, at time: Int64) throws -> Int {
        if let id {
            try db.execute(
                sql: "UPDATE notification SET readAt = ? WHERE userID = ? AND id = ? AND readAt IS NULL AND firedAt IS NOT NULL",
                arguments: [time, userID, id])
        } else {
            try db.execute(
                sql: "UPDATE notification SET readAt = ? WHERE userID = ? AND readAt IS NULL AND firedAt IS NOT NULL",
                arguments: [time, userID])
        }
        return db.changesCount
    }

    /// Reading a room up to its newest message reads its message and urgent alerts.
    public func markRoomAlertsRead(userID: String, roomID: String, readUpTo seq: Int, at time: Int64) throws {
        guard let room = try RoomRecord.fetchOne(db, key: roomID), seq >= room.lastSeq else { return }
        try db.executeCached(
            """
            UPDATE notification SET readAt = ? WHERE userID = ? AND refID = ? AND kind IN ('message', 'urgent') AND readAt IS NULL
            """, [time, userID, roomID])
    }

    /// Replaces the reminders not yet delivered for `refID` (an appointment moved or cancelled).
    public func replaceReminders(refID: String, with reminders: [NotificationRecord]) throws {
        try db.execute(sql: "DELETE FROM notification WHERE refID = ? AND kind = 'reminder' AND firedAt IS NULL", arguments: [refID])
        try addNotifications(reminders)
    }

    public func setNotificationKind(userID: String, kind: NotificationKind, enabled: Bool) throws {
        if enabled {
            try db.execute(sql: "DELETE FROM notificationMute WHERE userID = ? AND kind = ?", arguments: [userID, kind])
        } else {
            try db.execute(sql: "INSERT OR IGNORE INTO notificationMute (userID, kind) VALUES (?, ?)", arguments: [userID, kind])
        }
    }
}
