import GRDB

/// The schema, as it grew: each migration runs once, in order, in its own transaction (GRDB's
/// `DatabaseMigrator`); a migration is never edited after it shipped, only followed by another.
extension WardDatabase {
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
