public import GRDB

/// Each person's identity key sealed under their recovery key (issue 17): stored so that a new
/// device of theirs can be theirs; the server cannot open it.
extension WardDatabase {
    public func storeIdentityBackup(userID: String, backup: String, at time: Int64) throws {
        try pool.write { db in
            try db.execute(sql: """
                INSERT INTO identityBackup (userID, backup, updatedAt) VALUES (?, ?, ?)
                ON CONFLICT(userID) DO UPDATE SET backup = excluded.backup, updatedAt = excluded.updatedAt
                """, arguments: [userID, backup, time])
        }
    }

    public func identityBackup(userID: String) throws -> String? {
        try pool.read { try String.fetchOne($0, sql: "SELECT backup FROM identityBackup WHERE userID = ?", arguments: [userID]) }
    }
}
