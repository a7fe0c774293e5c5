internal import WardAudit
internal import WardPolicy
internal import WardProtocol
internal import WardStore

/// The purposes a person can consent to (GDPR Art. 6(1)(a), 7, 9(2)(a)), each with the version
/// of its text now in force. A grant names the version agreed to; a new version needs a new grant.
enum ConsentPurposes {
    static let current: [String: String] = [
        "messaging": "1",              // messaging with the care team
        "record-sharing": "1",         // sharing records with the care team
        "appointment-reminders": "1",  // reminders of appointments
        "research": "1",               // use of pseudonymised data for research
    ]
}

/// Consent is the person's own: they grant, withdraw and list it in their session. Policies read
/// it from the request context (`context.consents`), so a withdrawal takes effect on the very
/// next request.
extension Connection {
    func manageConsent(_ type: RequestType, _ request: ClientRequest) async throws -> ServerReply {
        let user = try await signedInWithOwnPassword(request)
        let database = context.gate.database
        var purpose: String?
        var version: String?
        if type != .consentList {
            let named = try require(request.purpose, "purpose")
            guard let current = ConsentPurposes.current[named] else {
                throw ReplyError(code: .badRequest, message: "purpose must be one of \(ConsentPurposes.current.keys.sorted().joined(separator: ", "))")
            }
            if type == .consentGrant {
                let agreed = try require(request.consentVersion, "consentVersion")
                guard agreed == current else {
                    throw ReplyError(code: .badRequest, message: "version \(current) of the \(named) text is in force; show it and grant that version")
                }
                version = agreed
            }
            purpose = named
        }
        var audited = selfRequest(user, type: type, code: type == .consentList ? .read : .update)
        audited.objectType = "consent"
        var details: [String: String] = [:]
        if let purpose { details["purpose"] = purpose }
        if let version { details["version"] = version }
        let outcome = try await context.gate.decide(audited.with(details: details))
        guard outcome.allowed else { throw Denied(policies: outcome.response.determiningPolicies) }
        let now = Clock.nowSeconds()
        switch type {
        case .consentGrant:
            let record = ConsentRecord(userID: user.id, purpose: purpose ?? "", version: version ?? "", givenAt: now, method: "client")
            try await database.write { try WardDatabase.grantConsent(record, in: $0) }
        case .consentWithdraw:
            let userID = user.id, named = purpose ?? ""
            let withdrawn = try await database.write { try WardDatabase.withdrawConsent(userID: userID, purpose: named, at: now, in: $0) }
            guard withdrawn else { throw ReplyError(code: .notFound, message: "there is no standing consent to \(named)") }
        default:
            break
        }
        var reply = ServerReply(id: request.id, type: type.rawValue)
        reply.consents = try database.consents(userID: user.id).map {
            ConsentInfo(purpose: $0.purpose, version: $0.version, givenAt: $0.givenAt, method: $0.method, withdrawnAt: $0.withdrawnAt)
        }
        return reply
    }
}
