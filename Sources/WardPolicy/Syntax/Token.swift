/// The lexical units of Cedar policy text.
enum TokenKind: Hashable, Sendable {
    case identifier(String)
    /// A string literal: its value, its reading as a `like` pattern, and whether it used the
    /// pattern-only escape `\*` (which makes it invalid anywhere but after `like`).
    case string(String, pattern: [PatternElement], starEscape: Bool)
    case integer(UInt64) // the magnitude; a leading '-' is an operator
    case punctuation(String) // ( ) [ ] { } , ; . : :: @ == != < <= > >= && || ! + - * ?
    case end

    var display: String {
        switch self {
        case let .identifier(name): return "'\(name)'"
        case .string: return "a string"
        case let .integer(n): return "'\(n)'"
        case let .punctuation(p): return "'\(p)'"
        case .end: return "the end of the file"
        }
    }
}

/// One element of a `like` pattern.
public enum PatternElement: Hashable, Sendable {
    case scalar(Unicode.Scalar)
    case wildcard
}

struct Token: Sendable {
    var kind: TokenKind
    var line: Int
    var column: Int
}
