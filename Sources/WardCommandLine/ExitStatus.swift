public import ArgumentParser
import Foundation

/// A usage or I/O problem: the command ends with exit status 2 and this message, which says
/// what to do about it.
public struct UsageError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Writes a line (or, with `newline: false`, a prompt) to standard error.
public func warn(_ message: String, newline: Bool = true) {
    FileHandle.standardError.write(Data((message + (newline ? "\n" : "")).utf8))
}

extension ParsableCommand {
    /// Parses and runs the command with Ward's exit statuses: 0 success (and `--help`), 1 when a
    /// check finds a problem (the command throws `ExitCode(1)`), 2 for usage errors and
    /// unreadable input, whatever ArgumentParser's own codes would be.
    public static func mainWithWardExitStatus() -> Never {
        do {
            var command = try parseAsRoot()
            try command.run()
            Foundation.exit(0)
        } catch {
            exitReporting(error)
        }
    }

    /// Ends the process for `error`: `ExitCode`s as they are, help and version with 0 on
    /// standard output, everything else with its message on standard error and status 2.
    static func exitReporting(_ error: any Error) -> Never {
        if let code = error as? ExitCode { Foundation.exit(code.rawValue) }
        if exitCode(for: error) == .success {
            print(fullMessage(for: error))
            Foundation.exit(0)
        }
        warn(fullMessage(for: error))
        Foundation.exit(2)
    }
}

extension AsyncParsableCommand {
    /// `mainWithWardExitStatus` for commands with async subcommands.
    public static func mainWithWardExitStatusAsync() async -> Never {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
            Foundation.exit(0)
        } catch {
            exitReporting(error)
        }
    }
}
