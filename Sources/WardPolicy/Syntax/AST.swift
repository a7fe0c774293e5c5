/// An entity type name, possibly namespaced: `Clinic::Patient` has path ["Clinic", "Patient"].
public typealias EntityTypeName = String

/// A reference to an entity: its type and id, as in `Patient::"p-17"`.
public struct EntityUID: Hashable, Sendable, CustomStringConvertible {
    public var type: EntityTypeName
    public var id: String

    public init(type: EntityTypeName, id: String) {
        (self.type, self.id) = (type, id)
    }

    /// Cedar's text form, `Type::"id"` with the id escaped.
    public var description: String { "\(type)::\"\(CedarText.escape(id))\"" }
}

/// The variables a condition can name.
public enum Variable: String, Hashable, Sendable {
    case principal, action, resource, context
}

/// Binary operators.
public enum BinaryOperator: String, Hashable, Sendable {
    case equal = "==", notEqual = "!=", less = "<", lessOrEqual = "<=", greater = ">", greaterOrEqual = ">="
    case `in`, add = "+", subtract = "-", multiply = "*"
    case contains, containsAll, containsAny
}

/// A Cedar expression.
public indirect enum Expression: Hashable, Sendable {
    case literal(Value)
    case variable(Variable)
    case and(Expression, Expression)
    case or(Expression, Expression)
    case not(Expression)
    case negate(Expression)
    case ifThenElse(Expression, Expression, Expression)
    case binary(BinaryOperator, Expression, Expression)
    case attribute(Expression, String)
    case has(Expression, String)
    case like(Expression, [PatternElement])
    case isType(Expression, EntityTypeName, in: Expression?)
    case isEmpty(Expression)
    case set([Expression])
    case record([(String, Expression)])

    public static func == (a: Expression, b: Expression) -> Bool { a.hashKey == b.hashKey }
    public func hash(into hasher: inout Hasher) { hasher.combine(hashKey) }
    /// Records hold ordered pairs (tuples are not Hashable); compare through a printed form.
    private var hashKey: String { CedarText.render(self) }
}

/// The scope constraint on the principal or resource.
public enum ScopeConstraint: Hashable, Sendable {
    case any
    case equal(EntityUID)
    case `in`(EntityUID)
    case `is`(EntityTypeName)
    case isIn(EntityTypeName, EntityUID)
}

/// The scope constraint on the action.
public enum ActionConstraint: Hashable, Sendable {
    case any
    case equal(EntityUID)
    case `in`([EntityUID])
}

public enum Effect: String, Hashable, Sendable {
    case permit, forbid
}

/// A `when` or `unless` clause.
public struct Condition: Hashable, Sendable {
    public var isWhen: Bool
    public var body: Expression
    public var location: SourceLocation
}

/// One policy as written.
public struct Policy: Hashable, Sendable {
    /// The `@id` annotation, or `<file>#<n>` when there is none.
    public var id: String
    public var annotations: [String: String]
    public var effect: Effect
    public var principal: ScopeConstraint
    public var action: ActionConstraint
    public var resource: ScopeConstraint
    public var conditions: [Condition]
    public var location: SourceLocation
}
