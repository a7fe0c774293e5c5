/// The one registry of the personal data Ward stores (GDPR Art. 30): for every table, whose data
/// it is, why it is kept and on what legal basis, how it is exported, how it is erased, how long
/// it is kept, and whether a legal obligation can hold it back from erasure. Export, erasure and
/// retention read it; a test fails when a table or column exists that it does not cover, so new
/// data cannot arrive unregistered.
public enum PersonalData {
    /// What erasure does to a table's rows about the subject.
    public enum Erasure: String, Sendable, Codable {
        /// The rows are deleted.
        case delete
        /// The rows stay only as ciphertext whose keys are destroyed (they were never readable
        /// by the server; erasure removes what could still link them to the person).
        case cryptoShred = "crypto-shred"
        /// Identifying fields are overwritten; the row stays for the records of others.
        case pseudonymise
        /// Kept: a legal obligation requires it (see `hold`).
        case keep
    }

    /// A kind of personal data: one table.
    public struct Kind: Sendable, Codable, Equatable {
        /// The table.
        public var table: String
        /// What a person would call it.
        public var name: String
        /// The columns that name the data subject (a user id).
        public var subjectColumns: [String]
        /// Every other column, each with what it holds (so that a new column must be described).
        public var columns: [String: String]
        public var purpose: String
        /// GDPR Art. 6(1) and, for health data, Art. 9(2).
        public var legalBasis: String
        /// How the subject's rows are exported (Art. 15, 20).
        public var export: String
        public var erasure: Erasure
        /// How long rows are kept.
        public var retention: String
        /// The legal obligation that can hold rows back from erasure, if any.
        public var hold: String?
    }

    /// Tables that hold no personal data, with why (GRDB's bookkeeping).
    public static let notPersonal: [String: String] = [
        "grdb_migrations": "the names of the schema migrations applied",
        "auditSubjectProgress": "how far the audit log has been read into auditSubject (one number)"
    ]

    public static let kinds: [Kind] = [
        Kind(
            table: "user", name: "account and profile", subjectColumns: ["id"],
            columns: [
                "username": "sign-in name", "displayName": "name shown to others", "role": "job role or Patient",
                "passwordHash": "Argon2id hash of the password", "mustChangePassword": "flag", "active": "flag",
                "failedLogins": "count of consecutive failed sign-ins", "createdAt": "time the account was made"
            ],
            purpose: "identify and authenticate the people who use the service; show who is speaking",
            legalBasis: "Art. 6(1)(b) (the service the person uses); for staff Art. 6(1)(c) (HIPAA 164.312(d) unique user identification)",
            export: "the profile without the password hash", erasure: .pseudonymise,
            retention: "while the account exists; then pseudonymised",
            hold: "HIPAA 164.316(b)(2): documentation of who acted is kept six years; the opaque id remains, name and username are overwritten"),
        Kind(
            table: "session", name: "sign-in sessions", subjectColumns: ["userID"],
            columns: [
                "tokenHash": "SHA-256 of the session token", "createdAt": "sign-in time", "lastSeenAt": "time of the last request",
                "secondFactor": "whether the sign-in used a second factor",
                "mayEnrol": "whether the session may enrol a first second factor"
            ],
            purpose: "keep a signed-in person signed in, end idle sessions", legalBasis: "Art. 6(1)(b); Art. 32 (security of processing)",
            export: "sign-in and last-use times", erasure: .delete, retention: "until logout, 15 minutes idle or 12 hours", hold: nil),
        Kind(
            table: "careTeamMember", name: "care-team memberships", subjectColumns: ["patientID", "clinicianID"], columns: [:],
            purpose: "decide which clinicians treat which patient", legalBasis: "Art. 9(2)(h) (provision of health care); HIPAA 164.506(c)",
            export: "the patient's care team, or the clinician's patients", erasure: .delete,
            retention: "while the treatment relationship lasts", hold: nil),
        Kind(
            table: "totp", name: "second factor", subjectColumns: ["userID"],
            columns: [
                "sealedSecret": "the TOTP secret, sealed with the server's master key", "confirmed": "flag", "lastStep": "last code step accepted"
            ],
            purpose: "multi-factor authentication", legalBasis: "Art. 32 (security of processing); HIPAA 164.312(d)",
            export: "whether a second factor is set up (never the secret)", erasure: .delete, retention: "until reset or the account ends",
            hold: nil),
        Kind(
            table: "recoveryCode", name: "recovery codes", subjectColumns: ["userID"], columns: ["codeHash": "SHA-256 of an unused recovery code"],
            purpose: "sign in when the authenticator is lost", legalBasis: "Art. 32", export: "how many codes are left",
            erasure: .delete, retention: "until used or the second factor is reset", hold: nil),
        Kind(
            table: "enrolmentCode", name: "second-factor enrolment codes", subjectColumns: ["userID"],
            columns: ["codeHash": "SHA-256 of the code an Admin issued", "expiresAt": "when it stops working"],
            purpose: "let a person whose second factor was reset enrol a new one, and nobody else", legalBasis: "Art. 32",
            export: "not exported: a hash of a secret that works for seven days at most", erasure: .delete,
            retention: "until used or seven days", hold: nil),
        Kind(
            table: "approval", name: "changes to an account waiting for a second person", subjectColumns: ["subjectID"],
            columns: [
                "id": "approval number", "action": "what waits (a role granted, a reset, an erasure)", "requestedBy": "who asked (user id)",
                "requestedAt": "time", "status": "pending, approved or rejected", "decidedBy": "who decided (user id)", "decidedAt": "time"
            ],
            purpose: "separation of duties: no privileged change by one person alone",
            legalBasis: "Art. 32; HIPAA 164.308(a)(3)(ii)(B) and (a)(4) (authorisation and access establishment)",
            export: "in the access section: the approval.request and approval.decide audit entries naming the subject", erasure: .delete,
            retention: "while the account exists", hold: nil),
        Kind(
            table: "device", name: "devices and their public keys", subjectColumns: ["userID"],
            columns: [
                "id": "device id (derived from the signing key)", "encryptionKey": "X25519 public key", "signingKey": "Ed25519 public key",
                "suites": "cipher suites", "signature": "self-signature", "createdAt": "registration time",
                "identityKey": "the owner's identity public key", "identitySignature": "the identity key's signature over the device keys"
            ],
            purpose: "end-to-end encryption to the person's devices", legalBasis: "Art. 6(1)(b); Art. 32",
            export: "device ids, keys and registration times", erasure: .delete, retention: "while the account exists", hold: nil),
        Kind(
            table: "room", name: "conversations", subjectColumns: ["patientID", "createdBy"],
            columns: [
                "id": "room id", "kind": "staff or care", "name": "the room's name", "direct": "flag", "createdAt": "time",
                "epoch": "key epoch", "lastSeq": "newest message number", "open": "flag: joined without an invitation"
            ],
            purpose: "conversations between patients and their care team, and among staff",
            legalBasis: "Art. 9(2)(h) for care rooms (with the patient's consent to messaging, Art. 9(2)(a)); Art. 6(1)(b) for staff rooms",
            export: "rooms the subject is in, with name and kind", erasure: .pseudonymise,
            retention: "while it has members", hold: "a legal hold on the room"),
        Kind(
            table: "roomMember", name: "room memberships and read markers", subjectColumns: ["userID"],
            columns: [
                "roomID": "room id", "joinedAt": "time", "firstSeq": "first readable message", "readSeq": "read marker",
                "deliveredSeq": "delivery marker"
            ],
            purpose: "who is in which conversation, what they have read", legalBasis: "Art. 6(1)(b)",
            export: "memberships with join times and markers", erasure: .delete, retention: "while the member is in the room", hold: nil),
        Kind(
            table: "identityBackup", name: "identity key backup (sealed under the person's recovery key)", subjectColumns: ["userID"],
            columns: ["backup": "the identity key sealed under the recovery key (the server cannot open it)", "updatedAt": "time stored"],
            purpose: "let a new device of the person's be vouched for by their identity", legalBasis: "Art. 6(1)(b); Art. 32",
            export: "given to the person by `identity.backup` (not in the export document: only their recovery key opens it)",
            erasure: .delete, retention: "while the account exists", hold: nil),
        Kind(
            table: "keyBackup", name: "sender keys kept for the person's new devices (sealed under their identity)", subjectColumns: ["userID"],
            columns: [
                "keyID": "the sender key's id", "sealed": "the key sealed under the person's identity (the server cannot open it)",
                "createdAt": "time stored"
            ],
            purpose: "let a new device of the person's read their conversations' history", legalBasis: "Art. 6(1)(b); Art. 32",
            export: "given to the person by `keys.backup` (not in the export document: only their identity opens it)",
            erasure: .delete, retention: "while the account exists", hold: nil),
        Kind(
            table: "auditSubject", name: "which audit entries name the subject", subjectColumns: ["subjectID"],
            columns: ["seq": "the audit entry's position"],
            purpose: "find the accounting of access for a subject's export without reading the whole audit log",
            legalBasis: "Art. 6(1)(c) (HIPAA 164.312(b) audit controls; GDPR Art. 15(1)(c))",
            export: "the access section: the entries themselves", erasure: .keep,
            retention: "as long as the audit log it indexes",
            hold: "HIPAA 164.316(b)(2)(i): the audit log it points into is kept six years; it holds opaque ids and positions only"),
        Kind(
            table: "roomRemoval", name: "removals from rooms", subjectColumns: ["userID"],
            columns: ["roomID": "room id", "removedBy": "the member who removed them (user id)", "removedAt": "time"],
            purpose: "keep a removed member out of a room until someone invites them again", legalBasis: "Art. 6(1)(b); Art. 32",
            export: "in the access section: the room.remove audit entries naming the subject", erasure: .delete,
            retention: "while the room exists, or until an invitation", hold: nil),
        Kind(
            table: "message", name: "messages (end-to-end encrypted)", subjectColumns: ["senderID"],
            columns: [
                "roomID": "room id", "seq": "number in the room", "id": "message id", "senderDevice": "device id",
                "clientMessageID": "the sender's id for deduplication", "sentAt": "server time", "envelope": "ciphertext and signature",
                "keyID": "the sender key's id", "iteration": "the envelope's position in the sender key's chain"
            ],
            purpose: "deliver and keep conversations", legalBasis: "Art. 9(2)(h) with consent (Art. 9(2)(a)) in care rooms; Art. 6(1)(b) otherwise",
            export: "metadata and ciphertext (the subject's own device decrypts it in `ward export`)", erasure: .cryptoShred,
            retention: "the clinic's messaging retention period: ten years unless set (ward-server --message-retention-days)",
            hold: "HIPAA 164.530(j): communications that are part of the record; a legal hold"),
        Kind(
            table: "senderKey", name: "sender keys (metadata)", subjectColumns: [],
            columns: [
                "id": "key id", "roomID": "room id", "senderDevice": "device id", "epoch": "key epoch", "suite": "cipher suite", "createdAt": "time"
            ],
            purpose: "which device encrypted which messages", legalBasis: "Art. 6(1)(b); Art. 32",
            export: "keys made by the subject's devices", erasure: .delete, retention: "with the messages they protect", hold: nil),
        Kind(
            table: "keyBox", name: "sealed sender keys", subjectColumns: [],
            columns: ["keyID": "key id", "deviceID": "recipient device id", "sealed": "the key sealed to that device"],
            purpose: "let members' devices decrypt messages", legalBasis: "Art. 6(1)(b); Art. 32",
            export: "keys sealed to the subject's devices", erasure: .delete,
            retention: "with the messages they protect", hold: nil),
        Kind(
            table: "consent", name: "consents", subjectColumns: ["userID"],
            columns: [
                "id": "record id", "purpose": "what was agreed to", "version": "version of the text agreed to",
                "givenAt": "time given", "method": "how it was given", "withdrawnAt": "time withdrawn"
            ],
            purpose: "record what the patient agreed to and withdrew (Art. 7(1): the controller must be able to show consent)",
            legalBasis: "Art. 6(1)(c) and Art. 7(1)", export: "every record, with versions and times", erasure: .keep,
            retention: "six years after withdrawal or the end of the relationship",
            hold: "Art. 7(1) and Art. 17(3)(e): proof of consent is needed to defend claims"),
        Kind(
            table: "availability", name: "clinicians' availability", subjectColumns: ["clinicianID"],
            columns: [
                "id": "entry number", "kind": "weekly, open or closed", "weekday": "day of the week", "startMinute": "opening time",
                "endMinute": "closing time", "startsAt": "start of a one-off block", "endsAt": "end of a one-off block",
                "slotMinutes": "appointment length", "location": "where", "createdAt": "time published"
            ],
            purpose: "let patients and staff book appointments", legalBasis: "Art. 6(1)(b) and (c) (the clinician's employment; running the clinic)",
            export: "the clinician's entries", erasure: .delete, retention: "while published", hold: nil),
        Kind(
            table: "appointment", name: "appointments", subjectColumns: ["patientID", "clinicianID", "bookedBy", "cancelledBy"],
            columns: [
                "id": "appointment id", "startsAt": "start", "endsAt": "end", "location": "where",
                "status": "requested, confirmed, cancelled, completed or noShow",
                "sealedReason": "why the patient comes, sealed under the patient's data key", "createdAt": "time booked",
                "updatedAt": "time of the last change"
            ],
            purpose: "appointments for care", legalBasis: "Art. 9(2)(h) (provision of health care); HIPAA 164.506(c)",
            export: "the patient's appointments with the reason; a clinician's schedule",
            erasure: .cryptoShred, retention: "with the medical record it belongs to",
            hold: "the medical record's retention (HIPAA and state law) for completed visits; a legal hold"),
        Kind(
            table: "notification", name: "notifications", subjectColumns: ["userID"],
            columns: [
                "id": "number", "kind": "message, urgent, reminder, appointment or announcement",
                "text": "what it says (written to name no health data and no message text)", "refID": "the room or appointment it is about",
                "createdAt": "time made", "dueAt": "time due", "firedAt": "time delivered", "readAt": "time read", "alertAgainAt": "next urgent alert"
            ],
            purpose: "tell people of messages, appointments and announcements",
            legalBasis: "Art. 6(1)(b); reminders for patients with their consent, Art. 6(1)(a)",
            export: "every notification with its times", erasure: .delete, retention: "90 days after being read; unread ones with the account",
            hold: nil),
        Kind(
            table: "notificationMute", name: "notification choices", subjectColumns: ["userID"], columns: ["kind": "a kind the person turned off"],
            purpose: "respect what the person chose to receive", legalBasis: "Art. 6(1)(b); Art. 21", export: "the kinds turned off",
            erasure: .delete, retention: "with the account", hold: nil),
        Kind(
            table: "recordEntry", name: "patient records (FHIR R4, every version)", subjectColumns: ["patientID", "authorID"],
            columns: [
                "id": "version id", "section": "demographics, allergies, medications, problems or notes", "entryID": "the entry",
                "version": "version number", "authorRole": "the author's role", "createdAt": "time written",
                "sealed": "the FHIR resource, sealed under the patient's data key",
                "withheld": "the basis for withholding the version from the patient's own view (HIPAA 164.524(a)), if any"
            ],
            purpose: "the medical record", legalBasis: "Art. 9(2)(h) (provision of health care); HIPAA 164.506(c); the duty to keep records",
            export: "FHIR resources, every version", erasure: .keep,
            retention: "the medical record's legal retention (at least six years; state law may ask for more)",
            hold: "medical-record retention laws (HIPAA 164.530(j) for documentation; state law for records): kept, and listed in the receipt"),
        Kind(
            table: "recordAmendment", name: "requests to amend the record", subjectColumns: ["patientID", "decidedBy"],
            columns: [
                "id": "request id", "entryID": "the entry", "section": "its section", "requestedAt": "time asked",
                "dueAt": "deadline (60 days, HIPAA 164.526(b)(2))", "sealedRequest": "what the patient asked, sealed under their data key",
                "status": "requested, accepted or denied", "decidedAt": "time answered",
                "sealedResponse": "the reason for a denial, sealed under the patient's data key", "versionID": "the version an acceptance made",
                "sealedDisagreement": "after a denial, the patient's statement of disagreement, sealed under their data key",
                "disagreedAt": "time the statement was filed"
            ],
            purpose: "the right to have the record amended", legalBasis: "Art. 16; HIPAA 164.526",
            export: "every request with its answer", erasure: .keep, retention: "with the medical record",
            hold: "HIPAA 164.526(f) and 164.530(j): requests and answers are documentation kept with the record"),
        Kind(
            table: "breakGlass", name: "emergency accesses to records", subjectColumns: ["clinicianID", "patientID", "reviewedBy"],
            columns: [
                "id": "number", "reasonCommitment": "commitment to the declared reason (the text is in the audit log's erasable store)",
                "reasonLength": "characters in the reason", "startedAt": "time declared", "endsAt": "end of the access",
                "reviewedAt": "time reviewed", "verdict": "the privacy officer's verdict"
            ],
            purpose: "emergency access to records and its review",
            legalBasis: "Art. 9(2)(c) (vital interests); HIPAA 164.312(a)(2)(ii), 164.308(a)(1)(ii)(D)",
            export: "in the accounting of access (the audit entries)", erasure: .keep, retention: "six years",
            hold: "HIPAA 164.316(b)(2): documentation of access is kept six years; the reason's text is erased with the person"),
        Kind(
            table: "erasureRequest", name: "erasure requests and receipts", subjectColumns: ["userID", "requestedBy", "completedBy"],
            columns: [
                "id": "request number", "requestedAt": "time filed", "dueAt": "deadline (one month, Art. 12(3))",
                "status": "open, erasing or done", "completedAt": "time executed", "receipt": "what was erased and kept (ids and counts)",
                "noteCommitment": "commitment to the person's note (the text is in the audit log's erasable store, erased with the person)"
            ],
            purpose: "handle erasure requests within the deadline and prove they were handled",
            legalBasis: "Art. 6(1)(c) with Art. 12(3), 17 and 5(2) (accountability)", export: "every request with its status and deadline",
            erasure: .keep, retention: "six years after completion",
            hold: "Art. 5(2) and 17(3)(e): proof that the erasure was done; ids only once the account is pseudonymised"),
        Kind(
            table: "legalHold", name: "legal holds", subjectColumns: ["userID", "placedBy", "releasedBy"],
            columns: [
                "id": "hold number", "roomID": "conversation held", "reference": "the matter (case or file reference)",
                "placedAt": "time placed", "releasedAt": "time released"
            ],
            purpose: "keep data needed for legal claims from erasure and retention",
            legalBasis: "Art. 17(3)(e) and Art. 6(1)(c); HIPAA 164.530(j)",
            export:
                "not exported: telling the subject of a hold can prejudice the claim it serves (Art. 23(1)(j)); the privacy officer answers "
                + "case by case",
            erasure: .pseudonymise, retention: "six years after release",
            hold: "Art. 17(3)(e): establishment, exercise or defence of legal claims; a released hold's reference is overwritten")
    ]

    /// The record of processing activities (Art. 30(1)) as text, one section per kind of data.
    public static func record() -> String {
        var lines = ["# Ward: record of processing activities (GDPR Art. 30)", ""]
        for kind in kinds {
            lines.append("## \(kind.name) (table `\(kind.table)`)")
            lines.append("- purpose: \(kind.purpose)")
            lines.append("- legal basis: \(kind.legalBasis)")
            lines.append("- data: " + kind.columns.keys.sorted().map { "\($0) (\(kind.columns[$0] ?? ""))" }.joined(separator: "; "))
            lines.append(
                "- subject named by: "
                    + (kind.subjectColumns.isEmpty ? "the devices and rooms it refers to" : kind.subjectColumns.joined(separator: ", ")))
            lines.append("- export: \(kind.export)")
            lines.append("- erasure: \(kind.erasure.rawValue)")
            lines.append("- retention: \(kind.retention)")
            lines.append("- may be held back from erasure: \(kind.hold ?? "no")")
            lines.append("")
        }
        return lines.joined(separator: "\n")
    }
}
