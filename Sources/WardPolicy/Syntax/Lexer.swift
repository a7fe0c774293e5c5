/// Splits Cedar policy text into tokens. Errors name the line and column.
struct Lexer {
    private let bytes: [UInt8]
    private let file: String
    private var index = 0
    private var line = 1
    private var lineStart = 0

    init(text: String, file: String) {
        bytes = Array(text.utf8)
        self.file = file
    }

    private var column: Int { index - lineStart + 1 }

    private func error(_ message: String, line: Int? = nil, column: Int? = nil) -> PolicyParseError {
        PolicyParseError(SourceLocation(file: file, line: line ?? self.line, column: column ?? self.column), message)
    }

    mutating func tokenize() throws -> [Token] {
        var tokens: [Token] = []
        while true {
            try skipSpaceAndComments()
            let startLine = line, startColumn = column
            guard index < bytes.count else {
                tokens.append(Token(kind: .end, line: startLine, column: startColumn))
                return tokens
            }
            let kind = try next()
            tokens.append(Token(kind: kind, line: startLine, column: startColumn))
        }
    }

    private mutating func skipSpaceAndComments() throws {
        while index < bytes.count {
            let b = bytes[index]
            if b == 0x0A {
                index += 1
                line += 1
                lineStart = index
            } else if b == 0x20 || b == 0x09 || b == 0x0D {
                index += 1
            } else if b == 0x2F, index + 1 < bytes.count, bytes[index + 1] == 0x2F {
                while index < bytes.count && bytes[index] != 0x0A { index += 1 }
            } else {
                return
            }
        }
    }

    private static func isIdentifierStart(_ b: UInt8) -> Bool {
        (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x5F
    }

    private static func isIdentifierPart(_ b: UInt8) -> Bool {
        isIdentifierStart(b) || (b >= 0x30 && b <= 0x39)
    }

    private mutating func next() throws -> TokenKind {
        let b = bytes[index]
        if Lexer.isIdentifierStart(b) {
            let start = index
            while index < bytes.count && Lexer.isIdentifierPart(bytes[index]) { index += 1 }
            return .identifier(String(decoding: bytes[start..<index], as: UTF8.self))
        }
        if b >= 0x30 && b <= 0x39 {
            let start = index, startColumn = column
            while index < bytes.count && bytes[index] >= 0x30 && bytes[index] <= 0x39 { index += 1 }
            if index < bytes.count && Lexer.isIdentifierStart(bytes[index]) {
                throw error("a number must not run into letters", column: startColumn)
            }
            guard let value = UInt64(String(decoding: bytes[start..<index], as: UTF8.self)), value <= UInt64(Int64.max) + 1 else {
                throw error("integer literal is out of range for a 64-bit Long", column: startColumn)
            }
            return .integer(value)
        }
        if b == 0x22 { return try stringLiteral() }
        let two = index + 1 < bytes.count ? String(decoding: bytes[index...(index + 1)], as: UTF8.self) : ""
        for op in ["==", "!=", "<=", ">=", "&&", "||", "::"] where two == op {
            index += 2
            return .punctuation(op)
        }
        let one = String(UnicodeScalar(b))
        if "()[]{},;.:@<>!+-*?".contains(one) {
            index += 1
            return .punctuation(one)
        }
        if b == 0x3D { throw error("'=' is not an operator; use '==' to compare") }
        if b == 0x26 { throw error("'&' is not an operator; use '&&'") }
        if b == 0x7C { throw error("'|' is not an operator; use '||'") }
        if b >= 0x80 { throw error("unexpected non-ASCII character outside a string") }
        throw error("unexpected character '\(one)'")
    }

    /// A double-quoted string with Cedar's escapes: \n \r \t \\ \0 \' \" \u{hex}, and \* (a
    /// literal star, only meaningful in `like` patterns, where a bare * is the wildcard).
    private mutating func stringLiteral() throws -> TokenKind {
        let startLine = line, startColumn = column
        index += 1
        var pattern: [PatternElement] = []
        var starEscape = false
        var raw: [UInt8] = []
        // Raw bytes are decoded as UTF-8 in runs; an unescaped '*' ends a run as a wildcard.
        func flush() {
            for scalar in String(decoding: raw, as: UTF8.self).unicodeScalars { pattern.append(.scalar(scalar)) }
            raw.removeAll()
        }
        while true {
            guard index < bytes.count else { throw error("string is not closed", line: startLine, column: startColumn) }
            let b = bytes[index]
            if b == 0x22 {
                index += 1
                flush()
                var text = String.UnicodeScalarView()
                for element in pattern {
                    switch element {
                    case let .scalar(s): text.append(s)
                    case .wildcard: text.append("*")
                    }
                }
                return .string(String(text), pattern: pattern, starEscape: starEscape)
            }
            if b == 0x0A {
                line += 1
                lineStart = index + 1
            }
            if b == 0x2A {
                flush()
                pattern.append(.wildcard)
                index += 1
                continue
            }
            if b != 0x5C {
                raw.append(b)
                index += 1
                continue
            }
            guard index + 1 < bytes.count else { throw error("string is not closed", line: startLine, column: startColumn) }
            let escape = bytes[index + 1]
            index += 2
            switch escape {
            case 0x6E: raw.append(0x0A)
            case 0x72: raw.append(0x0D)
            case 0x74: raw.append(0x09)
            case 0x5C: raw.append(0x5C)
            case 0x30: raw.append(0x00)
            case 0x27: raw.append(0x27)
            case 0x22: raw.append(0x22)
            case 0x2A:
                flush()
                pattern.append(.scalar("*"))
                starEscape = true
            case 0x75:
                guard index < bytes.count, bytes[index] == 0x7B, let close = bytes[index...].firstIndex(of: 0x7D),
                    close - index - 1 >= 1, close - index - 1 <= 6,
                    let value = UInt32(String(decoding: bytes[(index + 1)..<close], as: UTF8.self), radix: 16),
                    let scalar = UnicodeScalar(value)
                else { throw error("invalid \\u{…} escape") }
                flush()
                pattern.append(.scalar(scalar))
                index = close + 1
            default:
                throw error("unknown escape '\\\(String(UnicodeScalar(escape)))' in string")
            }
        }
    }
}
