import ArgumentParser
import Foundation
import WardAudit
import WardCrypto
import WardServer
import WardStore

struct BackupBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "An online backup of a large appliance while clients chat, and its restore (issue 19's bars).",
        discussion: """
            Makes a data directory whose database holds --database-mib of messages (random, so \
            incompressible, envelopes of 1 KiB) and whose audit log holds --audit-entries entries, then \
            serves it. References, measured first in the same run while it serves: copying the same \
            bytes (the database file and the audit log, as cp would) and SQLite's online backup API \
            alone. Then chat load (--clients in rooms of 5 at --rate messages a second, as ward-bench \
            chat) during which `ward-server backup` runs as an operator would; the line reports the \
            backup's time and the load's send-to-deliver percentiles. Last, `ward-server restore` of \
            that backup into a new directory. One JSON line per result.
            """
    )

    @Option(help: "Size of the database's messages, MiB.") var databaseMib: Int = 1024
    @Option(help: "Entries in the audit log.") var auditEntries: Int = 1_000_000
    @Option(help: "Chat clients during the backup (a multiple of 5).") var clients: Int = 10
    @Option(help: "Messages a second, all clients together, during the backup.") var rate: Double = 100
    @Option(help: "Seconds of chat load; the backup starts with it and should end within it.") var seconds: Double = 90

    func validate() throws {
        guard databaseMib > 0, auditEntries > 0, clients >= 5, clients % 5 == 0, rate > 0, seconds > 0 else {
            throw ValidationError("sizes and rates must be positive, and clients a multiple of 5")
        }
    }

    func run() async throws {
        let scratch = NSTemporaryDirectory() + "ward-bench-backup-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let binary = try ServerProcess.binary()
        let (mib, entries) = (databaseMib, auditEntries)
        let clock = ContinuousClock()
        var filled: Duration = .zero
        let server = try await ServerProcess.start { dir in
            let start = clock.now
            try await Self.fillDatabase(dir + "/ward.sqlite", mib: mib)
            try await Self.fillAuditLog(DataDirectory(path: dir), entries: entries)
            guard try Self.run(binary, ["recovery-key", "--data", dir, "--out", scratch + "/recovery.key"]) == 0 else {
                throw ValidationError("ward-server recovery-key failed")
            }
            filled = clock.now - start
        }
        defer { server.stop() }
        let bytes = Self.size(of: server.dir + "/ward.sqlite") + Self.size(of: server.dir + "/audit")
        let settled = try await server.settle()
        writeLine(
            String(
                format: "made a %.0f MiB database and %d audit entries in %.0f s; the server settled %.0f s after it started",
                Double(Self.size(of: server.dir + "/ward.sqlite")) / 1_048_576, entries, Double(filled.components.seconds),
                Double(settled.components.seconds)))

        // References, while it serves without load.
        let copied = try Self.timed {
            try FileManager.default.copyItem(atPath: server.dir + "/ward.sqlite", toPath: scratch + "/copy.sqlite")
            try FileManager.default.copyItem(atPath: server.dir + "/audit", toPath: scratch + "/copy-audit")
        }
        let sqliteBackup = try Self.timed {
            try SQLiteReference.backup(server.dir + "/ward.sqlite", to: scratch + "/sqlite-backup.sqlite")
        }
        for copy in ["copy.sqlite", "copy-audit", "sqlite-backup.sqlite"] { try? FileManager.default.removeItem(atPath: scratch + "/" + copy) }
        emit(["bench": "backup-references", "bytes": bytes, "copy_seconds": copied, "sqlite_backup_seconds": sqliteBackup])

        // The backup, while clients chat.
        let backups = scratch + "/backups"
        let dataDirectory = server.dir
        var chat = try ChatBench.parse(["--clients", "\(clients)", "--room-size", "5", "--rate", "\(rate)", "--seconds", "\(seconds)"])
        chat.sample = 10
        let quietSeconds = min(20, seconds / 4)
        var load = try await chat.measure(on: server) {
            // The load alone first (the reference for its latency), then the backup during it.
            try await Task.sleep(for: .seconds(quietSeconds))
            let took = try Self.timed {
                guard try Self.run(binary, ["backup", "--data", dataDirectory, "--to", backups, "--policies", "policies"]) == 0 else {
                    throw ValidationError("ward-server backup failed")
                }
            }
            return ["backup_seconds": took, "window_start_s": quietSeconds, "window_end_s": quietSeconds + took]
        }
        load["bench"] = "backup"
        load["bytes"] = bytes
        emit(load)

        // The restore of that backup.
        let taken = try FileManager.default.contentsOfDirectory(atPath: backups).filter { $0.hasPrefix("ward-backup-") }
        guard let backup = taken.first else { throw ValidationError("no backup was written") }
        let restored = try Self.timed {
            guard
                try Self.run(
                    binary,
                    ["restore", "--from", backups + "/" + backup, "--data", scratch + "/restored", "--recovery-key", scratch + "/recovery.key"]) == 0
            else {
                throw ValidationError("ward-server restore failed")
            }
        }
        emit(["bench": "restore", "bytes": bytes, "restore_seconds": restored, "backup_bytes": Self.size(of: backups + "/" + backup)])
    }

    /// One room of messages with random 1 KiB envelopes, written before the server starts.
    static func fillDatabase(_ path: String, mib: Int) async throws {
        _ = try await WardDatabase(path: path).seedArchive(messages: mib * 1024) { _ in Data(SecureRandom.bytes(1024)) }
    }

    /// Synthetic entries appended to the data directory's own log, signed with its key.
    static func fillAuditLog(_ data: DataDirectory, entries: Int) async throws {
        let (serverID, signer) = try data.loadIdentity()
        let log = try AuditLog.open(.init(directory: data.auditLog, signer: signer, source: serverID))
        try await appendSynthetic(entries, to: log)
        try await log.close()
    }

    static func run(_ binary: String, _ arguments: [String]) throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        return process.terminationStatus
    }

    static func timed(_ body: () throws -> Void) throws -> Double {
        let clock = ContinuousClock()
        let start = clock.now
        try body()
        let took = clock.now - start
        return ((Double(took.components.seconds) + Double(took.components.attoseconds) / 1e18) * 100).rounded() / 100
    }

    /// Bytes of a file, or of every file under a directory.
    static func size(of path: String) -> Int {
        let fm = FileManager.default
        func fileSize(_ file: String) -> Int {
            let attributes = try? fm.attributesOfItem(atPath: file)
            return attributes?[.type] as? FileAttributeType == .typeRegular ? (attributes?[.size] as? Int ?? 0) : 0
        }
        return fileSize(path) + (fm.subpaths(atPath: path) ?? []).reduce(0) { $0 + fileSize(path + "/" + $1) }
    }
}
