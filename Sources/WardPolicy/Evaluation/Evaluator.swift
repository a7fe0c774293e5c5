/// A request to decide: who (principal) wants to do what (action) to what (resource), with
/// facts about the circumstances (context).
public struct AuthorizationRequest: Hashable, Sendable {
    public var principal: EntityUID
    public var action: EntityUID
    public var resource: EntityUID
    public var context: [String: Value]

    public init(principal: EntityUID, action: EntityUID, resource: EntityUID, context: [String: Value] = [:]) {
        (self.principal, self.action, self.resource, self.context) = (principal, action, resource, context)
    }
}

/// Why an expression could not be evaluated (the policy is then skipped and reported).
public enum EvaluationError: Error, Hashable, Sendable, CustomStringConvertible {
    case type(expected: String, got: String, operation: String)
    case missingAttribute(String, of: String)
    case entityNotFound(EntityUID)
    case overflow(String)

    public var description: String {
        switch self {
        case let .type(expected, got, operation): return "type error: \(operation) expects \(expected), got \(got)"
        case let .missingAttribute(name, of): return "attribute \"\(CedarText.escape(name))\" does not exist on \(of)"
        case let .entityNotFound(uid): return "entity \(uid) does not exist"
        case let .overflow(operation): return "integer overflow in \(operation)"
        }
    }
}

/// Evaluates expressions with Cedar's semantics for one request.
struct Evaluator {
    let request: AuthorizationRequest
    let entities: EntityStore

    func evaluate(_ expression: Expression) throws(EvaluationError) -> Value {
        switch expression {
        case let .literal(value):
            return value
        case let .variable(variable):
            switch variable {
            case .principal: return .entity(request.principal)
            case .action: return .entity(request.action)
            case .resource: return .entity(request.resource)
            case .context: return .record(request.context)
            }
        case let .and(a, b):
            guard try bool(a, "&&") else { return .bool(false) }
            return .bool(try bool(b, "&&"))
        case let .or(a, b):
            if try bool(a, "||") { return .bool(true) }
            return .bool(try bool(b, "||"))
        case let .not(a):
            return .bool(!(try bool(a, "!")))
        case let .negate(a):
            let n = try long(a, "unary -")
            guard n != Int64.min else { throw .overflow("unary -") }
            return .long(-n)
        case let .ifThenElse(c, t, e):
            return try bool(c, "if") ? try evaluate(t) : try evaluate(e)
        case let .binary(op, a, b):
            return try binary(op, a, b)
        case let .attribute(e, name):
            switch try evaluate(e) {
            case let .record(fields):
                guard let value = fields[name] else { throw .missingAttribute(name, of: "a record") }
                return value
            case let .entity(uid):
                guard let entity = entities[uid] else { throw .entityNotFound(uid) }
                guard let value = entity.attributes[name] else { throw .missingAttribute(name, of: uid.description) }
                return value
            case let other:
                throw .type(expected: "an entity or a record", got: other.typeName, operation: "attribute access")
            }
        case let .has(e, name):
            switch try evaluate(e) {
            case let .record(fields): return .bool(fields[name] != nil)
            case let .entity(uid): return .bool(entities[uid]?.attributes[name] != nil)
            case let other: throw .type(expected: "an entity or a record", got: other.typeName, operation: "has")
            }
        case let .like(e, pattern):
            guard case let .string(s) = try evaluate(e) else {
                throw .type(expected: "String", got: try evaluate(e).typeName, operation: "like")
            }
            return .bool(Evaluator.matches(Array(s.unicodeScalars)[...], pattern[...]))
        case let .isType(e, type, inExpression):
            guard case let .entity(uid) = try evaluate(e) else {
                throw .type(expected: "an entity", got: try evaluate(e).typeName, operation: "is")
            }
            guard uid.type == type else { return .bool(false) }
            guard let inExpression else { return .bool(true) }
            return .bool(try isIn(uid, try evaluate(inExpression)))
        case let .isEmpty(e):
            guard case let .set(values) = try evaluate(e) else {
                throw .type(expected: "Set", got: try evaluate(e).typeName, operation: "isEmpty")
            }
            return .bool(values.isEmpty)
        case let .set(items):
            var values = Set<Value>(minimumCapacity: items.count)
            for item in items { values.insert(try evaluate(item)) }
            return .set(values)
        case let .record(fields):
            var values = [String: Value](minimumCapacity: fields.count)
            for (key, item) in fields { values[key] = try evaluate(item) }
            return .record(values)
        }
    }

    private func bool(_ e: Expression, _ operation: String) throws(EvaluationError) -> Bool {
        guard case let .bool(b) = try evaluate(e) else {
            throw .type(expected: "Bool", got: try evaluate(e).typeName, operation: operation)
        }
        return b
    }

    private func long(_ e: Expression, _ operation: String) throws(EvaluationError) -> Int64 {
        guard case let .long(n) = try evaluate(e) else {
            throw .type(expected: "Long", got: try evaluate(e).typeName, operation: operation)
        }
        return n
    }

    private func binary(_ op: BinaryOperator, _ a: Expression, _ b: Expression) throws(EvaluationError) -> Value {
        switch op {
        case .equal: return .bool(try evaluate(a) == evaluate(b))
        case .notEqual: return .bool(try evaluate(a) != evaluate(b))
        case .less, .lessOrEqual, .greater, .greaterOrEqual, .add, .subtract, .multiply:
            let x = try long(a, op.rawValue), y = try long(b, op.rawValue)
            switch op {
            case .less: return .bool(x < y)
            case .lessOrEqual: return .bool(x <= y)
            case .greater: return .bool(x > y)
            case .greaterOrEqual: return .bool(x >= y)
            case .add:
                let (r, o) = x.addingReportingOverflow(y)
                if o { throw .overflow("+") }
                return .long(r)
            case .subtract:
                let (r, o) = x.subtractingReportingOverflow(y)
                if o { throw .overflow("-") }
                return .long(r)
            default:
                let (r, o) = x.multipliedReportingOverflow(by: y)
                if o { throw .overflow("*") }
                return .long(r)
            }
        case .in:
            guard case let .entity(uid) = try evaluate(a) else {
                throw .type(expected: "an entity", got: try evaluate(a).typeName, operation: "in")
            }
            return .bool(try isIn(uid, try evaluate(b)))
        case .contains:
            guard case let .set(values) = try evaluate(a) else {
                throw .type(expected: "Set", got: try evaluate(a).typeName, operation: "contains")
            }
            return .bool(values.contains(try evaluate(b)))
        case .containsAll, .containsAny:
            guard case let .set(left) = try evaluate(a) else {
                throw .type(expected: "Set", got: try evaluate(a).typeName, operation: op.rawValue)
            }
            guard case let .set(right) = try evaluate(b) else {
                throw .type(expected: "Set", got: try evaluate(b).typeName, operation: op.rawValue)
            }
            return .bool(op == .containsAll ? right.isSubset(of: left) : !left.isDisjoint(with: right))
        }
    }

    /// `uid in target`, where target is an entity or a set of entities.
    private func isIn(_ uid: EntityUID, _ target: Value) throws(EvaluationError) -> Bool {
        switch target {
        case let .entity(group):
            return entities.isDescendant(uid, of: group)
        case let .set(values):
            var groups: [EntityUID] = []
            groups.reserveCapacity(values.count)
            for value in values {
                guard case let .entity(group) = value else {
                    throw .type(expected: "a set of entities", got: "a set containing \(value.typeName)", operation: "in")
                }
                groups.append(group)
            }
            return groups.contains { entities.isDescendant(uid, of: $0) }
        default:
            throw .type(expected: "an entity or a set of entities", got: target.typeName, operation: "in")
        }
    }

    /// Cedar `like`: `*` matches any sequence of characters (Unicode scalars).
    static func matches(_ text: ArraySlice<Unicode.Scalar>, _ pattern: ArraySlice<PatternElement>) -> Bool {
        var t = text.startIndex, p = pattern.startIndex
        var starP: Int?, starT = 0
        while t < text.endIndex {
            if p < pattern.endIndex, case let .scalar(c) = pattern[p], c == text[t] {
                t += 1
                p += 1
            } else if p < pattern.endIndex, case .wildcard = pattern[p] {
                starP = p
                starT = t
                p += 1
            } else if let sp = starP {
                p = sp + 1
                starT += 1
                t = starT
            } else {
                return false
            }
        }
        while p < pattern.endIndex, case .wildcard = pattern[p] { p += 1 }
        return p == pattern.endIndex
    }
}
