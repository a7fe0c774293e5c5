public import WardAudit
public import WardPolicy
internal import WardCrypto

/// Records policy loads in the audit log, so that which rules were in force, and every
/// attempt to change them, can be proved later.
public enum PolicyLoadAuditing {
    /// An observer for `PolicyStore` that appends one `policy.load` entry per load: action E,
    /// outcome success (accepted) or minor failure (refused, old set kept), the set's hash as
    /// object id and policy-set hash. The refusal's text (file:line:col, failing tests) is not
    /// an identifier, so it stays out of the entry; the store's caller shows it to the operator.
    public static func observer(log: AuditLog, actorID: String = "system:policy") -> PolicyStore.Observer {
        { event in
            let hash = Hex.decode(event.hash).flatMap(Hash32.init(bytes:))
            try await log.append(AuditEvent(
                type: "policy.load", action: .execute, outcome: event.accepted ? .success : .minorFailure,
                actorID: actorID, actorRole: "system", objectType: "policy-set", objectID: event.hash,
                policySetHash: hash,
                details: ["accepted": event.accepted ? "true" : "false", "policies": "\(event.policyCount)"]
            ))
        }
    }
}
