/// A Cedar value. Sets compare as sets (order and duplicates do not matter), as in Cedar.
public enum Value: Hashable, Sendable, CustomStringConvertible {
    case bool(Bool)
    case long(Int64)
    case string(String)
    case entity(EntityUID)
    case set(Set<Value>)
    case record([String: Value])

    /// The type's name, for error messages.
    public var typeName: String {
        switch self {
        case .bool: return "Bool"
        case .long: return "Long"
        case .string: return "String"
        case .entity: return "Entity"
        case .set: return "Set"
        case .record: return "Record"
        }
    }

    public var description: String { CedarText.render(.literal(self)) }
}
