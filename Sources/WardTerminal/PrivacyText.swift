import Foundation
public import WardProtocol

/// How a person's consents and erasure request read on a terminal; `ward consent`, `ward erase`
/// and the screen's /consent and /erase print the same lines.
public enum PrivacyText {
    /// One line per purpose: what it is and where the person stands (given, withdrawn, never given).
    public static func consentLines(purposes: [ConsentPurposeInfo], records: [ConsentInfo]) -> [String] {
        purposes.map { purpose in
            let latest = records.last { $0.purpose == purpose.purpose }
            let state: String
            switch latest {
            case nil: state = "not given"
            case let record? where record.withdrawnAt != nil: state = "withdrawn \(day(record.withdrawnAt ?? 0))"
            case let record?:
                state =
                    record.version == purpose.version
                    ? "given \(day(record.givenAt)) (version \(record.version))"
                    : "given \(day(record.givenAt)) to version \(record.version); version \(purpose.version) is in force: /consent show "
                        + "\(purpose.purpose)"
            }
            return "\(purpose.purpose.padding(toLength: 22, withPad: " ", startingAt: 0)) \(state) — \(purpose.title)"
        }
    }

    /// The text of a purpose, as shown before a grant.
    public static func consentText(_ purpose: ConsentPurposeInfo) -> [String] {
        ["\(purpose.title) (\(purpose.purpose), version \(purpose.version))", purpose.text]
    }

    /// What an erasure request means for the person who filed it.
    public static func erasureLine(_ request: ErasureRequestInfo) -> String {
        switch request.status {
        case "done": return "Your erasure request \(request.requestID) was carried out \(day(request.completedAt ?? 0))."
        default:
            return "Your erasure request \(request.requestID) was filed \(day(request.requestedAt)); the privacy officer must act on it by "
                + "\(day(request.dueAt)). Until then you can keep using Ward; afterwards your account no longer exists."
        }
    }

    /// What is said before an erasure request is filed, and the question then asked.
    public static let erasureExplanation = [
        "This asks the clinic to erase your account and the messages you wrote (GDPR Art. 17).",
        "What the law requires the clinic to keep is kept and listed in the erasure receipt."
    ]
    public static let erasureQuestion = "Type erase to confirm (anything else cancels)"

    static func day(_ seconds: Int64) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd"
        return formatter.string(from: Date(timeIntervalSince1970: TimeInterval(seconds)))
    }
}
