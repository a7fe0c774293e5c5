/// Parses Cedar policy text into policies. The grammar is Cedar's (docs.cedarpolicy.com,
/// "Grammar"); what Ward does not support (templates, extension functions, other methods)
/// is a parse error that says so, never a silent difference.
public struct PolicyParser {
    private var tokens: [Token]
    private var position = 0
    private let file: String

    /// Parses every policy in `text`; `file` names it in errors and default ids.
    public static func parse(_ text: String, file: String) throws -> [Policy] {
        var lexer = Lexer(text: text, file: file)
        var parser = PolicyParser(tokens: try lexer.tokenize(), file: file)
        return try parser.policies()
    }

    /// Parses a single expression (for tests and `wardctl policy explain`).
    public static func parseExpression(_ text: String, file: String = "<expression>") throws -> Expression {
        var lexer = Lexer(text: text, file: file)
        var parser = PolicyParser(tokens: try lexer.tokenize(), file: file)
        let expression = try parser.expression()
        try parser.expectEnd()
        return expression
    }

    private init(tokens: [Token], file: String) {
        self.tokens = tokens
        self.file = file
    }

    // MARK: Token helpers

    private var current: Token { tokens[position] }

    private func location(_ token: Token? = nil) -> SourceLocation {
        let t = token ?? current
        return SourceLocation(file: file, line: t.line, column: t.column)
    }

    private func error(_ message: String, at token: Token? = nil) -> PolicyParseError {
        PolicyParseError(location(token), message)
    }

    private func expected(_ what: String) -> PolicyParseError {
        error("expected \(what), found \(current.kind.display)")
    }

    private mutating func advance() -> Token {
        let token = tokens[position]
        if position < tokens.count - 1 { position += 1 }
        return token
    }

    private func isPunctuation(_ p: String) -> Bool {
        if case let .punctuation(q) = current.kind { return p == q }
        return false
    }

    private func isKeyword(_ word: String) -> Bool {
        if case let .identifier(name) = current.kind { return name == word }
        return false
    }

    private mutating func accept(_ p: String) -> Bool {
        guard isPunctuation(p) else { return false }
        _ = advance()
        return true
    }

    private mutating func expect(_ p: String, _ what: String? = nil) throws {
        guard accept(p) else { throw expected(what ?? "'\(p)'") }
    }

    private mutating func acceptKeyword(_ word: String) -> Bool {
        guard isKeyword(word) else { return false }
        _ = advance()
        return true
    }

    private mutating func expectKeyword(_ word: String) throws {
        guard acceptKeyword(word) else { throw expected("'\(word)'") }
    }

    private mutating func identifier(_ what: String) throws -> String {
        guard case let .identifier(name) = current.kind else { throw expected(what) }
        _ = advance()
        return name
    }

    fileprivate mutating func expectEnd() throws {
        guard case .end = current.kind else { throw expected("the end of the expression") }
    }

    private static let reserved: Set<String> = ["true", "false", "if", "then", "else", "in", "is", "like", "has", "__cedar"]

    // MARK: Policies

    private mutating func policies() throws -> [Policy] {
        var out: [Policy] = []
        while true {
            if case .end = current.kind { return out }
            out.append(try policy(index: out.count))
        }
    }

    private mutating func policy(index: Int) throws -> Policy {
        let start = current
        var annotations: [String: String] = [:]
        while accept("@") {
            let nameToken = current
            let name = try identifier("an annotation name after '@'")
            guard annotations[name] == nil else { throw error("annotation @\(name) appears twice", at: nameToken) }
            var value = ""
            if accept("(") {
                guard case let .string(text, _, starEscape) = current.kind, !starEscape else { throw expected("a string as the annotation's value") }
                _ = advance()
                value = text
                try expect(")")
            }
            annotations[name] = value
        }
        let effectToken = current
        let effect: Effect
        if acceptKeyword("permit") {
            effect = .permit
        } else if acceptKeyword("forbid") {
            effect = .forbid
        } else {
            throw expected("'permit' or 'forbid'")
        }
        try expect("(")
        try expectKeyword("principal")
        let principal = try scope(variable: "principal")
        try expect(",", "',' after the principal constraint")
        try expectKeyword("action")
        let action = try actionScope()
        try expect(",", "',' after the action constraint")
        try expectKeyword("resource")
        let resource = try scope(variable: "resource")
        if accept(",") { throw error("Cedar's scope has exactly three parts; put further conditions in 'when { … }'", at: tokens[position - 1]) }
        try expect(")", "')' to close the scope")
        var conditions: [Condition] = []
        while isKeyword("when") || isKeyword("unless") {
            let keyword = advance()
            try expect("{", "'{' to open the condition")
            if isPunctuation("}") { throw error("a condition must not be empty") }
            let body = try expression()
            try expect("}", "'}' to close the condition")
            conditions.append(
                Condition(
                    isWhen: {
                        if case .identifier("when") = keyword.kind { return true }; return false
                    }(), body: body, location: location(keyword)))
        }
        try expect(";", "';' at the end of the policy")
        let id = annotations["id"] ?? "\(file)#\(index)"
        _ = effectToken
        return Policy(
            id: id, annotations: annotations, effect: effect, principal: principal, action: action,
            resource: resource, conditions: conditions, location: location(start))
    }

    private mutating func scope(variable: String) throws -> ScopeConstraint {
        if accept("==") { return .equal(try entityReference()) }
        if acceptKeyword("in") {
            if isPunctuation("[") { throw error("'\(variable) in [...]' is only allowed for the action") }
            return .in(try entityReference())
        }
        if acceptKeyword("is") {
            let type = try path()
            if acceptKeyword("in") { return .isIn(type, try entityReference()) }
            return .is(type)
        }
        if isPunctuation("?") { throw error("templates (?\(variable)) are not supported") }
        return .any
    }

    private mutating func actionScope() throws -> ActionConstraint {
        if accept("==") { return .equal(try actionReference()) }
        if acceptKeyword("in") {
            if accept("[") {
                var items: [EntityUID] = []
                if !isPunctuation("]") {
                    repeat { items.append(try actionReference()) } while accept(",")
                }
                try expect("]", "']' to close the list of actions")
                return .in(items)
            }
            return .in([try actionReference()])
        }
        if isKeyword("is") { throw error("'action is …' is not supported; use 'action in [...]'") }
        return .any
    }

    private mutating func actionReference() throws -> EntityUID {
        let token = current
        let uid = try entityReference()
        guard uid.type == "Action" || uid.type.hasSuffix("::Action") else {
            throw error("an action must be an entity of type Action, not \(uid.type)", at: token)
        }
        return uid
    }

    private mutating func path() throws -> String {
        var parts = [try identifier("a type name")]
        while isPunctuation("::"), case .identifier = tokens[position + 1].kind {
            _ = advance()
            parts.append(try identifier("a name"))
        }
        return parts.joined(separator: "::")
    }

    private mutating func entityReference() throws -> EntityUID {
        var parts = [try identifier("an entity such as Type::\"id\"")]
        while accept("::") {
            if case let .string(id, _, starEscape) = current.kind {
                guard !starEscape else { throw error("'\\*' is only allowed in like patterns") }
                _ = advance()
                return EntityUID(type: parts.joined(separator: "::"), id: id)
            }
            parts.append(try identifier("a name or a quoted id after '::'"))
        }
        throw expected("'::' and a quoted id, as in \(parts.joined(separator: "::"))::\"id\"")
    }

    // MARK: Expressions

    mutating func expression() throws -> Expression {
        if acceptKeyword("if") {
            let condition = try expression()
            try expectKeyword("then")
            let then = try expression()
            try expectKeyword("else")
            let otherwise = try expression()
            return .ifThenElse(condition, then, otherwise)
        }
        return try orExpression()
    }

    private mutating func orExpression() throws -> Expression {
        var left = try andExpression()
        while accept("||") { left = .or(left, try andExpression()) }
        return left
    }

    private mutating func andExpression() throws -> Expression {
        var left = try relation()
        while accept("&&") { left = .and(left, try relation()) }
        return left
    }

    private mutating func relation() throws -> Expression {
        let left = try additive()
        let operators: [String: BinaryOperator] = [
            "==": .equal, "!=": .notEqual, "<": .less, "<=": .lessOrEqual, ">": .greater, ">=": .greaterOrEqual
        ]
        var result: Expression
        if case let .punctuation(p) = current.kind, let op = operators[p] {
            _ = advance()
            result = .binary(op, left, try additive())
        } else if acceptKeyword("in") {
            result = .binary(.in, left, try additive())
        } else if acceptKeyword("has") {
            if case let .identifier(name) = current.kind {
                _ = advance()
                result = .has(left, name)
            } else if case let .string(name, _, starEscape) = current.kind, !starEscape {
                _ = advance()
                result = .has(left, name)
            } else {
                throw expected("an attribute name after 'has'")
            }
            if isPunctuation(".") { throw error("'has' with an attribute path (a.b) is not supported; test each level: e has a && e.a has b") }
        } else if acceptKeyword("like") {
            guard case let .string(_, pattern, _) = current.kind else { throw expected("a quoted pattern after 'like'") }
            _ = advance()
            result = .like(left, pattern)
        } else if acceptKeyword("is") {
            let type = try path()
            let inExpression = acceptKeyword("in") ? try additive() : nil
            result = .isType(left, type, in: inExpression)
        } else {
            return left
        }
        for op in ["==", "!=", "<", "<=", ">", ">="] where isPunctuation(op) {
            throw error("comparisons do not chain; add parentheses")
        }
        if isKeyword("in") || isKeyword("has") || isKeyword("like") || isKeyword("is") {
            throw error("'\(current.kind.display)' cannot follow another comparison; add parentheses")
        }
        return result
    }

    private mutating func additive() throws -> Expression {
        var left = try multiplicative()
        while true {
            if accept("+") {
                left = .binary(.add, left, try multiplicative())
            } else if accept("-") {
                left = .binary(.subtract, left, try multiplicative())
            } else {
                return left
            }
        }
    }

    private mutating func multiplicative() throws -> Expression {
        var left = try unary()
        while accept("*") { left = .binary(.multiply, left, try unary()) }
        return left
    }

    private mutating func unary() throws -> Expression {
        if accept("!") { return .not(try unary()) }
        if isPunctuation("-") {
            let minus = advance()
            // A minus directly before a number is part of the literal, so the smallest Long
            // (-9223372036854775808) can be written.
            if case let .integer(magnitude) = current.kind {
                _ = advance()
                let literal: Expression = magnitude == UInt64(Int64.max) + 1 ? .literal(.long(Int64.min)) : .literal(.long(-Int64(magnitude)))
                return try member(literal)
            }
            _ = minus
            return .negate(try unary())
        }
        return try member(try primary())
    }

    private mutating func member(_ base: Expression) throws -> Expression {
        var result = base
        while true {
            if accept(".") {
                let nameToken = current
                let name = try identifier("an attribute or method name after '.'")
                if accept("(") {
                    var arguments: [Expression] = []
                    if !isPunctuation(")") {
                        repeat { arguments.append(try expression()) } while accept(",")
                    }
                    try expect(")", "')' to close the method call")
                    switch (name, arguments.count) {
                    case ("contains", 1): result = .binary(.contains, result, arguments[0])
                    case ("containsAll", 1): result = .binary(.containsAll, result, arguments[0])
                    case ("containsAny", 1): result = .binary(.containsAny, result, arguments[0])
                    case ("isEmpty", 0): result = .isEmpty(result)
                    case ("contains", _), ("containsAll", _), ("containsAny", _), ("isEmpty", _):
                        throw error("\(name)() takes \(name == "isEmpty" ? "no argument" : "one argument")", at: nameToken)
                    default:
                        throw error("method \(name)() is not supported (supported: contains, containsAll, containsAny, isEmpty)", at: nameToken)
                    }
                } else {
                    result = .attribute(result, name)
                }
            } else if accept("[") {
                guard case let .string(name, _, starEscape) = current.kind, !starEscape else { throw expected("a quoted attribute name in '[…]'") }
                _ = advance()
                try expect("]")
                result = .attribute(result, name)
            } else {
                return result
            }
        }
    }

    private mutating func primary() throws -> Expression {
        let token = current
        switch token.kind {
        case let .integer(value):
            _ = advance()
            guard value <= UInt64(Int64.max) else { throw error("integer literal is out of range for a 64-bit Long", at: token) }
            return .literal(.long(Int64(value)))
        case let .string(text, _, starEscape):
            guard !starEscape else { throw error("'\\*' is only allowed in like patterns", at: token) }
            _ = advance()
            return .literal(.string(text))
        case .punctuation("("):
            _ = advance()
            let inner = try expression()
            try expect(")", "')'")
            return inner
        case .punctuation("["):
            _ = advance()
            var items: [Expression] = []
            if !isPunctuation("]") {
                repeat { items.append(try expression()) } while accept(",")
            }
            try expect("]", "']' to close the set")
            return .set(items)
        case .punctuation("{"):
            _ = advance()
            var fields: [(String, Expression)] = []
            var seen = Set<String>()
            if !isPunctuation("}") {
                repeat {
                    let keyToken = current
                    let key: String
                    if case let .identifier(name) = current.kind {
                        key = name
                    } else if case let .string(name, _, starEscape) = current.kind, !starEscape {
                        key = name
                    } else {
                        throw expected("a record key")
                    }
                    _ = advance()
                    guard seen.insert(key).inserted else { throw error("record key \"\(key)\" appears twice", at: keyToken) }
                    try expect(":", "':' after the record key")
                    fields.append((key, try expression()))
                } while accept(",")
            }
            try expect("}", "'}' to close the record")
            return .record(fields)
        case let .identifier(name):
            switch name {
            case "true": _ = advance(); return .literal(.bool(true))
            case "false": _ = advance(); return .literal(.bool(false))
            case "principal": _ = advance(); return .variable(.principal)
            case "action": _ = advance(); return .variable(.action)
            case "resource": _ = advance(); return .variable(.resource)
            case "context": _ = advance(); return .variable(.context)
            case "if":
                return try expression()
            default:
                if PolicyParser.reserved.contains(name) { throw error("'\(name)' cannot start an expression", at: token) }
                var parts = [try identifier("a name")]
                while accept("::") {
                    if case let .string(id, _, starEscape) = current.kind {
                        guard !starEscape else { throw error("'\\*' is only allowed in like patterns") }
                        _ = advance()
                        return .literal(.entity(EntityUID(type: parts.joined(separator: "::"), id: id)))
                    }
                    parts.append(try identifier("a name or a quoted id after '::'"))
                }
                if isPunctuation("(") {
                    throw error("extension function \(parts.joined(separator: "::"))() is not supported (see policies/README.md)", at: token)
                }
                throw error(
                    "unknown name '\(parts.joined(separator: "::"))': expected principal, action, resource, context, a literal or an entity "
                        + "Type::\"id\"",
                    at: token)
            }
        case .punctuation("?"):
            throw error("templates (?principal, ?resource) are not supported", at: token)
        default:
            throw expected("an expression")
        }
    }
}
