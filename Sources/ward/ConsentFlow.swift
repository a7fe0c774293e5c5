import WardClient
import WardCommandLine
import WardProtocol
import WardTerminal

/// Showing, granting and withdrawing consent, the same for `ward consent` and the screen's
/// /consent: a grant always shows the text in force first and asks, and names the version
/// shown, so nobody agrees to a text they were not shown.
enum ConsentFlow {
    /// Runs `action`; `ask` shows the text and puts a short yes/no question (nil: cancelled).
    /// Returns the lines to show.
    static func run(
        _ action: ConsentAction, purpose name: String?, on connection: WardConnection,
        ask: @Sendable (_ text: [String], _ question: String) async -> String?
    ) async throws -> [String] {
        let listed = try await connection.request(ConsentList())
        let purposes = listed.consentPurposes
        func named() throws -> ConsentPurposeInfo {
            guard let purpose = purposes.first(where: { $0.purpose == name?.lowercased() }) else {
                throw UsageError("no purpose is called \(name ?? ""); the purposes are \(purposes.map(\.purpose).joined(separator: ", "))")
            }
            return purpose
        }
        switch action {
        case .list:
            return PrivacyText.consentLines(purposes: purposes, records: listed.consents)
                + ["/consent show PURPOSE reads a text; /consent grant PURPOSE or /consent withdraw PURPOSE changes it"]
        case .show:
            return PrivacyText.consentText(try named())
        case .grant:
            let purpose = try named()
            guard let answer = await ask(PrivacyText.consentText(purpose), "Do you agree to \(purpose.purpose), version \(purpose.version)? (y/n)"),
                answer.lowercased().hasPrefix("y")
            else {
                return ["Nothing was changed: consent to \(purpose.purpose) was not given"]
            }
            let reply = try await connection.request(ConsentGrant(purpose: purpose.purpose, consentVersion: purpose.version))
            return ["Consent to \(purpose.purpose) given (version \(purpose.version)); /consent withdraw \(purpose.purpose) takes it back"]
                + PrivacyText.consentLines(purposes: reply.consentPurposes, records: reply.consents).filter {
                    $0.hasPrefix(purpose.purpose)
                }
        case .withdraw:
            let purpose = try named()
            _ = try await connection.request(ConsentWithdraw(purpose: purpose.purpose))
            return ["Consent to \(purpose.purpose) withdrawn; it takes effect from your next request"]
        }
    }
}
