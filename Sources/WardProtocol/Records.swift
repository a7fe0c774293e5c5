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

    public init(versionID: String, entryID: String, section: String, version: Int, authorID: String, authorRole: String, createdAt: Int64,
                resource: String) {
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

    public init(breakGlassID: Int, clinicianID: String, patientID: String, startedAt: Int64, endsAt: Int64, reviewedAt: Int64?,
                reviewedBy: String?, verdict: String?, overdue: Bool, reason: String?) {
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
