public import GRDB
public import Foundation

/// An erasure request (GDPR Art. 17): who asked for whom and when, the one-month deadline, and
/// once executed the receipt. Kept after the erasure as proof that it was done (Art. 5(2)).
public struct ErasureRequestRecord: Codable, Hashable, Sendable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "erasureRequest"
    public var id: Int64?
    public var userID: String
    public var requestedBy: String
    public var requestedAt: Int64
    public var dueAt: Int64
    public var status: Status
    public var completedAt: Int64?
    public var completedBy: String?
    /// The receipt's JSON.
    public var receipt: Data?
    /// The commitment (hex) to the note the person wrote with the request; the text is kept in
    /// the audit log's erasable store and erased with the person.
    public var noteCommitment: String?

    public init(userID: String, requestedBy: String, requestedAt: Int64, dueAt: Int64) {
        self.userID = userID
        self.requestedBy = requestedBy
        self.requestedAt = requestedAt
        self.dueAt = dueAt
        status = .open
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

/// A legal hold on a person or a room; released holds stay as history.
public struct LegalHoldRecord: Codable, Hashable, Sendable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "legalHold"
    public var id: Int64?
    public var userID: String?
    public var roomID: String?
    public var reference: String
    public var placedBy: String
    public var placedAt: Int64
    public var releasedAt: Int64?
    public var releasedBy: String?

    public init(userID: String?, roomID: String?, reference: String, placedBy: String, placedAt: Int64) {
        self.userID = userID
        self.roomID = roomID
        self.reference = reference
        self.placedBy = placedBy
        self.placedAt = placedAt
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

extension WardDatabase {
    // MARK: Requests

    /// Requests, pending ones first by deadline, then done ones newest first.
    public func erasureRequests(includeDone: Bool) throws -> [ErasureRequestRecord] {
        try pool.read { db in
            try ErasureRequestRecord.fetchAll(
                db,
                sql: """
                    SELECT * FROM erasureRequest WHERE ? OR status != 'done'
                    ORDER BY status = 'done', CASE WHEN status = 'done' THEN -completedAt ELSE dueAt END, id
                    """, arguments: [includeDone])
        }
    }

    /// The requests about one person, oldest first.
    public func erasureRequests(userID: String) throws -> [ErasureRequestRecord] {
        try pool.read { try ErasureRequestRecord.filter(Column("userID") == userID).order(Column("id")).fetchAll($0) }
    }

    // MARK: Holds

    /// Holds standing now (or every hold ever placed).
    public func legalHolds(includeReleased: Bool = false) throws -> [LegalHoldRecord] {
        try pool.read { db in
            try LegalHoldRecord.fetchAll(db, sql: "SELECT * FROM legalHold WHERE ? OR releasedAt IS NULL ORDER BY id", arguments: [includeReleased])
        }
    }

    // MARK: Erasing a person

    /// What `eraseAccount` did, by table.
    public struct AccountErasure: Sendable {
        /// Rows deleted per table.
        public var deleted: [String: Int] = [:]
        /// Rows overwritten per table.
        public var pseudonymised: [String: Int] = [:]
        /// Rows deleted whose sealed content was unreadable already (its key destroyed), per table.
        public var shredded: [String: Int] = [:]
        /// Rows kept per table (held back, or kept by the registry).
        public var kept: [String: Int] = [:]
        /// The rooms the person was removed from, with their new epoch and remaining members.
        public var leftRooms: [(roomID: String, epoch: Int, members: [String])] = []
    }

    /// Copies the write-ahead log into the database and truncates it to zero bytes, so pages
    /// holding erased content do not linger in the WAL file. Retries while readers keep old
    /// pages in use (a few seconds at most); returns whether the WAL was emptied.
    public func truncateWriteAheadLog() async -> Bool {
        let pool = self.pool
        return await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                var emptied = false
                for attempt in 0..<50 where !emptied {
                    if attempt > 0 { Thread.sleep(forTimeInterval: 0.1) }
                    let busy = try? pool.writeWithoutTransaction { db in
                        try Int.fetchOne(db, sql: "PRAGMA wal_checkpoint(TRUNCATE)")
                    }
                    emptied = busy == 0
                }
                continuation.resume(returning: emptied)
            }
        }
    }
}

extension StoreTransaction {
    /// Files a request, or returns the one already pending for the person (one at a time).
    public func fileErasureRequest(_ request: ErasureRequestRecord) throws -> ErasureRequestRecord {
        if let pending = try ErasureRequestRecord.fetchOne(
            db, sql: "SELECT * FROM erasureRequest WHERE userID = ? AND status != 'done'",
            arguments: [request.userID])
        {
            return pending
        }
        var record = request
        try record.insert(db)
        return record
    }

    public func updateErasureRequest(_ request: ErasureRequestRecord) throws {
        try request.update(db)
    }

    public func placeHold(_ hold: LegalHoldRecord) throws -> LegalHoldRecord {
        var record = hold
        try record.insert(db)
        return record
    }

    /// Releases a standing hold; nil when there is no standing hold with that id.
    public func releaseHold(id: Int64, by userID: String, at time: Int64) throws -> LegalHoldRecord? {
        guard var hold = try LegalHoldRecord.fetchOne(db, key: id), hold.releasedAt == nil else { return nil }
        hold.releasedAt = time
        hold.releasedBy = userID
        try hold.update(db)
        return hold
    }

    /// Deletes up to `limit` of the messages `senderID` wrote, outside `keptRooms`; returns how
    /// many. Called until it returns 0, each call its own write, so other writers go in between.
    public func deleteMessages(sentBy senderID: String, outside keptRooms: Set<String>, limit: Int) throws -> Int {
        let kept = Array(keptRooms)
        let placeholders = kept.isEmpty ? "" : " AND roomID NOT IN (" + kept.map { _ in "?" }.joined(separator: ",") + ")"
        var arguments: [any DatabaseValueConvertible] = [senderID]
        arguments += kept as [any DatabaseValueConvertible]
        arguments.append(limit)
        try db.execute(
            sql: """
                DELETE FROM message WHERE rowid IN (SELECT rowid FROM message WHERE senderID = ?\(placeholders) LIMIT ?)
                """, arguments: StatementArguments(arguments))
        return db.changesCount
    }

    /// Erases everything of the account the registry lets erase, in one transaction: ends its
    /// sessions, removes it from every room (the rooms re-key), deletes its devices, the keys it
    /// made outside `keptRooms`, its second factor, recovery codes and care-team links; renames
    /// the conversations that were named after the person; overwrites its username, name and
    /// password hash, leaving the opaque id and the role the audit log's documentation needs.
    /// Consent records and erasure requests are kept (proof of consent and of erasure).
    public func eraseAccount(userID: String, pseudonym: String, keptRooms: Set<String>) throws -> WardDatabase.AccountErasure {
        var result = WardDatabase.AccountErasure()
        guard let user = try UserRecord.fetchOne(db, key: userID) else { return result }
        // Rooms are shared: their names, which people choose, may name the person. Direct and
        // care conversations are named after their people by the clients; other names are
        // checked for the person's name and username.
        try db.execute(
            sql: """
                UPDATE room SET name = CASE kind WHEN 'care' THEN 'Care conversation' ELSE 'Conversation' END || ' (name erased)'
                WHERE patientID = ?1
                   OR (direct AND (createdBy = ?1 OR id IN (SELECT roomID FROM roomMember WHERE userID = ?1)))
                   OR instr(lower(name), lower(?2)) > 0 OR instr(lower(name), lower(?3)) > 0
                """, arguments: [userID, user.displayName, user.username])
        result.pseudonymised["room"] = db.changesCount
        for roomID in try String.fetchAll(db, sql: "SELECT roomID FROM roomMember WHERE userID = ? ORDER BY roomID", arguments: [userID]) {
            let room = try removeMember(roomID: roomID, userID: userID)
            result.leftRooms.append((roomID, room.epoch, try memberIDs(roomID: roomID)))
        }
        result.deleted["roomMember"] = result.leftRooms.count
        try db.execute(sql: "DELETE FROM roomRemoval WHERE userID = ?", arguments: [userID])
        result.deleted["roomRemoval"] = db.changesCount
        let devices = try String.fetchAll(db, sql: "SELECT id FROM device WHERE userID = ?", arguments: [userID])

        let kept = Array(keptRooms)
        let keptClause = kept.isEmpty ? "" : " AND roomID NOT IN (" + kept.map { _ in "?" }.joined(separator: ",") + ")"
        if !devices.isEmpty {
            let deviceList = devices.map { _ in "?" }.joined(separator: ",")
            try db.execute(
                sql: "DELETE FROM senderKey WHERE senderDevice IN (\(deviceList))\(keptClause)",
                arguments: StatementArguments(devices + kept))
            result.deleted["senderKey"] = db.changesCount
            result.kept["senderKey"] =
                try Int.fetchOne(
                    db, sql: "SELECT COUNT(*) FROM senderKey WHERE senderDevice IN (\(deviceList))",
                    arguments: StatementArguments(devices)) ?? 0
            result.deleted["keyBox"] =
                try Int.fetchOne(
                    db, sql: "SELECT COUNT(*) FROM keyBox WHERE deviceID IN (\(deviceList))",
                    arguments: StatementArguments(devices)) ?? 0
        }
        for (table, column) in [
            ("device", "userID"), ("session", "userID"), ("totp", "userID"), ("recoveryCode", "userID"),
            ("enrolmentCode", "userID"), ("approval", "subjectID"), ("notification", "userID"), ("notificationMute", "userID")
        ] {
            try db.execute(sql: "DELETE FROM \(table) WHERE \(column) = ?", arguments: [userID])
            result.deleted[table] = db.changesCount
        }
        try db.execute(sql: "DELETE FROM careTeamMember WHERE patientID = ?1 OR clinicianID = ?1", arguments: [userID])
        result.deleted["careTeamMember"] = db.changesCount
        try db.execute(sql: "DELETE FROM availability WHERE clinicianID = ?", arguments: [userID])
        result.deleted["availability"] = db.changesCount
        // Appointments: the reasons were sealed under the person's data key, destroyed before this
        // transaction. Completed visits stay (without a readable reason) as part of the medical
        // record; every other appointment of the patient goes, which frees its slot.
        try db.execute(sql: "DELETE FROM appointment WHERE patientID = ? AND status != 'completed'", arguments: [userID])
        result.shredded["appointment"] = db.changesCount
        result.kept["appointment"] = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM appointment WHERE patientID = ?", arguments: [userID]) ?? 0

        // Released holds on the person are history; their reference may name the person.
        try db.execute(
            sql: "UPDATE legalHold SET reference = 'erased with the person' WHERE userID = ? AND releasedAt IS NOT NULL",
            arguments: [userID])
        result.pseudonymised["legalHold"] = db.changesCount

        try db.execute(
            sql: """
                UPDATE user SET username = ?, displayName = 'Erased account', passwordHash = '', mustChangePassword = 0, active = 0, failedLogins = 0
                WHERE id = ?
                """, arguments: [pseudonym, userID])
        result.pseudonymised["user"] = db.changesCount
        result.kept["message"] = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM message WHERE senderID = ?", arguments: [userID]) ?? 0
        result.kept["consent"] = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM consent WHERE userID = ?", arguments: [userID]) ?? 0
        result.kept["erasureRequest"] = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM erasureRequest WHERE userID = ?", arguments: [userID]) ?? 0
        result.kept["legalHold"] = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM legalHold WHERE userID = ?", arguments: [userID]) ?? 0
        result.kept["recordEntry"] = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM recordEntry WHERE patientID = ?", arguments: [userID]) ?? 0
        result.kept["recordAmendment"] =
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM recordAmendment WHERE patientID = ?", arguments: [userID]) ?? 0
        result.kept["breakGlass"] =
            try Int.fetchOne(
                db, sql: "SELECT COUNT(*) FROM breakGlass WHERE patientID = ?1 OR clinicianID = ?1",
                arguments: [userID]) ?? 0
        return result
    }
}

extension ErasureRequestRecord {
    /// `open`, `erasing` (started; running the erasure again finishes it), `done`.
    public enum Status: String, Codable, Sendable, CaseIterable, DatabaseValueConvertible {
        case open, erasing, done
    }
}
