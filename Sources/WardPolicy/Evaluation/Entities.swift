/// One entity given with a request: its id, attributes, and parents (the groups it is in).
public struct Entity: Hashable, Sendable {
    public var uid: EntityUID
    public var attributes: [String: Value]
    public var parents: [EntityUID]

    public init(uid: EntityUID, attributes: [String: Value] = [:], parents: [EntityUID] = []) {
        (self.uid, self.attributes, self.parents) = (uid, attributes, parents)
    }
}

/// Errors in entity data.
public enum EntityError: Error, Hashable, Sendable, CustomStringConvertible {
    case duplicate(EntityUID)
    case malformed(String)

    public var description: String {
        switch self {
        case let .duplicate(uid): return "entity \(uid) is given twice"
        case let .malformed(why): return why
        }
    }
}

/// The entities of a request, with the transitive closure of `parents` computed once, so `in`
/// is a set lookup.
public struct EntityStore: Sendable {
    private var entities: [EntityUID: Entity] = [:]
    private var ancestors: [EntityUID: Set<EntityUID>] = [:]

    public init(_ list: [Entity] = []) throws {
        for entity in list {
            guard entities[entity.uid] == nil else { throw EntityError.duplicate(entity.uid) }
            entities[entity.uid] = entity
        }
        for uid in entities.keys { ancestors[uid] = closure(of: uid) }
    }

    private func closure(of uid: EntityUID) -> Set<EntityUID> {
        var seen = Set<EntityUID>()
        var stack = entities[uid]?.parents ?? []
        while let next = stack.popLast() {
            guard seen.insert(next).inserted else { continue }
            stack.append(contentsOf: entities[next]?.parents ?? [])
        }
        return seen
    }

    public subscript(uid: EntityUID) -> Entity? { entities[uid] }

    /// True when `uid` is `group` or one of its ancestors is (Cedar's `in` on entities).
    @inline(__always)
    public func isDescendant(_ uid: EntityUID, of group: EntityUID) -> Bool {
        uid == group || (ancestors[uid]?.contains(group) ?? false)
    }

    /// All ancestors of `uid` (not including itself).
    public func ancestors(of uid: EntityUID) -> Set<EntityUID> { ancestors[uid] ?? [] }
}
