import ArgumentParser
import Foundation
import WardCommandLine
import WardPolicy

/// `wardctl`: the administrator's tool: sign-in, accounts, care teams (through the server) and
/// the offline policy commands.
@main
struct WardCtl: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wardctl",
        abstract: "Administer Ward.",
        discussion: "Exit status: 0 on success, 1 when a check or test fails, 2 for usage errors and unreadable files.",
        subcommands: [
            LoginCommand.self, TOTPCommand.self, UserCommand.self, CareTeamCommand.self, Announce.self, PolicyCommand.self, GDPRCommand.self,
            BreakGlassCommand.self, SecurityCommand.self, ApprovalsCommand.self, BackupCommand.self
        ]
    )

    static func main() async { await mainWithWardExitStatusAsync() }
}

func readFile(_ path: String, what: String) throws -> Data {
    guard let data = FileManager.default.contents(atPath: path) else { throw UsageError("cannot read \(what) \(path)") }
    return data
}

func loadPolicies(_ directory: String) throws -> PolicySet {
    do { return try PolicySet.load(directory: directory) } catch let error as PolicyLoadError {
        throw UsageError("\(error)")
    } catch {
        warn("\(error)")
        throw ExitCode(1)
    }
}

func loadEntities(_ path: String) throws -> EntityStore {
    do { return try EntityStore(CedarJSON.entities(readFile(path, what: "entities file"))) } catch let error as UsageError {
        throw error
    } catch {
        throw UsageError("entities file \(path): \(error)")
    }
}
