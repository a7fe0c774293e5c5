public import GRDB
public import Foundation
public import WardProtocol

/// The server's database: SQLite through GRDB, in WAL mode with synchronous=FULL (a committed
/// change survives power loss), schema changed only by the named migrations below.
public final class WardDatabase: Sendable {
    let pool: DatabasePool
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
}

/// An account. The id is opaque and never changes; name and username are personal data and
/// live only here (never in the audit log).
public struct UserRecord: Codable, Hashable, Sendable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "user"

    public var id: String
    public var username: String
    public var displayName: String
    public var role: AccountRole
    public var passwordHash: String
    public var mustChangePassword: Bool
    public var active: Bool
    public var failedLogins: Int
    public var createdAt: Int64

    public init(
        id: String, username: String, displayName: String, role: AccountRole, passwordHash: String,
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
        (self.patientID, self.clinicianID) = (patientID, clinicianID)
    }
}

extension WardDatabase {
    public func insert(_ user: UserRecord) async throws {
        try await batches.write { try user.insert($0) }
    }

    public func user(id: String) throws -> UserRecord? {
        try pool.read { try UserRecord.fetchOne($0, cached: "SELECT * FROM user WHERE id = ?", [id]) }
    }

    public func user(username: String) throws -> UserRecord? {
        try pool.read { try UserRecord.filter(Column("username") == username).fetchOne($0) }
    }

    /// Counts a failed sign-in; returns the new count.
    public func recordFailedLogin(userID: String) async throws -> Int {
        try await batches.write { db in
            try db.execute(sql: "UPDATE user SET failedLogins = failedLogins + 1 WHERE id = ?", arguments: [userID])
            return try Int.fetchOne(db, sql: "SELECT failedLogins FROM user WHERE id = ?", arguments: [userID]) ?? 0
        }
    }

    public func resetFailedLogins(userID: String) async throws {
        try await batches.write { try $0.execute(sql: "UPDATE user SET failedLogins = 0 WHERE id = ?", arguments: [userID]) }
    }

    /// Replaces the password hash and ends every session of the account but `keeping` (the
    /// session that changed its own password), in one transaction: a session opened with the
    /// old password does not outlive it.
    public func setPassword(userID: String, hash: String, mustChange: Bool, keeping: String?) async throws {
        try await batches.write { db in
            try db.execute(sql: "UPDATE user SET passwordHash = ?, mustChangePassword = ? WHERE id = ?", arguments: [hash, mustChange, userID])
            try db.execute(sql: "DELETE FROM session WHERE userID = ? AND tokenHash IS NOT ?", arguments: [userID, keeping])
        }
    }

    /// Replaces a hash made with older parameters, the password unchanged: sessions stay.
    public func rehashPassword(userID: String, hash: String) async throws {
        try await batches.write { try $0.execute(sql: "UPDATE user SET passwordHash = ? WHERE id = ?", arguments: [hash, userID]) }
    }

    public func insert(_ session: SessionRecord) async throws {
        try await batches.write { try session.insert($0) }
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

    public func deleteSession(tokenHash: String) async throws {
        try await batches.write { _ = try SessionRecord.deleteOne($0, key: tokenHash) }
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
    public func setActive(userID: String, _ active: Bool) async throws {
        try await batches.write { db in
            try db.execute(sql: "UPDATE user SET active = ? WHERE id = ?", arguments: [active, userID])
            if !active { try db.execute(sql: "DELETE FROM session WHERE userID = ?", arguments: [userID]) }
        }
    }

    /// Adds a care-team membership; false when it already exists.
    public func addCareTeamMember(_ member: CareTeamMember) async throws -> Bool {
        try await batches.write { db in
            guard try CareTeamMember.fetchOne(db, key: ["patientID": member.patientID, "clinicianID": member.clinicianID]) == nil else {
                return false
            }
            try member.insert(db)
            return true
        }
    }

    /// Removes a membership; false when there was none.
    public func removeCareTeamMember(_ member: CareTeamMember) async throws -> Bool {
        try await batches.write { try CareTeamMember.deleteOne($0, key: ["patientID": member.patientID, "clinicianID": member.clinicianID]) }
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
        (self.userID, self.sealedSecret, self.confirmed, self.lastStep) = (userID, sealedSecret, confirmed, lastStep)
    }
}

extension WardDatabase {
    public func totp(userID: String) throws -> TOTPRecord? {
        try pool.read { try TOTPRecord.fetchOne($0, key: userID) }
    }

    public func save(_ record: TOTPRecord) async throws {
        try await batches.write { try record.save($0) }
    }

    /// Replaces the account's recovery codes (stored as hashes).
    public func setRecoveryCodes(userID: String, hashes: [String]) async throws {
        try await batches.write { db in
            try db.execute(sql: "DELETE FROM recoveryCode WHERE userID = ?", arguments: [userID])
            for hash in hashes { try db.execute(sql: "INSERT INTO recoveryCode (userID, codeHash) VALUES (?, ?)", arguments: [userID, hash]) }
        }
    }

    /// Uses up a recovery code; true when it existed.
    public func consumeRecoveryCode(userID: String, hash: String) async throws -> Bool {
        try await batches.write { db in
            try db.execute(sql: "DELETE FROM recoveryCode WHERE userID = ? AND codeHash = ?", arguments: [userID, hash])
            return db.changesCount > 0
        }
    }

    /// Removes the account's second factor and recovery codes, and ends its sessions.
    public func removeSecondFactor(userID: String) async throws {
        try await batches.write { db in
            try db.execute(sql: "DELETE FROM totp WHERE userID = ?", arguments: [userID])
            try db.execute(sql: "DELETE FROM recoveryCode WHERE userID = ?", arguments: [userID])
            try db.execute(sql: "DELETE FROM session WHERE userID = ?", arguments: [userID])
        }
    }

    /// Records that the TOTP code of `step` was used, unless it or a later one already was:
    /// true for the one caller that claims it.
    public func claimTOTPStep(userID: String, step: Int64) async throws -> Bool {
        try await batches.write { db in
            try db.execute(
                sql: "UPDATE totp SET lastStep = ? WHERE userID = ? AND confirmed AND (lastStep IS NULL OR lastStep < ?)",
                arguments: [step, userID, step])
            return db.changesCount == 1
        }
    }

    /// This session may enrol a first second factor (see `SessionRecord.mayEnrol`).
    public func markMayEnrol(tokenHash: String) async throws {
        try await batches.write { try $0.execute(sql: "UPDATE session SET mayEnrol = 1 WHERE tokenHash = ?", arguments: [tokenHash]) }
    }

    /// Stores the hash of an enrolment code for `userID` (replacing any earlier one).
    public func issueEnrolmentCode(userID: String, codeHash: String, expiresAt: Int64) async throws {
        try await batches.write {
            try $0.execute(
                sql: "INSERT OR REPLACE INTO enrolmentCode (userID, codeHash, expiresAt) VALUES (?, ?, ?)",
                arguments: [userID, codeHash, expiresAt])
        }
    }

    /// Uses the account's enrolment code when `codeHash` is it and it has not expired: true
    /// once, for one caller.
    public func consumeEnrolmentCode(userID: String, codeHash: String, at now: Int64) async throws -> Bool {
        try await batches.write { db in
            try db.execute(sql: "DELETE FROM enrolmentCode WHERE userID = ? AND codeHash = ? AND expiresAt > ?", arguments: [userID, codeHash, now])
            return db.changesCount == 1
        }
    }

    public func markSecondFactor(tokenHash: String) async throws {
        try await batches.write { try $0.execute(sql: "UPDATE session SET secondFactor = 1 WHERE tokenHash = ?", arguments: [tokenHash]) }
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

extension StoreTransaction {
    public func touchSession(tokenHash: String, at time: Int64) throws {
        try db.executeCached("UPDATE session SET lastSeenAt = MAX(lastSeenAt, ?) WHERE tokenHash = ?", [time, tokenHash])
    }
}

extension AccountRole: DatabaseValueConvertible {}
