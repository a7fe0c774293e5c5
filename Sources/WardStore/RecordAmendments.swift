public import GRDB
public import Foundation
public import WardProtocol

/// A patient's request to amend an entry of their record (HIPAA 164.526, GDPR Art. 16). The
/// request's text and the clinician's answer are sealed under the patient's data key, like the
/// record. An accepted request is answered by a new version of the entry (`versionID`); a denied
/// one keeps the clinician's written reason (164.526(d)).
public struct RecordAmendmentRecord: Codable, Hashable, Sendable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "recordAmendment"
    public var id: String
    public var patientID: String
    public var entryID: String
    public var section: RecordSection
    public var requestedAt: Int64
    /// 60 days after the request (164.526(b)(2)).
    public var dueAt: Int64
    /// What the patient asked, sealed (scope `record`, bound to `id`).
    public var sealedRequest: Data
    public var status: Status
    public var decidedBy: String?
    public var decidedAt: Int64?
    /// The reason for a denial, sealed (scope `record`, bound to `id` + ":response").
    public var sealedResponse: Data?
    /// The version that made an accepted amendment.
    public var versionID: String?
    /// After a denial, the patient's statement of disagreement (164.526(d)(1)(iii)), sealed
    /// (scope `record`, bound to `id` + ":disagreement"), and when it was filed.
    public var sealedDisagreement: Data?
    public var disagreedAt: Int64?

    public init(id: String, patientID: String, entryID: String, section: RecordSection, requestedAt: Int64, dueAt: Int64, sealedRequest: Data) {
        self.id = id
        self.patientID = patientID
        self.entryID = entryID
        self.section = section
        self.requestedAt = requestedAt
        self.dueAt = dueAt
        self.sealedRequest = sealedRequest
        status = .requested
    }

    /// Whether the patient may still file a statement of disagreement.
    public var acceptsDisagreement: Bool { status == .denied && sealedDisagreement == nil }

    /// How long the clinic has to act on a request.
    public static let answerSeconds: Int64 = 60 * 86_400
}

extension WardDatabase {
    /// The section of the patient's entry, or nil when the patient has no such entry.
    public func recordSection(patientID: String, entryID: String) throws -> RecordSection? {
        try pool.read {
            try RecordSection.fetchOne(
                $0, sql: "SELECT section FROM recordEntry WHERE patientID = ? AND entryID = ? LIMIT 1",
                arguments: [patientID, entryID])
        }
    }

    public func amendments(patientID: String) throws -> [RecordAmendmentRecord] {
        try pool.read {
            try RecordAmendmentRecord.fetchAll(
                $0, sql: "SELECT * FROM recordAmendment WHERE patientID = ? ORDER BY requestedAt, rowid",
                arguments: [patientID])
        }
    }

    public func amendment(id: String) throws -> RecordAmendmentRecord? {
        try pool.read { try RecordAmendmentRecord.fetchOne($0, key: id) }
    }
}

extension StoreTransaction {
    public func addAmendment(_ amendment: RecordAmendmentRecord) throws {
        try amendment.insert(db)
    }

    /// Adds the patient's statement of disagreement to a denied request without one (else `alreadyDecided`).
    public func addDisagreement(amendmentID: String, sealed: Data, at time: Int64) throws {
        guard var amendment = try RecordAmendmentRecord.fetchOne(db, key: amendmentID) else { throw RecordRefusal.noSuchAmendment }
        guard amendment.acceptsDisagreement else { throw RecordRefusal.alreadyDecided }
        amendment.sealedDisagreement = sealed
        amendment.disagreedAt = time
        try amendment.update(db)
    }

    /// Records the decision on a request still open (else `alreadyDecided`), with the version
    /// that answers an accepted one added in the same transaction.
    public func decideAmendment(_ decided: RecordAmendmentRecord, version: RecordEntryRecord?) throws {
        guard let current = try RecordAmendmentRecord.fetchOne(db, key: decided.id) else { throw RecordRefusal.noSuchAmendment }
        guard current.status == .requested else { throw RecordRefusal.alreadyDecided }
        if let version { _ = try addRecordVersion(version, amending: true) }
        try decided.update(db)
    }
}

extension RecordAmendmentRecord {
    /// Asked for, or answered (HIPAA 164.526(c), (d)).
    public enum Status: String, Codable, Sendable, CaseIterable, DatabaseValueConvertible {
        case requested, accepted, denied
    }
}
