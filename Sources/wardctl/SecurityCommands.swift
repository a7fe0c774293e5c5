import ArgumentParser
import Foundation
import WardClient
import WardCommandLine
import WardProtocol

/// `wardctl security`: log-in monitoring for the security officer (an Admin).
struct SecurityCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "security",
        abstract: "Log-in monitoring: failed sign-ins by account and by source address (Admin).",
        subcommands: [SignIns.self]
    )

    struct SignIns: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "signins",
            abstract: "Failed sign-ins since a time, by account and by source address; bursts are flagged.",
            discussion: """
                HIPAA 164.308(a)(5)(ii)(C) asks for log-in monitoring. Each line: the account's id \
                (unknown: a name no account has) or the source address, the failures, the first and \
                the last, and BURST when ten or more fell within ten minutes. Exit status 1 when any \
                burst is listed, so a scheduled run can alert.
                """
        )
        @Option(help: "How many days back to look.") var sinceDays: Int = 7

        func validate() throws {
            guard (1...3650).contains(sinceDays) else { throw ValidationError("--since-days is 1 to 3650") }
        }

        func run() async throws {
            let since = Int64(Date().timeIntervalSince1970) - Int64(sinceDays) * 86_400
            let report = try await withSession { connection in
                try await connection.request(SecuritySignIns(startsAt: since)).signInReport
            }
            print("failed sign-ins since \(utc(report.since))")
            for (title, lines) in [("by account", report.accounts), ("by source address", report.sources)] {
                print(title + (lines.isEmpty ? ": none" : ":"))
                for line in lines {
                    let names = line.accounts.map { "\t\($0) account(s)" } ?? ""
                    print("  \(line.key)\t\(line.failures)\t\(utc(line.firstAt)) to \(utc(line.lastAt))\(names)\(line.burst ? "\tBURST" : "")")
                }
            }
            if (report.accounts + report.sources).contains(where: \.burst) { throw ExitCode(1) }
        }
    }
}
