/// The sections of a patient's record, each one FHIR R4 resource type (docs/RECORDS.md).
public enum RecordSection: String, CaseIterable, Sendable {
    case demographics, allergies, medications, problems, notes
}
