/// One version of one entry of a patient's record: `resource` is the FHIR R4 resource as JSON
/// text (Patient, AllergyIntolerance, MedicationStatement, Condition, DocumentReference).
public struct RecordEntryInfo: Codable, Hashable, Sendable {
    public var versionID: String
    public var entryID: String
    public var section: String
    public var version: Int
    public var authorID: String
    public var authorRole: String
    public var createdAt: Int64
    public var resource: String

    public init(
        versionID: String, entryID: String, section: String, version: Int, authorID: String, authorRole: String, createdAt: Int64,
        resource: String
    ) {
        self.versionID = versionID
        self.entryID = entryID
        self.section = section
        self.version = version
        self.authorID = authorID
        self.authorRole = authorRole
        self.createdAt = createdAt
        self.resource = resource
    }
}

/// A use of emergency access as the privacy officer reviews it. `reason` is shown while it
/// exists (it is erased with the clinician or the patient).
public struct BreakGlassInfo: Codable, Hashable, Sendable {
    public var breakGlassID: Int
    public var clinicianID: String
    public var patientID: String
    public var startedAt: Int64
    public var endsAt: Int64
    public var reviewedAt: Int64?
    public var reviewedBy: String?
    public var verdict: String?
    /// Unreviewed more than 72 hours after it started.
    public var overdue: Bool
    public var reason: String?

    public init(
        breakGlassID: Int, clinicianID: String, patientID: String, startedAt: Int64, endsAt: Int64, reviewedAt: Int64?,
        reviewedBy: String?, verdict: String?, overdue: Bool, reason: String?
    ) {
        self.breakGlassID = breakGlassID
        self.clinicianID = clinicianID
        self.patientID = patientID
        self.startedAt = startedAt
        self.endsAt = endsAt
        self.reviewedAt = reviewedAt
        self.reviewedBy = reviewedBy
        self.verdict = verdict
        self.overdue = overdue
        self.reason = reason
    }
}

/// A patient's request to amend an entry of their record, and the clinic's answer.
public struct AmendmentInfo: Codable, Hashable, Sendable {
    public var amendmentID: String
    public var patientID: String
    public var entryID: String
    public var section: String
    public var requestedAt: Int64
    /// The clinic answers within 60 days (HIPAA 164.526(b)(2)).
    public var dueAt: Int64
    /// `requested`, `accepted` or `denied`.
    public var status: String
    /// What the patient asked.
    public var request: String
    public var decidedBy: String?
    public var decidedAt: Int64?
    /// Why it was denied.
    public var response: String?
    /// The version that made an accepted amendment.
    public var versionID: String?
    public var overdue: Bool
    /// After a denial: the patient's statement of disagreement, and when it was filed.
    public var disagreement: String?
    public var disagreedAt: Int64?

    public init(
        amendmentID: String, patientID: String, entryID: String, section: String, requestedAt: Int64, dueAt: Int64, status: String,
        request: String, decidedBy: String?, decidedAt: Int64?, response: String?, versionID: String?, overdue: Bool,
        disagreement: String? = nil, disagreedAt: Int64? = nil
    ) {
        self.amendmentID = amendmentID
        self.patientID = patientID
        self.entryID = entryID
        self.section = section
        self.requestedAt = requestedAt
        self.dueAt = dueAt
        self.status = status
        self.request = request
        self.decidedBy = decidedBy
        self.decidedAt = decidedAt
        self.response = response
        self.versionID = versionID
        self.overdue = overdue
        self.disagreement = disagreement
        self.disagreedAt = disagreedAt
    }
}
