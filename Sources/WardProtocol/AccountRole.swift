/// The roles an account can have (policies/README.md, "Entities the server supplies"): the
/// `role` of `user.create`, `notification.announce` and every session reply.
public enum AccountRole: String, CaseIterable, Codable, Sendable {
    case doctor = "Doctor", nurse = "Nurse", patient = "Patient", other = "Other"
    case admin = "Admin", privacyOfficer = "PrivacyOfficer"
    /// Not staff: an auditor checks the audit log and takes no part in care or messaging.
    case auditor = "Auditor"

    /// Doctors and nurses: the roles that see patients, keep hours and sit on care teams.
    public var isClinician: Bool { self == .doctor || self == .nurse }

    /// The names, for messages that list them.
    public static var names: String { allCases.map(\.rawValue).joined(separator: ", ") }
}
