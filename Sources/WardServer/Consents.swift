import WardAudit
import WardPolicy
import WardProtocol
import WardStore

/// The purposes a person can consent to (GDPR Art. 6(1)(a), 7, 9(2)(a)), each with the text now
/// in force and its version. A grant names the version agreed to; a new version needs a new
/// grant. The texts are written to be read on a terminal: plain, short, and saying how to withdraw
/// (Art. 7(2) and 7(3)).
enum ConsentPurposes {
    /// A consent as the person (`consent.list`) and their export see it.
    static func info(_ consent: ConsentRecord) -> ConsentInfo {
        ConsentInfo(
            purpose: consent.purpose, version: consent.version, givenAt: consent.givenAt, method: consent.method.rawValue,
            withdrawnAt: consent.withdrawnAt)
    }

    static let all: [ConsentPurposeInfo] = [
        ConsentPurposeInfo(
            purpose: "messaging", version: "1", title: "Messaging with your care team",
            text: """
                Your care team and you can exchange messages in Ward. Messages are end-to-end encrypted: \
                only the members of the conversation can read them. They are kept as part of your care \
                for the clinic's retention period. You can withdraw this consent at any time with \
                /consent withdraw messaging; no new messages can then be sent in your care rooms.
                """),
        // Version 2 (issue 16, item 9): version 1 promised that withdrawing stops the care team
        // reading the record, which no request enforced; treatment needs no consent (HIPAA
        // 164.506(c), GDPR Art. 9(2)(h)). What the consent does control is sharing with another
        // provider (record.share, `sharing-needs-consent`).
        ConsentPurposeInfo(
            purpose: "record-sharing", version: "2", title: "Sharing your record with other providers",
            text: """
                Your doctors may send your patient record to another provider who treats you, such as \
                a specialist or a hospital, only while you consent to it. Ward does not send records \
                to other providers yet; this consent will apply when it does. Your care team reads and \
                updates your record to treat you whether or not you consent, as the law allows, and \
                every access is recorded and shown in your export. You can withdraw at any time.
                """),
        ConsentPurposeInfo(
            purpose: "appointment-reminders", version: "1", title: "Appointment reminders",
            text: """
                Ward reminds you of your appointments (by default a day and an hour before). Reminders \
                name the time and place, not the reason for the visit. You can withdraw at any time.
                """),
        ConsentPurposeInfo(
            purpose: "research", version: "1", title: "Research on pseudonymised data",
            text: """
                The clinic may use your data, with your name and contact details removed, for research \
                approved by an ethics committee. Saying no changes nothing in your care. You can \
                withdraw at any time; data already used in a study cannot be taken back out of it.
                """)
    ]

    /// Purpose → the version of its text in force.
    static let current: [String: String] = Dictionary(uniqueKeysWithValues: all.map { ($0.purpose, $0.version) })
}

/// Consent is the person's own: they grant, withdraw and list it in their session. Policies read
/// it from the request context (`context.consents`), so a withdrawal takes effect on the very
/// next request.
extension PrivacyService {
    /// consent.grant (`purpose` and the `agreed` version), consent.withdraw (`purpose`),
    /// consent.list (neither): the change, then the person's consents and the texts in force.
    func manageConsent(
        _ type: RequestType, purpose named: String?, agreed: String?, _ user: UserRecord
    ) async throws -> Reply.Consents {
        let database = context.gate.database
        var purpose: String?
        var version: String?
        if let named {
            guard let current = ConsentPurposes.current[named] else {
                throw ReplyError(
                    code: .badRequest, message: "purpose must be one of \(ConsentPurposes.current.keys.sorted().joined(separator: ", "))")
            }
            if let agreed {
                guard agreed == current else {
                    throw ReplyError(
                        code: .badRequest, message: "version \(current) of the \(named) text is in force; show it and grant that version")
                }
                version = agreed
            }
            purpose = named
        }
        var audited = try selfRequest(user, type: type, code: type == .consentList ? .read : .update)
        audited.objectType = "consent"
        var details: [String: String] = [:]
        if let purpose { details["purpose"] = purpose }
        if let version { details["version"] = version }
        try await context.gate.require(audited.with(details: details))
        let now = Clock.nowSeconds()
        switch type {
        case .consentGrant:
            let record = ConsentRecord(userID: user.id, purpose: purpose ?? "", version: version ?? "", givenAt: now, method: .client)
            try await database.write { try $0.grantConsent(record) }
        case .consentWithdraw:
            let userID = user.id, named = purpose ?? ""
            let withdrawn = try await database.write { try $0.withdrawConsent(userID: userID, purpose: named, at: now) }
            guard withdrawn else { throw ReplyError(code: .notFound, message: "there is no standing consent to \(named)") }
        default:
            break
        }
        return Reply.Consents(consents: try database.consents(userID: user.id).map(ConsentPurposes.info), consentPurposes: ConsentPurposes.all)
    }
}
