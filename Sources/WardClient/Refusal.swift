public import WardProtocol

/// A refusal in words a person can act on (issue 20): what the refusal means and, where they can
/// resolve it, how; the deciding policy's id follows as a detail for whoever asks the clinic.
public enum Refusal {
    /// What a refusal by each of these policies (policies/*.cedar) means to the person refused.
    static let meanings: [String: String] = [
        "care-messaging-needs-consent":
            "messages in a care room need the patient's consent to messaging (the patient gives it with /consent grant messaging in ward)",
        "sharing-needs-consent": "sharing a record needs the patient's consent to record sharing",
        "staff-need-second-factor": "staff accounts need a second factor first (set one up at sign-in, or with wardctl totp enroll)",
        "other-staff-not-in-care-rooms": "staff without a clinical role do not take part in patients' care rooms",
        "patients-find-their-care-team": "patients find only the clinicians on their care team",
        "other-staff-do-not-find-patients": "staff without a clinical role do not look up patients",
        "only-doctors-withhold": "only doctors withhold part of a record from its patient"
    ]

    /// The words for a server's refusal: a denial by a policy above in its meaning, any other in
    /// its code and message.
    public static func text(_ code: ErrorCode, _ message: String, policies: [String]) -> String {
        let ids = policies.prefix(32).map { PrintableText.safe($0, limit: 128) }
        guard code == .denied else {
            return "\(code.rawValue): \(PrintableText.safe(message, limit: 500))" + (ids.isEmpty ? "" : " (policies: \(ids.joined(separator: ", ")))")
        }
        let detail = ids.isEmpty ? "" : " (policy \(ids.joined(separator: ", ")))"
        if let meaning = policies.lazy.compactMap({ meanings[$0] }).first { return meaning + detail }
        return "refused by the clinic's policy" + detail
    }
}
