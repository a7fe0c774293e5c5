import Foundation
import WardAudit
import WardCrypto
import WardProtocol
import WardStore

/// The retention job: removes what has been kept as long as the registry says (sessions past
/// their limits, messages past the clinic's retention period, proof records past six years),
/// except what a legal hold keeps, and writes a purge receipt into the audit log every run —
/// counts and hashes of what went, and what expired but is still there — so a purge that fails,
/// or stops running, shows in the log.
struct RetentionJob: Sendable {
    let context: ServerContext

    /// Rows deleted per write, so other writers go in between.
    static let chunk = 2000

    func run(actorID: String = "system:retention", actorRole: String = "system") async throws -> PurgeReceipt {
        let database = context.gate.database
        let now = Clock.nowSeconds()
        let holds = try database.legalHolds()
        var periods = context.retention
        periods.sessionIdleSeconds = context.limits.idleSeconds
        periods.sessionLifetimeSeconds = context.limits.lifetimeSeconds
        let rules = RetentionRule.standard(now: now, periods: periods, heldUsers: holds.compactMap(\.userID), heldRooms: holds.compactMap(\.roomID))
        var items: [PurgeItem] = []
        var details: [String: String] = [:]
        var remaining = 0
        var failure: (any Error)?
        for rule in rules {
            var keys: [String] = []
            do {
                while true {
                    let batch = try await database.write { transaction in
                        let keys = try transaction.expiredKeys(rule, limit: Self.chunk)
                        _ = try transaction.deleteRows(rule, keys: keys)
                        return keys
                    }
                    keys += batch
                    if batch.count < Self.chunk { break }
                }
                remaining += try database.countExpired(rule)
            } catch {
                failure = error
            }
            let digest = Hex.encode(SHA256Hash.digest(Array(keys.map { $0 + "\n" }.joined().utf8)))
            items.append(PurgeItem(table: rule.table, purged: keys.count, sha256: digest, cutoff: rule.cutoff))
            details[rule.table] = "\(keys.count)"
            if !keys.isEmpty { details[rule.table + "-sha256"] = digest }
            if failure != nil { break }
        }
        if items.contains(where: { $0.purged > 0 }) { _ = await database.truncateWriteAheadLog() }
        details["remaining"] = "\(remaining)"
        details["holds"] = "\(holds.count)"
        if failure != nil { details["reason"] = "purge-failed" }
        let receipt = try await context.gate.record(
            "retention.purge", code: .delete, outcome: failure == nil && remaining == 0 ? .success : .seriousFailure,
            actorID: actorID, actorRole: actorRole, details: details)
        if let failure { throw failure }
        return PurgeReceipt(ranAt: now, items: items, remaining: remaining, auditSeq: Int(receipt.seq))
    }

}
