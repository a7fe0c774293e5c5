public import ArgumentParser
public import WardAudit

// An entry's action and outcome as command-line values, written as the log and FORMAT.md write
// them (`C`, `minor`): a wrong one is refused with the list of right ones, and `--help` shows them.
extension AuditEvent.Action: ExpressibleByArgument {
    public init?(argument: String) { self.init(code: argument) }
    public static var allValueStrings: [String] { allCases.map(\.code) }
}

extension AuditEvent.Outcome: ExpressibleByArgument {
    public init?(argument: String) { self.init(name: argument) }
    public static var allValueStrings: [String] { allCases.map(\.name) }
}
