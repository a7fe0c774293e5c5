import Foundation
import WardAudit
import WardPolicy
import WardProtocol
import WardStore

/// Log-in monitoring (HIPAA 164.308(a)(5)(ii)(C)): failed sign-ins since a time, by account and
/// by source address, from the audit log's `auth.login` failures and the addresses they commit
/// to; a burst (many failures within ten minutes) is flagged, as someone guessing looks.
enum SignInMonitor {
    /// What an address commitment's text starts with, so that other erasable texts are never
    /// taken for one.
    static let sourcePrefix = "sign-in-source:"
    /// A burst: this many failures within `burstSeconds`.
    static let burstFailures = 10
    static let burstSeconds: Int64 = 600

    static func report(log directory: String, texts: ErasableTextStore, since: Int64) throws -> SignInReport {
        var byAccount: [String: [Int64]] = [:]
        var bySource: [String: (times: [Int64], accounts: Set<String>)] = [:]
        // `walk`, not `forEachEntry`: the log is being written, and a frame half-written at its
        // end is where the walk stops, not damage.
        try AuditLogReader(directory: directory).walk(from: 0) { entry in
            let event = entry.event
            let time = Int64(entry.timeMicros / 1_000_000)
            guard event.type == "auth.login", event.outcome != .success, time >= since,
                ["invalid-credentials", "invalid-second-factor"].contains(event.details["reason"] ?? "")
            else { return true }
            let account = event.actorID == "anonymous" ? "unknown" : event.actorID
            byAccount[account, default: []].append(time)
            for commitment in event.commitments {
                guard let text = try? texts.reveal(commitment), text.hasPrefix(sourcePrefix) else { continue }
                let address = String(text.dropFirst(sourcePrefix.count))
                bySource[address, default: ([], [])].times.append(time)
                bySource[address, default: ([], [])].accounts.insert(account)
            }
            return true
        }
        let accounts = byAccount.map { failures($0.key, $0.value) }
        let sources = bySource.map { key, value in
            var line = failures(key, value.times)
            line.accounts = value.accounts.count
            return line
        }
        func mostFirst(_ a: SignInFailures, _ b: SignInFailures) -> Bool { (a.failures, b.key) > (b.failures, a.key) }
        return SignInReport(accounts: accounts.sorted(by: mostFirst), sources: sources.sorted(by: mostFirst), since: since)
    }

    /// One key's failures, in log order (so in time order), with the burst flag: a window of
    /// `burstFailures` consecutive failures spanning at most `burstSeconds`.
    static func failures(_ key: String, _ times: [Int64]) -> SignInFailures {
        let burst =
            times.count >= burstFailures
            && (0...(times.count - burstFailures)).contains { times[$0 + burstFailures - 1] - times[$0] <= burstSeconds }
        return SignInFailures(key: key, failures: times.count, firstAt: times.first ?? 0, lastAt: times.last ?? 0, burst: burst)
    }
}

extension OversightService {
    /// `security.signins`: Admins (the security officer's duty, HIPAA 164.308(a)(2)) read who
    /// failed to sign in and from where, decided and audited like every other read.
    func signInReport(_ report: SecuritySignIns, _ user: UserRecord) async throws -> Reply.SignIns {
        let since = report.startsAt ?? Clock.nowSeconds() - 7 * 86_400
        var audited = Gate.Request(
            principal: user, action: .securitySignIns, resource: Entity(uid: ClinicModel.service),
            event: RequestType.securitySignIns.rawValue, code: .read, objectType: "service", objectID: "ward",
            secondFactor: hasSecondFactor)
        audited.details = ["since": "\(since)"]
        try await context.gate.require(audited)
        return Reply.SignIns(signInReport: try SignInMonitor.report(log: context.gate.audit.directory, texts: context.auditTexts, since: since))
    }
}
