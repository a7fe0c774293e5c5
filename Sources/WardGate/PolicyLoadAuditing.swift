public import WardAudit
public import WardPolicy
import WardCrypto

/// Records policy loads in the audit log, so that which rules were in force, and every
/// attempt to change them, can be proved later.
public enum PolicyLoadAuditing {
    /// A requirement for `PolicyStore`: every policy id must be an audit identifier (at most 128
    /// of `A-Z a-z 0-9 . _ : / + = -`), so that every decision's deciding policies can be named
    /// in its audit entry.
    public static let idsAreAuditIdentifiers: PolicyStore.Requirement = { set in
        for policy in set.policies where !EntryCodec.isIdentifier(policy.id) || policy.id.isEmpty {
            throw PolicyIDError(id: policy.id, location: policy.location)
        }
    }

    /// An observer for `PolicyStore` that appends one `policy.load` entry per load: action E,
    /// outcome success (accepted) or minor failure (refused, old set kept), the set's hash as
    /// object id and policy-set hash. The refusal's text (file:line:col, failing tests) is not
    /// an identifier, so it stays out of the entry; the store's caller shows it to the operator.
    public static func observer(log: AuditLog, actorID: String = "system:policy") -> PolicyStore.Observer {
        { event in
            let hash = Hex.decode(event.hash).flatMap(Hash32.init(bytes:))
            try await log.append(
                AuditEvent(
                    type: "policy.load", action: .execute, outcome: event.accepted ? .success : .minorFailure,
                    actorID: actorID, actorRole: "system", objectType: "policy-set", objectID: event.hash,
                    policySetHash: hash,
                    details: ["accepted": event.accepted ? "true" : "false", "policies": "\(event.policyCount)"]
                ))
        }
    }
}

/// A policy id that cannot be written in an audit entry.
public struct PolicyIDError: Error, CustomStringConvertible {
    public var id: String
    public var location: SourceLocation
    public var description: String {
        "\(location): policy id \"\(id)\" cannot be named in audit entries: use at most 128 of A-Z a-z 0-9 . _ : / + = -"
    }
}
