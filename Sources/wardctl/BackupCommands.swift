import ArgumentParser
import Foundation
import WardClient
import WardCommandLine
import WardProtocol

/// `wardctl backup`: the state of the appliance's backups, for an Admin (docs/OPERATIONS.md).
struct BackupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "The appliance's backups (Admin).",
        subcommands: [Status.self]
    )

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Where backups go, the newest one (its age, size and the audit entries it covers), and whether it is older than the schedule allows.",
            discussion: "Exit status 1 when the newest backup is too old or there is none, so a scheduled run can alert."
        )

        func run() async throws {
            let status = try await withSession { connection in
                try await connection.request(BackupStatusRequest()).backupStatus
            }
            print("backup directory: \(status.directory ?? "none (serve --backup-dir)")")
            print(
                "schedule: "
                    + (status.everyHours > 0
                        ? "every \(status.everyHours) hour(s), keeping \(status.keep)" : "none: backups are taken outside the server"))
            if let newest = status.newest, let takenAt = status.takenAt, let age = status.ageSeconds {
                print(
                    "newest: \(newest), taken \(utc(takenAt)), \(age / 3600) h \(age % 3600 / 60) min ago"
                        + (status.bytes.map { ", \($0 / 1_048_576) MiB" } ?? "") + (status.auditEntries.map { ", audit log to entry \($0)" } ?? ""))
            } else {
                print("newest: none")
            }
            print(status.stale ? "STALE: take a backup (ward-server backup) and check it (ward-server verify-backup)" : "up to date")
            if status.stale { throw ExitCode(1) }
        }
    }
}
