import ArgumentParser
import Foundation
import WardCommandLine
import WardServer

struct RecoveryKey: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "recovery-key",
        abstract: "Make the backup recovery key: its public half stays in the data directory, the private half goes to --out.",
        discussion: """
            Backups are encrypted to this key; a restore needs the file --out writes (0600). Keep it \
            offline, away from the appliance and its backups: whoever holds it and a backup reads the \
            clinic's data, and without it no backup can be restored. Making a new one replaces the \
            public half: later backups need the new file, earlier ones the old.
            """
    )

    @Option(help: "The data directory.")
    var data: String = "data"
    @Option(help: "Where to write the private half (a new file, 0600).")
    var out: String

    func run() async throws {
        let fingerprint = try await explainingServerErrors { try Backup.makeRecoveryKey(for: DataDirectory(path: data), out: out) }
        print("backup recovery key written to \(out) (fingerprint \(fingerprint)); store it offline")
    }
}

struct TakeBackup: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Take an encrypted, consistent backup of the data directory, while the server serves or not.",
        discussion: """
            Writes DEST/ward-backup-TIME-ID: the audit log up to its newest signed checkpoint, a \
            snapshot of the database, the subject keys, the erasable texts, the keys and the policies, \
            each file encrypted under a key sealed to the recovery key (see recovery-key), with a \
            manifest of sizes and hashes. A backup is written under a .partial- name and renamed when \
            whole. Prints one JSON line: path, checkpoint size, files, bytes.
            """
    )

    @Option(help: "The data directory.")
    var data: String = "data"
    @OptionGroup var keys: KeysDirectoryOption
    @Option(help: "The directory backups go into (created).")
    var to: String
    @Option(help: "The policy directory in force, kept with the backup.")
    var policies: String = "policies"

    func run() throws {
        Backup.yieldToServing()
        let (path, manifest) = try explainingServerErrorsSync {
            try Backup.take(data: DataDirectory(path: data, keys: keys.keysDir), policies: policies, to: to)
        }
        print(
            String(
                decoding: try JSONSerialization.data(
                    withJSONObject: [
                        "backup": path, "auditEntries": manifest.auditEntries, "files": manifest.files.count,
                        "bytes": manifest.files.reduce(0) { $0 + $1.size }
                    ], options: [.sortedKeys]), as: UTF8.self))
    }
}

struct VerifyBackup: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify-backup",
        abstract: "Check a backup as a restore would (decrypt everything to a temporary place, verify the audit log), without restoring it.",
        discussion: """
            Exit status 0: the backup restores; 1: refused, with why. The result is noted in the \
            backup's directory (verified-<time>-whole or -refused), and a server watching that \
            directory (serve --backup-dir) records it in the audit log as backup.verify.
            """
    )

    @Argument(help: "The backup directory.")
    var backup: String
    @Option(help: "The recovery key file (from recovery-key --out).")
    var recoveryKey: String
    @Option(
        help: """
            The appliance's data directory, to record the check in its audit log (the running server appends it). Without it, only a server \
            watching the backup's directory records it.
            """
    )
    var data: String?

    func run() throws {
        // A key file that does not read says nothing about the backup: no note then.
        let key = try refusing { try Backup.loadRecoveryKey(recoveryKey) }
        do {
            let manifest = try Backup.verify(backup, recoveryKey: key)
            if !Backup.noteVerification(of: backup, whole: true) { warn("could not note the verification in \(backup) (read-only?)") }
            try noteInDataDirectory(whole: true)
            print(
                "backup \(backup) is whole: \(manifest.files.count) files, audit log to entry \(manifest.auditEntries), taken at "
                    + "\(manifest.createdAt)"
            )
        } catch let error as ServerError {
            if FileManager.default.fileExists(atPath: backup), !Backup.noteVerification(of: backup, whole: false) {
                warn("could not note the verification in \(backup) (read-only?)")
            }
            try? noteInDataDirectory(whole: false)
            warn("\(error)")
            throw ExitCode(1)
        }
    }

    private func noteInDataDirectory(whole: Bool) throws {
        guard let data else { return }
        let name = AuditNote.identifier((backup as NSString).lastPathComponent)
        try refusing { try AuditNote(kind: .backupVerified, backup: name, succeeded: whole).leave(in: DataDirectory(path: data)) }
    }

    private func refusing<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch let error as ServerError {
            warn("\(error)")
            throw ExitCode(1)
        }
    }
}

struct Restore: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Restore a backup into a new data directory, re-applying every erasure journalled since.",
        discussion: """
            Checks the backup (manifest, hashes, decryption, the audit log as auditctl verify does) and \
            refuses a damaged or incomplete one, writing nothing at --data. Then carries out again every \
            erasure in --erasure-journal (the file serve --erasure-journal keeps), so that no erased \
            person comes back, records the restore in the audit log, and moves the directory into place.
            """
    )

    @Option(name: .customLong("from"), help: "The backup directory.")
    var backup: String
    @Option(help: "The new data directory (must not exist).")
    var data: String
    @OptionGroup var keys: KeysDirectoryOption
    @Option(help: "The recovery key file (from recovery-key --out).")
    var recoveryKey: String
    @Option(help: "The erasure journal the server kept (serve --erasure-journal).")
    var erasureJournal: String?

    func run() async throws {
        let restored = try await explainingServerErrors {
            try await Backup.restore(
                backup, recoveryKey: try Backup.loadRecoveryKey(recoveryKey), into: DataDirectory(path: data, keys: keys.keysDir),
                journal: erasureJournal.map(ErasureJournal.init))
        }
        print(
            "restored \(backup) into \(data): audit log to entry \(restored.manifest.auditEntries), \(restored.erasuresReapplied) erasure(s) "
                + "re-applied"
        )
    }
}

/// `explainingServerErrors` for code that does not wait.
func explainingServerErrorsSync<T>(_ body: () throws -> T) throws -> T {
    do { return try body() } catch let error as ServerError { throw UsageError("\(error)") }
}
