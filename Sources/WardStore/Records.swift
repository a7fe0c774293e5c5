public import GRDB
public import Foundation
public import WardProtocol

/// One version of one entry of a patient's record: a FHIR R4 resource (Patient,
/// AllergyIntolerance, MedicationStatement, Condition, DocumentReference) sealed under the
/// patient's data key, so the database holds no record text. Versions are only ever added: an
/// update or an amendment is a new version of the same entry, and the history stays.
public struct RecordEntryRecord: Codable, Hashable, Sendable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "recordEntry"
    /// This version's id.
    public var id: String
    public var patientID: String
    public var section: RecordSection
    /// The entry all its versions share.
    public var entryID: String
    public var version: Int
    public var authorID: String
    public var authorRole: AccountRole
    public var createdAt: Int64
    /// The FHIR resource's JSON, sealed (SubjectKeys, scope `record`, bound to `id`).
    public var sealed: Data
    /// Why this version is withheld from the patient's own view, or nil.
    public var withheld: WithholdingBasis?

    public init(
        id: String, patientID: String, section: RecordSection, entryID: String, version: Int, authorID: String, authorRole: AccountRole,
        createdAt: Int64, sealed: Data, withheld: WithholdingBasis? = nil
    ) {
        self.id = id
        self.patientID = patientID
        self.section = section
        self.entryID = entryID
        self.version = version
        self.authorID = authorID
        self.authorRole = authorRole
        self.createdAt = createdAt
        self.sealed = sealed
        self.withheld = withheld
    }

    /// The columns in table order, as `init(row:)` reads them: by position, because a record
    /// read decodes a thousand rows and the look-up of columns by name was a tenth of its time.
    static let columns = "id, patientID, section, entryID, version, authorID, authorRole, createdAt, sealed, withheld"

    public init(row: Row) throws {
        id = row[0]
        patientID = row[1]
        section = try row.decode(atIndex: 2)
        entryID = row[3]
        version = row[4]
        authorID = row[5]
        authorRole = try row.decode(atIndex: 6)
        createdAt = row[7]
        sealed = row[8]
        withheld = try row.decode(atIndex: 9)
    }
}

extension RecordSection: DatabaseValueConvertible {}
extension WithholdingBasis: DatabaseValueConvertible {}

/// A declared emergency access to a patient's record by a clinician outside the care team
/// (HIPAA 164.312(a)(2)(ii)): open until `endsAt`; the reason is an erasable commitment in the
/// audit log; the privacy officer records a verdict.
public struct BreakGlassRecord: Codable, Hashable, Sendable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "breakGlass"
    public var id: Int64?
    public var clinicianID: String
    public var patientID: String
    /// Hex of the commitment to the reason (the text is in the audit log's erasable store).
    public var reasonCommitment: String
    /// Characters in the reason (the policies ask for a sentence).
    public var reasonLength: Int
    public var startedAt: Int64
    public var endsAt: Int64
    public var reviewedAt: Int64?
    public var reviewedBy: String?
    public var verdict: Verdict?

    public init(clinicianID: String, patientID: String, reasonCommitment: String, reasonLength: Int, startedAt: Int64, endsAt: Int64) {
        self.clinicianID = clinicianID
        self.patientID = patientID
        self.reasonCommitment = reasonCommitment
        self.reasonLength = reasonLength
        self.startedAt = startedAt
        self.endsAt = endsAt
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

public enum RecordRefusal: Error, Equatable, Sendable {
    /// An amendment names an entry of another patient or section, or none.
    case noSuchEntry
    case noSuchBreakGlass
    case alreadyReviewed
    case noSuchAmendment
    case alreadyDecided
}

extension WardDatabase {
    /// The newest version of every entry of the patient's record (one section, or all), or
    /// with `history` every version, oldest first.
    public func recordEntries(patientID: String, section: RecordSection?, history: Bool) throws -> [RecordEntryRecord] {
        try pool.read { db in
            let sectionClause = section == nil ? "" : " AND section = ?"
            var arguments: [any DatabaseValueConvertible] = [patientID]
            if let section { arguments.append(section) }
            let sql =
                history
                ? "SELECT \(RecordEntryRecord.columns) FROM recordEntry WHERE patientID = ?\(sectionClause) ORDER BY createdAt, entryID, version"
                : """
                SELECT \(RecordEntryRecord.columns) FROM recordEntry e WHERE patientID = ?\(sectionClause)
                  AND NOT EXISTS (SELECT 1 FROM recordEntry later WHERE later.entryID = e.entryID AND later.version > e.version)
                ORDER BY section, createdAt, entryID
                """
            return try RecordEntryRecord.fetchAll(db, sql: sql, arguments: StatementArguments(arguments))
        }
    }

    /// Why the newest version of the patient's entry is withheld from the patient, if it is.
    public func recordWithholding(patientID: String, entryID: String) throws -> WithholdingBasis? {
        try pool.read { db in
            try WithholdingBasis.fetchOne(
                db, sql: "SELECT withheld FROM recordEntry WHERE patientID = ? AND entryID = ? ORDER BY version DESC LIMIT 1",
                arguments: [patientID, entryID])
        }
    }

    // MARK: Break-glass

    /// The clinician's open emergency access to the patient's record at `now`, if any.
    public func openBreakGlass(clinicianID: String, patientID: String, at now: Int64) throws -> BreakGlassRecord? {
        try pool.read { db in
            try BreakGlassRecord.fetchOne(
                db,
                sql: """
                    SELECT * FROM breakGlass WHERE clinicianID = ? AND patientID = ? AND startedAt <= ? AND endsAt > ? ORDER BY endsAt DESC LIMIT 1
                    """, arguments: [clinicianID, patientID, now, now])
        }
    }

    /// Uses waiting for a verdict (or, with `all`, every use), oldest first.
    public func breakGlassUses(all: Bool) throws -> [BreakGlassRecord] {
        try pool.read { db in
            try BreakGlassRecord.fetchAll(db, sql: "SELECT * FROM breakGlass WHERE ? OR reviewedAt IS NULL ORDER BY startedAt, id", arguments: [all])
        }
    }
}

extension StoreTransaction {
    /// Adds a version: with `amending`, the next of an existing entry of the same patient and
    /// section (else `noSuchEntry`); without, the first of a new entry.
    public func addRecordVersion(_ entry: RecordEntryRecord, amending: Bool) throws -> RecordEntryRecord {
        var version = entry
        if amending {
            guard
                let latest = try Int.fetchOne(
                    db, sql: "SELECT MAX(version) FROM recordEntry WHERE entryID = ? AND patientID = ? AND section = ?",
                    arguments: [entry.entryID, entry.patientID, entry.section])
            else { throw RecordRefusal.noSuchEntry }
            version.version = latest + 1
        } else {
            version.version = 1
        }
        try version.insert(db)
        return version
    }

    public func openBreakGlass(_ access: BreakGlassRecord) throws -> BreakGlassRecord {
        var record = access
        try record.insert(db)
        return record
    }

    public func reviewBreakGlass(id: Int64, verdict: BreakGlassRecord.Verdict, by reviewer: String, at time: Int64) throws -> BreakGlassRecord {
        guard var use = try BreakGlassRecord.fetchOne(db, key: id) else { throw RecordRefusal.noSuchBreakGlass }
        guard use.reviewedAt == nil else { throw RecordRefusal.alreadyReviewed }
        use.reviewedAt = time
        use.reviewedBy = reviewer
        use.verdict = verdict
        try use.update(db)
        return use
    }
}

extension BreakGlassRecord {
    /// The privacy officer's finding on an emergency access.
    public enum Verdict: String, Codable, Sendable, CaseIterable, DatabaseValueConvertible {
        case justified, unjustified
    }
}
