public import GRDB
public import Foundation

/// The server's database: SQLite through GRDB, in WAL mode with synchronous=FULL (a committed
/// change survives power loss), schema changed only by the named migrations below.
public final class WardDatabase: Sendable {
    public let pool: DatabasePool
    /// Group commit for the busy writes (messages, receipts, key distributions).
    let batches: BatchWriter

    /// Opens (creating, mode 0600) and migrates the database at `path`.
    public init(path: String) throws {
        let existed = FileManager.default.fileExists(atPath: path)
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        // Another process (wardctl, a backup) may hold a lock for a moment.
        configuration.busyMode = .timeout(5)
        // Deleted and overwritten content is zeroed in the file, not left in free space: what
        // erasure removes must not be readable from the database file afterwards.
        configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA secure_delete = ON") }
        pool = try DatabasePool(path: path, configuration: configuration)
        // DatabasePool sets synchronous=NORMAL on its writer; Ward wants FULL.
        try pool.writeWithoutTransaction { try $0.execute(sql: "PRAGMA synchronous = FULL") }
        if !existed {
            for file in [path, path + "-wal", path + "-shm"] where FileManager.default.fileExists(atPath: file) {
                try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: file)
            }
        }
        try Self.migrator.migrate(pool)
        batches = BatchWriter(pool: pool)
    }

    deinit { batches.close() }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: users, sessions, care teams") { db in
            try db.create(table: "user") { t in
                t.primaryKey("id", .text)
                t.column("username", .text).notNull().unique()
                t.column("displayName", .text).notNull()
                t.column("role", .text).notNull()
                t.column("passwordHash", .text).notNull()
                t.column("mustChangePassword", .boolean).notNull()
                t.column("active", .boolean).notNull()
                t.column("failedLogins", .integer).notNull()
                t.column("createdAt", .integer).notNull()
            }
            try db.create(table: "session") { t in
                t.primaryKey("tokenHash", .text)
                t.column("userID", .text).notNull().references("user", onDelete: .cascade)
                t.column("createdAt", .integer).notNull()
                t.column("lastSeenAt", .integer).notNull()
            }
            try db.create(table: "careTeamMember") { t in
                t.column("patientID", .text).notNull().references("user", onDelete: .cascade)
                t.column("clinicianID", .text).notNull().references("user", onDelete: .cascade)
                t.primaryKey(["patientID", "clinicianID"])
            }
        }
        migrator.registerMigration("v2: second factor") { db in
            try db.alter(table: "session") { t in t.add(column: "secondFactor", .boolean).notNull().defaults(to: false) }
            try db.create(table: "totp") { t in
                t.primaryKey("userID", .text).references("user", onDelete: .cascade)
                t.column("sealedSecret", .blob).notNull()
                t.column("confirmed", .boolean).notNull()
                t.column("lastStep", .integer)
            }
            try db.create(table: "recoveryCode") { t in
                t.column("userID", .text).notNull().references("user", onDelete: .cascade)
                t.column("codeHash", .text).notNull()
                t.primaryKey(["userID", "codeHash"])
            }
        }
        migrator.registerMigration("v3: devices, rooms, messages, sender keys") { db in
            try db.create(table: "device") { t in
                t.primaryKey("id", .text)
                t.column("userID", .text).notNull().references("user", onDelete: .cascade).indexed()
                t.column("encryptionKey", .blob).notNull()
                t.column("signingKey", .blob).notNull()
                t.column("suites", .text).notNull()
                t.column("signature", .blob).notNull()
                t.column("createdAt", .integer).notNull()
            }
            try db.create(table: "room") { t in
                t.primaryKey("id", .text)
                t.column("kind", .text).notNull()
                t.column("patientID", .text).references("user", onDelete: .cascade)
                t.column("name", .text).notNull()
                t.column("direct", .boolean).notNull()
                t.column("createdBy", .text).notNull()
                t.column("createdAt", .integer).notNull()
                t.column("epoch", .integer).notNull()
                t.column("lastSeq", .integer).notNull()
            }
            try db.create(table: "roomMember") { t in
                t.column("roomID", .text).notNull().references("room", onDelete: .cascade)
                t.column("userID", .text).notNull().references("user", onDelete: .cascade).indexed()
                t.column("joinedAt", .integer).notNull()
                t.column("firstSeq", .integer).notNull()
                t.column("readSeq", .integer).notNull()
                t.column("deliveredSeq", .integer).notNull()
                t.primaryKey(["roomID", "userID"])
            }
            try db.create(table: "message") { t in
                t.column("roomID", .text).notNull().references("room", onDelete: .cascade)
                t.column("seq", .integer).notNull()
                t.column("id", .text).notNull().unique()
                t.column("senderID", .text).notNull()
                t.column("senderDevice", .text).notNull()
                t.column("clientMessageID", .text).notNull()
                t.column("sentAt", .integer).notNull()
                t.column("envelope", .blob).notNull()
                t.primaryKey(["roomID", "seq"])
                t.uniqueKey(["senderDevice", "clientMessageID"])
            }
            try db.create(table: "senderKey") { t in
                t.primaryKey("id", .text)
                t.column("roomID", .text).notNull().references("room", onDelete: .cascade)
                t.column("senderDevice", .text).notNull()
                t.column("epoch", .integer).notNull()
                t.column("suite", .text).notNull()
                t.column("createdAt", .integer).notNull()
            }
            try db.create(table: "keyBox") { t in
                t.column("keyID", .text).notNull().references("senderKey", onDelete: .cascade)
                t.column("deviceID", .text).notNull().references("device", onDelete: .cascade)
                t.column("sealed", .blob).notNull()
                t.primaryKey(["keyID", "deviceID"])
            }
            try db.create(index: "keyBoxByDevice", on: "keyBox", columns: ["deviceID"])
        }
        migrator.registerMigration("v4: consents") { db in
            try db.create(table: "consent") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("userID", .text).notNull().references("user", onDelete: .cascade).indexed()
                t.column("purpose", .text).notNull()
                t.column("version", .text).notNull()
                t.column("givenAt", .integer).notNull()
                t.column("method", .text).notNull()
                t.column("withdrawnAt", .integer)
            }
        }
        migrator.registerMigration("v5: erasure requests, legal holds") { db in
            try db.create(table: "erasureRequest") { t in
                t.autoIncrementedPrimaryKey("id")
                // No cascade: accounts are pseudonymised, never deleted, so the request outlives the erasure.
                t.column("userID", .text).notNull().references("user").indexed()
                t.column("requestedBy", .text).notNull()
                t.column("requestedAt", .integer).notNull()
                t.column("dueAt", .integer).notNull()
                t.column("status", .text).notNull()
                t.column("completedAt", .integer)
                t.column("completedBy", .text)
                t.column("receipt", .blob)
            }
            try db.create(table: "legalHold") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("userID", .text).references("user")
                t.column("roomID", .text).references("room")
                t.column("reference", .text).notNull()
                t.column("placedBy", .text).notNull()
                t.column("placedAt", .integer).notNull()
                t.column("releasedAt", .integer)
                t.column("releasedBy", .text)
            }
            try db.create(index: "messageBySender", on: "message", columns: ["senderID"])
        }
        migrator.registerMigration("v6: erasure request notes") { db in
            // The commitment (hex) to the note; the text itself is in the audit log's erasable store.
            try db.alter(table: "erasureRequest") { t in t.add(column: "noteCommitment", .text) }
        }
        migrator.registerMigration("v7: availability, appointments") { db in
            try db.create(table: "availability") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("clinicianID", .text).notNull().references("user", onDelete: .cascade).indexed()
                t.column("kind", .text).notNull()
                t.column("weekday", .integer)
                t.column("startMinute", .integer)
                t.column("endMinute", .integer)
                t.column("startsAt", .integer)
                t.column("endsAt", .integer)
                t.column("slotMinutes", .integer).notNull()
                t.column("location", .text).notNull()
                t.column("createdAt", .integer).notNull()
            }
            try db.create(table: "appointment") { t in
                t.primaryKey("id", .text)
                t.column("patientID", .text).notNull().references("user").indexed()
                t.column("clinicianID", .text).notNull().references("user").indexed()
                t.column("startsAt", .integer).notNull()
                t.column("endsAt", .integer).notNull()
                t.column("location", .text).notNull()
                t.column("status", .text).notNull()
                t.column("sealedReason", .blob)
                t.column("bookedBy", .text).notNull()
                t.column("createdAt", .integer).notNull()
                t.column("updatedAt", .integer).notNull()
                t.column("cancelledBy", .text)
            }
            // One appointment per clinician and start among those holding their slot: the
            // database itself refuses a double booking, however the requests race.
            try db.execute(
                sql: """
                    CREATE UNIQUE INDEX appointmentSlot ON appointment(clinicianID, startsAt) WHERE status IN ('requested', 'confirmed')
                    """)
        }
        migrator.registerMigration("v8: notifications") { db in
            try db.create(table: "notification") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("userID", .text).notNull().references("user", onDelete: .cascade)
                t.column("kind", .text).notNull()
                t.column("text", .text).notNull()
                t.column("refID", .text)
                t.column("createdAt", .integer).notNull()
                t.column("dueAt", .integer).notNull()
                t.column("firedAt", .integer)
                t.column("readAt", .integer)
                t.column("alertAgainAt", .integer)
            }
            try db.create(index: "notificationByUser", on: "notification", columns: ["userID", "firedAt"])
            try db.create(index: "notificationByRef", on: "notification", columns: ["refID"])
            // The scheduler's question: what is due and not delivered yet.
            try db.execute(sql: "CREATE INDEX notificationDue ON notification(dueAt) WHERE firedAt IS NULL")
            try db.execute(sql: "CREATE INDEX notificationUrgent ON notification(alertAgainAt) WHERE kind = 'urgent' AND readAt IS NULL")
            try db.create(table: "notificationMute") { t in
                t.column("userID", .text).notNull().references("user", onDelete: .cascade)
                t.column("kind", .text).notNull()
                t.primaryKey(["userID", "kind"])
            }
        }
        migrator.registerMigration("v9: patient records, break-glass") { db in
            try db.create(table: "recordEntry") { t in
                t.primaryKey("id", .text)
                t.column("patientID", .text).notNull().references("user")
                t.column("section", .text).notNull()
                t.column("entryID", .text).notNull()
                t.column("version", .integer).notNull()
                t.column("authorID", .text).notNull()
                t.column("authorRole", .text).notNull()
                t.column("createdAt", .integer).notNull()
                t.column("sealed", .blob).notNull()
                t.uniqueKey(["entryID", "version"])
            }
            try db.create(index: "recordByPatient", on: "recordEntry", columns: ["patientID", "section"])
            try db.create(table: "breakGlass") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("clinicianID", .text).notNull().references("user")
                t.column("patientID", .text).notNull().references("user")
                t.column("reasonCommitment", .text).notNull()
                t.column("reasonLength", .integer).notNull()
                t.column("startedAt", .integer).notNull()
                t.column("endsAt", .integer).notNull()
                t.column("reviewedAt", .integer)
                t.column("reviewedBy", .text)
                t.column("verdict", .text)
            }
            try db.create(index: "breakGlassByClinician", on: "breakGlass", columns: ["clinicianID", "patientID"])
        }
        migrator.registerMigration("v10: entries withheld from the patient, amendment requests") { db in
            try db.alter(table: "recordEntry") { t in t.add(column: "withheld", .text) }
            try db.create(table: "recordAmendment") { t in
                t.primaryKey("id", .text)
                t.column("patientID", .text).notNull().references("user")
                t.column("entryID", .text).notNull()
                t.column("section", .text).notNull()
                t.column("requestedAt", .integer).notNull()
                t.column("dueAt", .integer).notNull()
                t.column("sealedRequest", .blob).notNull()
                t.column("status", .text).notNull()
                t.column("decidedBy", .text)
                t.column("decidedAt", .integer)
                t.column("sealedResponse", .blob)
                t.column("versionID", .text)
            }
            try db.create(index: "amendmentByPatient", on: "recordAmendment", columns: ["patientID", "status"])
        }
        migrator.registerMigration("v11: statements of disagreement") { db in
            try db.alter(table: "recordAmendment") { t in
                t.add(column: "sealedDisagreement", .blob)
                t.add(column: "disagreedAt", .integer)
            }
        }
        // Issue 16, item 4: rooms are joined by invitation unless their owner opened them, and a
        // removal lasts until someone invites the person again.
        migrator.registerMigration("v12: open rooms, lasting removals") { db in
            try db.alter(table: "room") { t in t.add(column: "open", .boolean).notNull().defaults(to: false) }
            try db.create(table: "roomRemoval") { t in
                t.column("roomID", .text).notNull().references("room", onDelete: .cascade)
                t.column("userID", .text).notNull().references("user", onDelete: .cascade).indexed()
                t.column("removedBy", .text).notNull()
                t.column("removedAt", .integer).notNull()
                t.primaryKey(["roomID", "userID"])
            }
        }
        // Issue 16, item 10: usernames are stored case-folded (Username.normalised in
        // WardProtocol); older ones in upper case are folded unless another account already has
        // the folded name (those keep theirs, and an Admin renames one).
        migrator.registerMigration("v13: case-folded usernames") { db in
            for (id, username) in try Row.fetchAll(db, sql: "SELECT id, username FROM user").map({ ($0[0] as String, $0[1] as String) }) {
                let folded = username.lowercased()
                guard folded != username, try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM user WHERE username = ?", arguments: [folded]) == 0 else {
                    continue
                }
                try db.execute(sql: "UPDATE user SET username = ? WHERE id = ?", arguments: [folded, id])
            }
        }
        // Issue 16, item 8: a first second factor is enrolled only by the session that replaced
        // the one-time password, or with an enrolment code an Admin issued.
        migrator.registerMigration("v14: enrolment only where it is safe") { db in
            try db.alter(table: "session") { t in t.add(column: "mayEnrol", .boolean).notNull().defaults(to: false) }
            try db.create(table: "enrolmentCode") { t in
                t.column("userID", .text).notNull().primaryKey().references("user", onDelete: .cascade)
                t.column("codeHash", .text).notNull()
                t.column("expiresAt", .integer).notNull()
            }
        }
        // Issue 16, item 8: what one privileged person may not do alone waits here for a second.
        migrator.registerMigration("v15: approvals by a second person") { db in
            try db.create(table: "approval") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("action", .text).notNull()
                t.column("subjectID", .text).notNull().indexed()
                t.column("requestedBy", .text).notNull()
                t.column("requestedAt", .integer).notNull()
                t.column("status", .text).notNull()
                t.column("decidedBy", .text)
                t.column("decidedAt", .integer)
            }
        }
        // Issue 16, item 6: the accounting of access in an export reads an index by subject,
        // not the whole audit log.
        migrator.registerMigration("v16: audit entries by subject") { db in
            try db.execute(
                sql: """
                    CREATE TABLE auditSubject (subjectID TEXT NOT NULL, seq INTEGER NOT NULL, PRIMARY KEY (subjectID, seq)) WITHOUT ROWID;
                    CREATE TABLE auditSubjectProgress (id INTEGER PRIMARY KEY CHECK (id = 0), next INTEGER NOT NULL);
                    """)
        }
        // Issue 17: an envelope's sender key and position are stored with it, once: a second
        // envelope at the same position is a replay. Envelopes stored before carry no position;
        // every room's epoch moves on, so their keys are stale and none of them can be sent again.
        migrator.registerMigration("v17: one envelope per sender key position") { db in
            try db.execute(
                sql: """
                    ALTER TABLE message ADD COLUMN keyID TEXT;
                    ALTER TABLE message ADD COLUMN iteration INTEGER;
                    CREATE UNIQUE INDEX messageKeyPosition ON message (keyID, iteration) WHERE keyID IS NOT NULL;
                    UPDATE room SET epoch = epoch + 1;
                    """)
        }
        // Issue 17: a device's keys carry its owner's identity key and that key's signature.
        migrator.registerMigration("v18: devices vouched for by identity keys") { db in
            try db.execute(
                sql: """
                    ALTER TABLE device ADD COLUMN identityKey BLOB;
                    ALTER TABLE device ADD COLUMN identitySignature BLOB;
                    """)
        }
        // Issue 17: a person's identity key, sealed under a recovery key the server never sees.
        migrator.registerMigration("v19: identity backups") { db in
            try db.create(table: "identityBackup") { t in
                t.column("userID", .text).notNull().primaryKey().references("user", onDelete: .cascade)
                t.column("backup", .text).notNull()
                t.column("updatedAt", .integer).notNull()
            }
        }
        // Issue 17: sender keys kept for a person's next device, sealed under their identity.
        migrator.registerMigration("v20: key backups") { db in
            try db.create(table: "keyBackup") { t in
                t.column("userID", .text).notNull().references("user", onDelete: .cascade)
                t.column("keyID", .text).notNull()
                t.column("sealed", .text).notNull()
                t.column("createdAt", .integer).notNull()
                t.primaryKey(["userID", "keyID"])
            }
        }
        return migrator
    }
}

/// An account. The id is opaque and never changes; name and username are personal data and
/// live only here (never in the audit log).
public struct UserRecord: Codable, Hashable, Sendable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "user"

    public var id: String
    public var username: String
    public var displayName: String
    public var role: String
    public var passwordHash: String
    public var mustChangePassword: Bool
    public var active: Bool
    public var failedLogins: Int
    public var createdAt: Int64

    public init(
        id: String, username: String, displayName: String, role: String, passwordHash: String,
        mustChangePassword: Bool, active: Bool = true, failedLogins: Int = 0, createdAt: Int64
    ) {
        self.id = id
        self.username = username
        self.displayName = displayName
        self.role = role
        self.passwordHash = passwordHash
        self.mustChangePassword = mustChangePassword
        self.active = active
        self.failedLogins = failedLogins
        self.createdAt = createdAt
    }
}

/// A signed-in session. Only the SHA-256 of the token is stored, so a copy of the database
/// does not let anyone sign in.
public struct SessionRecord: Codable, Hashable, Sendable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "session"

    public var tokenHash: String
    public var userID: String
    public var createdAt: Int64
    public var lastSeenAt: Int64
    /// The session was signed in with a second factor.
    public var secondFactor: Bool
    /// The session may enrol a first second factor: it replaced the one-time password, or it
    /// presented an enrolment code an Admin issued.
    public var mayEnrol: Bool

    public init(tokenHash: String, userID: String, createdAt: Int64, lastSeenAt: Int64, secondFactor: Bool = false, mayEnrol: Bool = false) {
        self.tokenHash = tokenHash
        self.userID = userID
        self.createdAt = createdAt
        self.lastSeenAt = lastSeenAt
        self.secondFactor = secondFactor
        self.mayEnrol = mayEnrol
    }
}

/// Membership of a clinician in a patient's care team.
public struct CareTeamMember: Codable, Hashable, Sendable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "careTeamMember"
    public var patientID: String
    public var clinicianID: String

    public init(patientID: String, clinicianID: String) {
        self.patientID = patientID
        self.clinicianID = clinicianID
    }
}

extension WardDatabase {
    public func insert(_ user: UserRecord) throws {
        try pool.write { try user.insert($0) }
    }

    public func user(id: String) throws -> UserRecord? {
        try pool.read { try UserRecord.fetchOne($0, cached: "SELECT * FROM user WHERE id = ?", [id]) }
    }

    public func user(username: String) throws -> UserRecord? {
        try pool.read { try UserRecord.filter(Column("username") == username).fetchOne($0) }
    }

    /// Counts a failed sign-in; returns the new count.
    public func recordFailedLogin(userID: String) throws -> Int {
        try pool.write { db in
            try db.execute(sql: "UPDATE user SET failedLogins = failedLogins + 1 WHERE id = ?", arguments: [userID])
            return try Int.fetchOne(db, sql: "SELECT failedLogins FROM user WHERE id = ?", arguments: [userID]) ?? 0
        }
    }

    public func resetFailedLogins(userID: String) throws {
        try pool.write { try $0.execute(sql: "UPDATE user SET failedLogins = 0 WHERE id = ?", arguments: [userID]) }
    }

    /// Replaces the password hash and ends every session of the account but `keeping` (the
    /// session that changed its own password), in one transaction: a session opened with the
    /// old password does not outlive it.
    public func setPassword(userID: String, hash: String, mustChange: Bool, keeping: String?) throws {
        try pool.write { db in
            try db.execute(sql: "UPDATE user SET passwordHash = ?, mustChangePassword = ? WHERE id = ?", arguments: [hash, mustChange, userID])
            try db.execute(sql: "DELETE FROM session WHERE userID = ? AND tokenHash IS NOT ?", arguments: [userID, keeping])
        }
    }

    /// Replaces a hash made with older parameters, the password unchanged: sessions stay.
    public func rehashPassword(userID: String, hash: String) throws {
        try pool.write { try $0.execute(sql: "UPDATE user SET passwordHash = ? WHERE id = ?", arguments: [hash, userID]) }
    }

    public func insert(_ session: SessionRecord) throws {
        try pool.write { try session.insert($0) }
    }

    public func session(tokenHash: String) throws -> SessionRecord? {
        try pool.read { try SessionRecord.fetchOne($0, cached: "SELECT * FROM session WHERE tokenHash = ?", [tokenHash]) }
    }

    /// A session and its account in one read (every request asks for both).
    public func sessionWithUser(tokenHash: String) throws -> (SessionRecord, UserRecord)? {
        try pool.read { db in
            guard let session = try SessionRecord.fetchOne(db, cached: "SELECT * FROM session WHERE tokenHash = ?", [tokenHash]),
                let user = try UserRecord.fetchOne(db, cached: "SELECT * FROM user WHERE id = ?", [session.userID])
            else { return nil }
            return (session, user)
        }
    }

    public static func touchSession(tokenHash: String, at time: Int64, in db: Database) throws {
        try db.executeCached("UPDATE session SET lastSeenAt = MAX(lastSeenAt, ?) WHERE tokenHash = ?", [time, tokenHash])
    }

    public func deleteSession(tokenHash: String) throws {
        try pool.write { _ = try SessionRecord.deleteOne($0, key: tokenHash) }
    }

    /// Ids of the patients whose care team `clinicianID` is on.
    public func patients(ofClinician clinicianID: String) throws -> [String] {
        try pool.read {
            try String.fetchAll($0, cached: "SELECT patientID FROM careTeamMember WHERE clinicianID = ? ORDER BY patientID", [clinicianID])
        }
    }
}

extension WardDatabase {
    public func allUsers() throws -> [UserRecord] {
        try pool.read { try UserRecord.order(Column("username")).fetchAll($0) }
    }

    /// Sets whether the account may act; disabling also ends its sessions.
    public func setActive(userID: String, _ active: Bool) throws {
        try pool.write { db in
            try db.execute(sql: "UPDATE user SET active = ? WHERE id = ?", arguments: [active, userID])
            if !active { try db.execute(sql: "DELETE FROM session WHERE userID = ?", arguments: [userID]) }
        }
    }

    /// Adds a care-team membership; false when it already exists.
    public func addCareTeamMember(_ member: CareTeamMember) throws -> Bool {
        try pool.write { db in
            guard try CareTeamMember.fetchOne(db, key: ["patientID": member.patientID, "clinicianID": member.clinicianID]) == nil else {
                return false
            }
            try member.insert(db)
            return true
        }
    }

    /// Removes a membership; false when there was none.
    public func removeCareTeamMember(_ member: CareTeamMember) throws -> Bool {
        try pool.write { try CareTeamMember.deleteOne($0, key: ["patientID": member.patientID, "clinicianID": member.clinicianID]) }
    }

    public func careTeam(ofPatient patientID: String) throws -> [String] {
        try pool.read {
            try String.fetchAll($0, sql: "SELECT clinicianID FROM careTeamMember WHERE patientID = ? ORDER BY clinicianID", arguments: [patientID])
        }
    }
}

/// A TOTP second factor. The secret is sealed (XChaCha20-Poly1305) under the server's master
/// key, so the database alone does not give it away.
public struct TOTPRecord: Codable, Hashable, Sendable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "totp"
    public var userID: String
    public var sealedSecret: Data
    public var confirmed: Bool
    /// The last time step whose code was accepted (a code works once).
    public var lastStep: Int64?

    public init(userID: String, sealedSecret: Data, confirmed: Bool, lastStep: Int64?) {
        self.userID = userID
        self.sealedSecret = sealedSecret
        self.confirmed = confirmed
        self.lastStep = lastStep
    }
}

extension WardDatabase {
    public func totp(userID: String) throws -> TOTPRecord? {
        try pool.read { try TOTPRecord.fetchOne($0, key: userID) }
    }

    public func save(_ record: TOTPRecord) throws {
        try pool.write { try record.save($0) }
    }

    /// Replaces the account's recovery codes (stored as hashes).
    public func setRecoveryCodes(userID: String, hashes: [String]) throws {
        try pool.write { db in
            try db.execute(sql: "DELETE FROM recoveryCode WHERE userID = ?", arguments: [userID])
            for hash in hashes { try db.execute(sql: "INSERT INTO recoveryCode (userID, codeHash) VALUES (?, ?)", arguments: [userID, hash]) }
        }
    }

    /// Uses up a recovery code; true when it existed.
    public func consumeRecoveryCode(userID: String, hash: String) throws -> Bool {
        try pool.write { db in
            try db.execute(sql: "DELETE FROM recoveryCode WHERE userID = ? AND codeHash = ?", arguments: [userID, hash])
            return db.changesCount > 0
        }
    }

    /// Removes the account's second factor and recovery codes, and ends its sessions.
    public func removeSecondFactor(userID: String) throws {
        try pool.write { db in
            try db.execute(sql: "DELETE FROM totp WHERE userID = ?", arguments: [userID])
            try db.execute(sql: "DELETE FROM recoveryCode WHERE userID = ?", arguments: [userID])
            try db.execute(sql: "DELETE FROM session WHERE userID = ?", arguments: [userID])
        }
    }

    /// Records that the TOTP code of `step` was used, unless it or a later one already was:
    /// true for the one caller that claims it.
    public func claimTOTPStep(userID: String, step: Int64) throws -> Bool {
        try pool.write { db in
            try db.execute(
                sql: "UPDATE totp SET lastStep = ? WHERE userID = ? AND confirmed AND (lastStep IS NULL OR lastStep < ?)",
                arguments: [step, userID, step])
            return db.changesCount == 1
        }
    }

    /// This session may enrol a first second factor (see `SessionRecord.mayEnrol`).
    public func markMayEnrol(tokenHash: String) throws {
        try pool.write { try $0.execute(sql: "UPDATE session SET mayEnrol = 1 WHERE tokenHash = ?", arguments: [tokenHash]) }
    }

    /// Stores the hash of an enrolment code for `userID` (replacing any earlier one).
    public func issueEnrolmentCode(userID: String, codeHash: String, expiresAt: Int64) throws {
        try pool.write {
            try $0.execute(
                sql: "INSERT OR REPLACE INTO enrolmentCode (userID, codeHash, expiresAt) VALUES (?, ?, ?)",
                arguments: [userID, codeHash, expiresAt])
        }
    }

    /// Uses the account's enrolment code when `codeHash` is it and it has not expired: true
    /// once, for one caller.
    public func consumeEnrolmentCode(userID: String, codeHash: String, at now: Int64) throws -> Bool {
        try pool.write { db in
            try db.execute(sql: "DELETE FROM enrolmentCode WHERE userID = ? AND codeHash = ? AND expiresAt > ?", arguments: [userID, codeHash, now])
            return db.changesCount == 1
        }
    }

    public func markSecondFactor(tokenHash: String) throws {
        try pool.write { try $0.execute(sql: "UPDATE session SET secondFactor = 1 WHERE tokenHash = ?", arguments: [tokenHash]) }
    }
}

extension WardDatabase {
    /// A consistent copy of the whole database at `path` (a new file), taken with SQLite's online
    /// backup API while others read and write (backups, issue 19).
    /// The copy is a staging file the caller encrypts and deletes: it is written without
    /// journal or fsync, so that it rarely reaches the disk at all, and never in one flush the
    /// server's own commits would wait behind (docs/PERFORMANCE.md, `ward-bench backup`).
    public func backup(to path: String) throws {
        var configuration = Configuration()
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = OFF")
            try db.execute(sql: "PRAGMA journal_mode = OFF")
        }
        let destination = try DatabaseQueue(path: path, configuration: configuration)
        try pool.backup(to: destination)
    }
}
