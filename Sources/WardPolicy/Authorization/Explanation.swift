/// Why a request got its decision: for every policy, whether its scope matched, and the value
/// of each condition (and of each `&&` part of it), so a denied request shows which condition
/// was false.
public struct Explanation: Sendable {
    public struct PolicyTrace: Sendable {
        public var id: String
        public var effect: Effect
        public var location: SourceLocation
        /// "principal", "action", "resource" constraints that did not match.
        public var scopeMismatches: [String]
        /// Each condition: its keyword, its text, and what it evaluated to.
        public var conditions: [(keyword: String, text: String, value: String)]
        /// satisfied, not applicable (scope), condition not met, or error.
        public var verdict: String
    }

    public var response: AuthorizationResponse
    public var policies: [PolicyTrace]

    /// A readable report.
    public var text: String {
        var lines = [
            "decision: \(response.decision.rawValue)"
                + (response.determiningPolicies.isEmpty
                    ? " (no policy applied: default deny)" : " by \(response.determiningPolicies.joined(separator: ", "))")
        ]
        for trace in policies {
            lines.append("\(trace.effect.rawValue) \(trace.id) (\(trace.location)): \(trace.verdict)")
            if !trace.scopeMismatches.isEmpty { lines.append("    scope does not match: \(trace.scopeMismatches.joined(separator: ", "))") }
            for condition in trace.conditions { lines.append("    \(condition.keyword) \(condition.text) → \(condition.value)") }
        }
        return lines.joined(separator: "\n")
    }
}

extension CompiledPolicySet {
    /// Decides `request` and explains every policy's part in the decision.
    public func explain(_ request: AuthorizationRequest, entities: EntityStore) -> Explanation {
        let evaluator = Evaluator(request: request, entities: entities)
        var traces: [Explanation.PolicyTrace] = []
        for policy in policies {
            var mismatches: [String] = []
            if !Self.scopeMatches(policy.principal, request.principal, entities) { mismatches.append("principal") }
            if !Self.actionMatches(policy.action, request.action, entities) { mismatches.append("action") }
            if !Self.scopeMatches(policy.resource, request.resource, entities) { mismatches.append("resource") }
            var conditions: [(keyword: String, text: String, value: String)] = []
            var verdict = mismatches.isEmpty ? "satisfied" : "not applicable (scope)"
            if mismatches.isEmpty {
                for condition in policy.conditions {
                    let keyword = condition.isWhen ? "when" : "unless"
                    for part in Self.conjuncts(condition.body) {
                        let value: String
                        do { value = "\(try evaluator.evaluate(part))" } catch { value = "error: \(error)" }
                        conditions.append((keyword, CedarText.render(part), value))
                    }
                }
                do {
                    if try !Self.satisfied(policy, request: request, evaluator: evaluator) { verdict = "condition not met" }
                } catch {
                    verdict = "error (skipped): \(error)"
                }
            }
            traces.append(
                .init(
                    id: policy.id, effect: policy.effect, location: policy.location, scopeMismatches: mismatches, conditions: conditions,
                    verdict: verdict))
        }
        return Explanation(response: authorize(request, entities: entities), policies: traces)
    }

    static func conjuncts(_ expression: Expression) -> [Expression] {
        if case let .and(a, b) = expression { return conjuncts(a) + conjuncts(b) }
        return [expression]
    }
}
