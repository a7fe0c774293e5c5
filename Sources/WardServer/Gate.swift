public import WardAudit
public import WardPolicy
public import WardStore
import WardCrypto
public import WardProtocol

/// The one path every request takes before it acts: the session has been authenticated (or the
/// request is a sign-in), the policies decide, the decision is written to the audit log, and
/// only then does the handler act. If the audit entry cannot be written, nothing happens.
public struct Gate: Sendable {
    public let database: WardDatabase
    public let policies: PolicyStore
    public let audit: AuditLog

    public init(database: WardDatabase, policies: PolicyStore, audit: AuditLog) {
        (self.database, self.policies, self.audit) = (database, policies, audit)
    }

    /// What is being asked, in the policies' terms, and how the audit entry describes it.
    public struct Request: Sendable {
        public var principal: UserRecord
        public var action: PolicyAction
        public var resource: Entity
        public var context: [String: Value]
        /// Audit description: event type, action code, object, whose data.
        public var event: String
        public var code: AuditEvent.Action
        public var objectType: String
        public var objectID: String
        public var subjectID: String
        /// Whether the session was signed in with a second factor (context.secondFactor).
        public var secondFactor: Bool
        /// Who the audit entry names as actor when that is not the principal: the member who
        /// invites, when the question is whether the invitee may be in the room.
        public var auditActor: UserRecord?
        /// More for the audit entry (identifiers only).
        public var details: [String: String] = [:]
        /// Commitments to erasable text the entry refers to (audit/FORMAT.md §7).
        public var commitments: [Hash32] = []

        /// This request with `details` added to its audit entry.
        public func with(details more: [String: String]) -> Request {
            var copy = self
            copy.details.merge(more) { _, new in new }
            return copy
        }

        public init(
            principal: UserRecord, action: PolicyAction, resource: Entity, context: [String: Value] = [:], event: String,
            code: AuditEvent.Action, objectType: String, objectID: String, subjectID: String = "", secondFactor: Bool = false
        ) {
            self.principal = principal
            self.action = action
            self.resource = resource
            self.context = context
            self.event = event
            self.code = code
            self.objectType = objectType
            self.objectID = objectID
            self.subjectID = subjectID
            self.secondFactor = secondFactor
        }
    }

    /// The decision, already audited.
    public struct Outcome: Sendable {
        public var response: AuthorizationResponse
        public var receipt: AuditReceipt
        public var allowed: Bool { response.decision == .allow }
    }

    /// Decides and audits. `extraDetails` go into the audit entry (identifiers only).
    public func decide(_ request: Request, extraDetails: [String: String] = [:]) async throws -> Outcome {
        let patients = try database.patients(ofClinician: request.principal.id)
        var entities = ClinicModel.staticEntities
        entities.append(ClinicModel.principal(request.principal, careTeamsOf: patients))
        // The resource is added unless it is already there (the service, or the principal itself).
        if !entities.contains(where: { $0.uid == request.resource.uid }) { entities.append(request.resource) }
        let store = try EntityStore(entities)
        var context = request.context
        context["secondFactor"] = .bool(request.secondFactor)
        let (response, hash) = policies.authorize(
            AuthorizationRequest(
                principal: ClinicModel.user(request.principal.id), action: ClinicModel.action(request.action),
                resource: request.resource.uid, context: context),
            entities: store
        )
        var details = request.details.merging(extraDetails) { _, new in new }
        if !response.errors.isEmpty { details["policy-errors"] = "\(response.errors.count)" }
        if response.determiningPolicies.count > EntryCodec.maxListCount { details["deciding-policies"] = "\(response.determiningPolicies.count)" }
        let critical = response.obligations.values.contains { $0["audit"] == "critical" }
        if critical { details["severity"] = "critical" }
        let receipt = try await audit.append(
            AuditEvent(
                type: request.event, action: request.code, outcome: response.decision == .allow ? .success : .minorFailure,
                actorID: (request.auditActor ?? request.principal).id, actorRole: (request.auditActor ?? request.principal).role.rawValue,
                objectType: request.objectType, objectID: request.objectID, subjectID: request.subjectID,
                decision: response.decision == .allow ? .allow : .deny,
                // Ids are audit identifiers (the store refuses sets where they are not); beyond 32
                // deciding policies the entry records the first 32 and the count.
                policyIDs: Array(response.determiningPolicies.prefix(EntryCodec.maxListCount)),
                policySetHash: Hash32(bytes: hash), commitments: request.commitments, details: details
            ))
        return Outcome(response: response, receipt: receipt)
    }

    /// Decides and audits, and throws `Denied` unless the policies allow: the one way a handler
    /// asks before it acts. The dispatcher turns `Denied` into the `denied` reply, with the
    /// deciding policies.
    @discardableResult
    public func require(_ request: Request, extraDetails: [String: String] = [:]) async throws -> Outcome {
        let outcome = try await decide(request, extraDetails: extraDetails)
        guard outcome.allowed else { throw Denied(policies: outcome.response.determiningPolicies) }
        return outcome
    }

    /// Audits an event that no policy decides (a sign-in for an unknown username, a protocol
    /// violation), with the actor as an opaque id or "anonymous".
    @discardableResult
    public func record(
        _ event: String, code: AuditEvent.Action, outcome: AuditEvent.Outcome, actorID: String = "anonymous",
        actorRole: String = "none", objectType: String = "service", objectID: String = "ward", subjectID: String = "",
        commitments: [Hash32] = [], details: [String: String] = [:]
    ) async throws -> AuditReceipt {
        try await audit.append(
            AuditEvent(
                type: event, action: code, outcome: outcome, actorID: actorID, actorRole: actorRole,
                objectType: objectType, objectID: objectID, subjectID: subjectID, commitments: commitments,
                details: details))
    }
}

/// A denial by the policies, carried to the reply (`Gate.require`).
struct Denied: Error {
    var policies: [String]
}
