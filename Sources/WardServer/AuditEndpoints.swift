import WardAudit
import WardPolicy
import WardProtocol
import WardStore

/// `audit.proof`: proofs auditors check offline with `auditctl verify-proof`, against
/// checkpoints the log has signed. A proof carries its entry (who did what to whom), so it goes
/// only to those the policies allow (auditors and privacy officers, with a second factor), and
/// every request is audited (issue 16, item 1). The checkpoint alone (size and root) stays
/// public at /v1/audit/checkpoint.
extension OversightService {
    func auditProof(_ proof: AuditProof, _ user: UserRecord) async throws -> Reply.AuditProof {
        guard (proof.seq == nil) != (proof.from == nil) else {
            throw ReplyError(code: .badRequest, message: "give seq (an inclusion proof of that entry) or from (a consistency proof from that size)")
        }
        var query: [String: String] = [:]
        query["seq"] = proof.seq.map(String.init)
        query["size"] = proof.size.map(String.init)
        query["from"] = proof.from.map(String.init)
        var audited = Gate.Request(
            principal: user, action: .auditProof, resource: Entity(uid: ClinicModel.service),
            event: RequestType.auditProof.rawValue, code: .read, objectType: "service", objectID: "ward",
            secondFactor: hasSecondFactor)
        audited.details = query
        try await context.gate.require(audited)
        do {
            return Reply.AuditProof(auditProof: try AuditEndpoints.proof(directory: context.gate.audit.directory, query: query))
        } catch let failure as AuditEndpoints.Failure {
            switch failure {
            case let .badQuery(why): throw ReplyError(code: .badRequest, message: why)
            case let .notFound(why): throw ReplyError(code: .notFound, message: why)
            }
        }
    }
}

enum AuditEndpoints {
    enum Failure: Error, CustomStringConvertible {
        case badQuery(String)
        case notFound(String)
        var description: String {
            switch self {
            case let .badQuery(why), let .notFound(why): return why
            }
        }
    }

    /// `seq=N` (and optionally `size=M`): inclusion proof of entry N in the checkpoint of size M
    /// (default the newest). `from=M`: consistency proof from the checkpoint of size M to the
    /// newest.
    static func proof(directory: String, query: [String: String]) throws -> String {
        let reader = try AuditLogReader(directory: directory)
        guard let newest = try reader.newestCheckpoint() else { throw Failure.notFound("the log has no checkpoint yet") }
        func number(_ name: String) throws -> UInt64? {
            guard let text = query[name] else { return nil }
            guard let value = UInt64(text) else { throw Failure.badQuery("\(name) must be a whole number") }
            return value
        }
        if let from = try number("from") {
            guard let old = try reader.checkpoint(ofSize: from) else { throw Failure.notFound("no checkpoint of size \(from)") }
            return try reader.consistencyProof(from: old, to: newest).text
        }
        guard let seq = try number("seq") else { throw Failure.badQuery("give seq=N (inclusion) or from=M (consistency)") }
        let checkpoint: SignedCheckpoint
        if let size = try number("size") {
            guard let match = try reader.checkpoint(ofSize: size) else { throw Failure.notFound("no checkpoint of size \(size)") }
            checkpoint = match
        } else {
            checkpoint = newest
        }
        guard seq < checkpoint.checkpoint.size else {
            throw Failure.notFound("entry \(seq) is not covered by the checkpoint of size \(checkpoint.checkpoint.size)")
        }
        return try reader.inclusionProof(seq: seq, in: checkpoint).text
    }
}
