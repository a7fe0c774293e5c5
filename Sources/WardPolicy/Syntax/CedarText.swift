/// Printing of values and expressions in Cedar syntax (for explanations and errors), with
/// strings escaped so that the output parses back to the same thing.
public enum CedarText {
    /// Escapes `s` for a string literal; `star: true` also escapes `*` (as a `like` pattern needs).
    public static func escape(_ s: String, star: Bool = false) -> String {
        var out = ""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\\": out += "\\\\"
            case "\0": out += "\\0"
            case "\"": out += "\\\""
            case "*" where star: out += "\\*"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    out += "\\u{\(String(scalar.value, radix: 16))}"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }

    /// True when `name` can be written bare after `.` or `has`.
    static func isPlainName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first == "_" || (first.isASCII && first.properties.isAlphabetic) else { return false }
        let reserved: Set<String> = ["true", "false", "if", "then", "else", "in", "is", "like", "has", "__cedar"]
        return !reserved.contains(name)
            && name.unicodeScalars.allSatisfy { $0 == "_" || ($0.isASCII && ($0.properties.isAlphabetic || $0.properties.numericType != nil)) }
    }

    public static func render(_ expression: Expression) -> String {
        switch expression {
        case let .literal(value):
            switch value {
            case let .bool(b): return b ? "true" : "false"
            case let .long(n): return n < 0 ? "(\(n))" : "\(n)"
            case let .string(s): return "\"\(escape(s))\""
            case let .entity(uid): return uid.description
            case let .set(values): return "[" + values.map { render(.literal($0)) }.sorted().joined(separator: ", ") + "]"
            case let .record(fields):
                return "{" + fields.keys.sorted().map { "\"\(escape($0))\": \(render(.literal(fields[$0] ?? .bool(false))))" }.joined(separator: ", ")
                    + "}"
            }
        case let .variable(v): return v.rawValue
        case let .and(a, b): return "(\(render(a)) && \(render(b)))"
        case let .or(a, b): return "(\(render(a)) || \(render(b)))"
        case let .not(a): return "!(\(render(a)))"
        case let .negate(a): return "-(\(render(a)))"
        case let .ifThenElse(c, t, e): return "(if \(render(c)) then \(render(t)) else \(render(e)))"
        case let .binary(op, a, b):
            switch op {
            case .contains, .containsAll, .containsAny: return "\(render(a)).\(op.rawValue)(\(render(b)))"
            default: return "(\(render(a)) \(op.rawValue) \(render(b)))"
            }
        case let .attribute(e, name): return isPlainName(name) ? "\(render(e)).\(name)" : "\(render(e))[\"\(escape(name))\"]"
        case let .has(e, name): return isPlainName(name) ? "(\(render(e)) has \(name))" : "(\(render(e)) has \"\(escape(name))\")"
        case let .like(e, pattern):
            let text = pattern.map { element -> String in
                switch element {
                case .wildcard: return "*"
                case let .scalar(s): return escape(String(s), star: true)
                }
            }.joined()
            return "(\(render(e)) like \"\(text)\")"
        case let .isType(e, type, inExpression):
            return "(\(render(e)) is \(type)" + (inExpression.map { " in \(render($0))" } ?? "") + ")"
        case let .isEmpty(e): return "\(render(e)).isEmpty()"
        case let .set(items): return "[" + items.map(render).joined(separator: ", ") + "]"
        case let .record(fields): return "{" + fields.map { "\"\(escape($0.0))\": \(render($0.1))" }.joined(separator: ", ") + "}"
        }
    }
}
