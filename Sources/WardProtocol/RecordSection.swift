/// A section of a patient's record (docs/RECORDS.md): each holds entries of one FHIR R4
/// resource type. On the wire it is its name.
public enum RecordSection: String, CaseIterable, Codable, Sendable {
    case demographics, allergies, medications, problems, notes

    /// The FHIR R4 resource type of the section's entries.
    public var resourceType: String {
        switch self {
        case .demographics: "Patient"
        case .allergies: "AllergyIntolerance"
        case .medications: "MedicationStatement"
        case .problems: "Condition"
        case .notes: "DocumentReference"
        }
    }

    /// The names, for messages that list them.
    public static var names: String { allCases.map(\.rawValue).joined(separator: ", ") }
}

/// Why a version of a record entry is withheld from the patient's own view: HIPAA
/// 164.524(a)(1)(i) (psychotherapy notes) and (a)(3)(i) (a licensed professional judged access
/// reasonably likely to endanger the life or safety of the patient or another person).
public enum WithholdingBasis: String, CaseIterable, Codable, Sendable {
    case psychotherapyNotes = "psychotherapy-notes"
    case endangerment

    /// The names, for messages that list them.
    public static var names: String { allCases.map(\.rawValue).joined(separator: ", ") }
}
