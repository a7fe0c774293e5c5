/// A position in a policy file, 1-based, for messages of the form `file:line:col`.
public struct SourceLocation: Hashable, Sendable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int

    public init(file: String, line: Int, column: Int) {
        (self.file, self.line, self.column) = (file, line, column)
    }

    public var description: String { "\(file):\(line):\(column)" }
}

/// A syntax error: where, and what was expected.
public struct PolicyParseError: Error, Hashable, Sendable, CustomStringConvertible {
    public var location: SourceLocation
    public var message: String

    public init(_ location: SourceLocation, _ message: String) {
        (self.location, self.message) = (location, message)
    }

    /// `file:line:col: message`.
    public var description: String { "\(location): \(message)" }
}
