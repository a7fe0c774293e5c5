import Foundation
import WardTestSupport

/// Seeded random generation of Cedar policy sets, entities and requests for the differential
/// test against cedarpy. Everything it makes is valid Cedar syntax; much of it errors at
/// evaluation (missing attributes, wrong types, overflow) on purpose.
struct CedarGenerator {
    var random: SeededRandom

    init(seed: UInt64) { random = SeededRandom(seed: seed) }

    mutating func int(_ n: Int) -> Int { Int(random.next() % UInt64(n)) }
    mutating func chance(_ percent: Int) -> Bool { int(100) < percent }
    mutating func pick<T>(_ items: [T]) -> T { items[int(items.count)] }

    static let users = (0..<4).map { "User::\"u\($0)\"" } + ["User::\"ghost\""]
    static let groups = (0..<3).map { "Group::\"g\($0)\"" }
    static let docs = (0..<4).map { "Doc::\"d\($0)\"" } + ["Doc::\"missing\""]
    static let folders = (0..<2).map { "Folder::\"f\($0)\"" }
    static let actions = ["Action::\"read\"", "Action::\"write\"", "Action::\"delete\"", "Action::\"all\""]
    static let strings = ["", "a", "ab", "abc", "doc", "x*y", "Ward"]

    // MARK: Entities and requests (Cedar JSON)

    static func uidJSON(_ text: String) -> [String: String] {
        let parts = text.components(separatedBy: "::\"")
        return ["type": parts[0], "id": String(parts[1].dropLast())]
    }

    mutating func longValue() -> Int64 {
        pick([0, 1, 2, 7, -3, 100, Int64.max, Int64.min, Int64.max - 1, 4_611_686_018_427_387_904])
    }

    mutating func entitiesJSON() -> [[String: Any]] {
        var out: [[String: Any]] = []
        for (i, user) in Self.users.dropLast().enumerated() {
            var attrs: [String: Any] = [:]
            if chance(80) { attrs["age"] = longValue() }
            if chance(80) { attrs["name"] = pick(Self.strings) }
            if chance(70) { attrs["admin"] = chance(50) ? true : (chance(50) ? false : 1) }
            if chance(70) { attrs["tags"] = (0..<int(3)).map { _ in pick(Self.strings) } }
            if chance(60) { attrs["manager"] = ["__entity": Self.uidJSON(pick(Self.users))] }
            if chance(60) { attrs["profile"] = ["level": longValue(), "team": pick(Self.strings)] as [String: Any] }
            let parents = Self.groups.filter { _ in chance(40) }.map(Self.uidJSON)
            out.append(["uid": Self.uidJSON(user), "attrs": attrs, "parents": parents])
            _ = i
        }
        for (i, group) in Self.groups.enumerated() {
            let parents = Self.groups[(i + 1)...].filter { _ in chance(40) }.map(Self.uidJSON)
            out.append(["uid": Self.uidJSON(group), "attrs": ["level": longValue()], "parents": parents])
        }
        for doc in Self.docs.dropLast() {
            var attrs: [String: Any] = [:]
            if chance(80) { attrs["owner"] = ["__entity": Self.uidJSON(pick(Self.users))] }
            if chance(70) { attrs["secret"] = chance(50) }
            if chance(60) { attrs["readers"] = Self.users.filter { _ in chance(40) }.map { ["__entity": Self.uidJSON($0)] } }
            if chance(50) { attrs["size"] = longValue() }
            let parents = Self.folders.filter { _ in chance(50) }.map(Self.uidJSON)
            out.append(["uid": Self.uidJSON(doc), "attrs": attrs, "parents": parents])
        }
        for folder in Self.folders {
            out.append(["uid": Self.uidJSON(folder), "attrs": [String: Any](), "parents": [[String: String]]()])
        }
        for action in Self.actions.dropLast() {
            let parents = action == "Action::\"delete\"" ? [] : [Self.uidJSON("Action::\"all\"")]
            out.append(["uid": Self.uidJSON(action), "attrs": [String: Any](), "parents": parents])
        }
        out.append(["uid": Self.uidJSON("Action::\"all\""), "attrs": [String: Any](), "parents": [[String: String]]()])
        return out
    }

    mutating func requestJSON() -> [String: Any] {
        var context: [String: Any] = [:]
        if chance(85) { context["n"] = longValue() }
        if chance(85) { context["s"] = pick(Self.strings) }
        if chance(85) { context["flag"] = chance(50) }
        if chance(70) { context["ids"] = (0..<int(4)).map { _ in longValue() } }
        return [
            "principal": pick(Self.users + Self.groups),
            "action": pick(Self.actions.dropLast() + ["Action::\"read\""]),
            "resource": pick(Self.docs + Self.folders),
            "context": context
        ]
    }

    // MARK: Policies (Cedar text)

    mutating func policySet() -> String {
        (0..<(1 + int(5))).map { _ in policy() }.joined(separator: "\n")
    }

    mutating func policy() -> String {
        let effect = chance(65) ? "permit" : "forbid"
        let principal: String
        switch int(6) {
        case 0: principal = "principal == \(pick(Self.users))"
        case 1: principal = "principal in \(pick(Self.groups))"
        case 2: principal = "principal is User"
        case 3: principal = "principal is User in \(pick(Self.groups))"
        default: principal = "principal"
        }
        let action: String
        switch int(5) {
        case 0: action = "action == \(pick(Self.actions))"
        case 1: action = "action in \(pick(Self.actions))"
        case 2: action = "action in [\(pick(Self.actions)), \(pick(Self.actions))]"
        default: action = "action"
        }
        let resource: String
        switch int(5) {
        case 0: resource = "resource == \(pick(Self.docs))"
        case 1: resource = "resource in \(pick(Self.folders))"
        case 2: resource = "resource is Doc"
        default: resource = "resource"
        }
        var text = "\(effect)(\(principal), \(action), \(resource))"
        for _ in 0..<int(3) {
            text += chance(70) ? " when { \(boolean(3)) }" : " unless { \(boolean(3)) }"
        }
        return text + ";"
    }

    mutating func boolean(_ depth: Int) -> String {
        if depth == 0 { return pick(["true", "false", "context.flag", "principal.admin", "resource.secret"]) }
        let d = depth - 1
        switch int(17) {
        case 0: return "(\(boolean(d)) && \(boolean(d)))"
        case 1: return "(\(boolean(d)) || \(boolean(d)))"
        case 2: return "!\(boolean(d))"
        case 3: return "(\(long(d)) \(pick(["<", "<=", ">", ">="])) \(long(d)))"
        case 4: return "(\(any(d)) \(pick(["==", "!="])) \(any(d)))"
        case 5: return "(\(entity(d)) in \(chance(70) ? entity(d) : entitySet()))"
        case 6:
            return
                "(\(pick(["principal", "resource", "context", "principal.profile", "resource.owner"])) has \(pick(["age", "name", "admin", "secret", "level", "owner", "n", "flag", "team", "\"ids\""])))"
        case 7: return "(\(string(d)) like \"\(pick(["*", "a*", "*b", "a*c", "", "ab", "x\\*y", "**", "W*d"]))\")"
        case 8: return "(\(entity(d)) is \(pick(["User", "Doc", "Group", "Folder"]))\(chance(30) ? " in \(pick(Self.groups + Self.folders))" : ""))"
        case 9: return "\(set(d)).contains(\(any(d)))"
        case 10: return "\(set(d)).\(pick(["containsAll", "containsAny"]))(\(set(d)))"
        case 11: return "\(set(d)).isEmpty()"
        case 12: return "(if \(boolean(d)) then \(boolean(d)) else \(boolean(d)))"
        case 13: return long(d) // ill-typed on purpose: a Long where a Bool is needed
        case 14: return "(\(entity(d)) == \(entity(d)))"
        default: return boolean(0)
        }
    }

    mutating func long(_ depth: Int) -> String {
        if depth == 0 {
            return pick([
                "1", "7", "0", "(-3)", "9223372036854775807", "(-9223372036854775808)", "context.n", "principal.age", "resource.size",
                "principal.profile.level"
            ])
        }
        let d = depth - 1
        switch int(7) {
        case 0: return "(\(long(d)) \(pick(["+", "-", "*"])) \(long(d)))"
        case 1: return "(-\(long(d)))"
        case 2: return "(if \(boolean(d)) then \(long(d)) else \(long(d)))"
        case 3: return "\(record(d)).level"
        default: return long(0)
        }
    }

    mutating func string(_ depth: Int) -> String {
        if depth == 0 || chance(60) {
            return pick(["\"\(pick(Self.strings))\"", "context.s", "principal.name", "principal.profile.team"])
        }
        return "(if \(boolean(depth - 1)) then \(string(depth - 1)) else \(string(depth - 1)))"
    }

    mutating func entity(_ depth: Int) -> String {
        pick(["principal", "resource", "action", pick(Self.users), pick(Self.docs), pick(Self.groups), "resource.owner", "principal.manager"])
    }

    mutating func entitySet() -> String {
        "[" + (0..<int(3)).map { _ in pick(Self.groups + Self.folders + Self.users) }.joined(separator: ", ") + "]"
    }

    mutating func set(_ depth: Int) -> String {
        switch int(6) {
        case 0: return "[" + (0..<int(3)).map { _ in long(0) }.joined(separator: ", ") + "]"
        case 1: return "[" + (0..<int(3)).map { _ in "\"\(pick(Self.strings))\"" }.joined(separator: ", ") + "]"
        case 2: return entitySet()
        case 3: return "principal.tags"
        case 4: return "context.ids"
        default: return "resource.readers"
        }
    }

    mutating func record(_ depth: Int) -> String {
        chance(50) ? "principal.profile" : "{level: \(long(0)), team: \"\(pick(Self.strings))\"}"
    }

    mutating func any(_ depth: Int) -> String {
        switch int(6) {
        case 0: return long(depth)
        case 1: return string(depth)
        case 2: return entity(depth)
        case 3: return set(depth)
        case 4: return record(depth)
        default: return boolean(depth)
        }
    }
}
