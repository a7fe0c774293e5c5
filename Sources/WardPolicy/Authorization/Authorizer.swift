/// Allow or deny.
public enum Decision: String, Hashable, Sendable {
    case allow = "Allow"
    case deny = "Deny"
}

/// A policy that could not be evaluated for a request; it was skipped.
public struct PolicyEvaluationError: Hashable, Sendable, CustomStringConvertible {
    public var policyID: String
    public var message: String
    public var description: String { "\(policyID): \(message)" }
}

/// The answer to a request.
public struct AuthorizationResponse: Hashable, Sendable {
    public var decision: Decision
    /// Ids of the policies that determined the decision: the satisfied forbids for a Deny, the
    /// satisfied permits for an Allow, none for a default Deny. In policy-set order.
    public var determiningPolicies: [String]
    /// Policies skipped because they errored.
    public var errors: [PolicyEvaluationError]
    /// The annotations of the determining policies (obligations such as `@audit("critical")`),
    /// by policy id.
    public var obligations: [String: [String: String]]
}

/// A policy set compiled for fast decisions: policies are indexed by the action they name, so
/// a decision looks only at the policies that can apply to its action, and the scope is
/// checked before any condition.
public struct CompiledPolicySet: Sendable {
    public let policies: [Policy]
    /// Policies whose action constraint is `action` (any action).
    private let anyAction: [Int]
    /// Policies naming an action (`==` or `in`), by that action.
    private let byAction: [EntityUID: [Int]]

    /// Compiles `policies`; throws when two policies share an id.
    public init(_ policies: [Policy]) throws {
        var seen: [String: SourceLocation] = [:]
        for policy in policies {
            if let first = seen[policy.id] {
                throw PolicyParseError(policy.location, "policy id \"\(policy.id)\" is already used at \(first)")
            }
            seen[policy.id] = policy.location
        }
        self.policies = policies
        var any: [Int] = []
        var index: [EntityUID: [Int]] = [:]
        for (i, policy) in policies.enumerated() {
            switch policy.action {
            case .any: any.append(i)
            case let .equal(uid): index[uid, default: []].append(i)
            case let .in(uids): for uid in Set(uids) { index[uid, default: []].append(i) }
            }
        }
        anyAction = any
        byAction = index
    }

    /// Decides `request` against `entities` with Cedar's semantics: any satisfied forbid denies;
    /// otherwise any satisfied permit allows; otherwise deny. Erroring policies are skipped
    /// and reported. Order and duplicates of policies do not change the decision.
    public func authorize(_ request: AuthorizationRequest, entities: EntityStore) -> AuthorizationResponse {
        let evaluator = Evaluator(request: request, entities: entities)
        var candidates = anyAction
        if let direct = byAction[request.action] { candidates += direct }
        for ancestor in entities.ancestors(of: request.action) {
            if let viaGroup = byAction[ancestor] { candidates += viaGroup }
        }
        candidates.sort()
        var permits: [Int] = [], forbids: [Int] = []
        var errors: [PolicyEvaluationError] = []
        var previous = -1
        for i in candidates where i != previous {
            previous = i
            let policy = policies[i]
            do {
                guard try Self.satisfied(policy, request: request, evaluator: evaluator) else { continue }
                if policy.effect == .forbid { forbids.append(i) } else { permits.append(i) }
            } catch {
                errors.append(PolicyEvaluationError(policyID: policy.id, message: error.description))
            }
        }
        let determining = forbids.isEmpty ? permits : forbids
        let decision: Decision = forbids.isEmpty && !permits.isEmpty ? .allow : .deny
        var obligations: [String: [String: String]] = [:]
        for i in determining where policies[i].annotations.count > (policies[i].annotations["id"] == nil ? 0 : 1) {
            obligations[policies[i].id] = policies[i].annotations.filter { $0.key != "id" }
        }
        return AuthorizationResponse(
            decision: decision, determiningPolicies: determining.map { policies[$0].id }, errors: errors, obligations: obligations)
    }

    /// True when the policy's scope matches and every condition holds.
    static func satisfied(_ policy: Policy, request: AuthorizationRequest, evaluator: Evaluator) throws(EvaluationError) -> Bool {
        guard scopeMatches(policy.principal, request.principal, evaluator.entities),
            actionMatches(policy.action, request.action, evaluator.entities),
            scopeMatches(policy.resource, request.resource, evaluator.entities)
        else { return false }
        for condition in policy.conditions {
            guard case let .bool(holds) = try evaluator.evaluate(condition.body) else {
                throw .type(expected: "Bool", got: try evaluator.evaluate(condition.body).typeName, operation: condition.isWhen ? "when" : "unless")
            }
            if holds != condition.isWhen { return false }
        }
        return true
    }

    static func scopeMatches(_ constraint: ScopeConstraint, _ uid: EntityUID, _ entities: EntityStore) -> Bool {
        switch constraint {
        case .any: return true
        case let .equal(target): return uid == target
        case let .in(group): return entities.isDescendant(uid, of: group)
        case let .is(type): return uid.type == type
        case let .isIn(type, group): return uid.type == type && entities.isDescendant(uid, of: group)
        }
    }

    static func actionMatches(_ constraint: ActionConstraint, _ uid: EntityUID, _ entities: EntityStore) -> Bool {
        switch constraint {
        case .any: return true
        case let .equal(target): return uid == target
        case let .in(groups): return groups.contains { entities.isDescendant(uid, of: $0) }
        }
    }
}
