import GRDB

/// Each person's identity key sealed under their recovery key (issue 17): stored so that a new
/// device of theirs can be theirs; the server cannot open it.
extension WardDatabase {
    public func storeIdentityBackup(userID: String, backup: String, at time: Int64) async throws {
        try await batches.write { db in
            try db.execute(
                sql: """
                    INSERT INTO identityBackup (userID, backup, updatedAt) VALUES (?, ?, ?)
                    ON CONFLICT(userID) DO UPDATE SET backup = excluded.backup, updatedAt = excluded.updatedAt
                    """, arguments: [userID, backup, time])
        }
    }

    public func identityBackup(userID: String) throws -> String? {
        try pool.read { try String.fetchOne($0, sql: "SELECT backup FROM identityBackup WHERE userID = ?", arguments: [userID]) }
    }
}

/// The sender keys a person's devices received, sealed under a key only their identity gives
/// (issue 17): a new device of theirs reads their history. The server cannot open them.
extension WardDatabase {
    public func storeKeyBackups(userID: String, _ items: [(keyID: String, sealed: String)], at time: Int64) async throws {
        try await batches.write { db in
            for item in items {
                try db.execute(
                    sql: "INSERT OR IGNORE INTO keyBackup (userID, keyID, sealed, createdAt) VALUES (?, ?, ?, ?)",
                    arguments: [userID, item.keyID, item.sealed, time])
            }
        }
    }

    public func keyBackups(userID: String) throws -> [(keyID: String, sealed: String)] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT keyID, sealed FROM keyBackup WHERE userID = ? ORDER BY createdAt, keyID", arguments: [userID])
                .map { ($0["keyID"], $0["sealed"]) }
        }
    }
}
