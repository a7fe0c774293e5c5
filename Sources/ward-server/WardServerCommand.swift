import ArgumentParser
import Foundation
import Logging
import WardCommandLine
import WardCrypto
import WardServer
import WardStore

/// `ward-server`: the appliance.
@main
struct WardServerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ward-server",
        abstract: "The Ward appliance: TLS WebSocket service with policy-decided, audited requests.",
        subcommands: [Init.self, Serve.self, RecoverAdmin.self, RecoveryKey.self, TakeBackup.self, VerifyBackup.self, Restore.self]
    )
}

/// `--argon2-memory`, for the commands that hash passwords (init, recover-admin, serve).
struct PasswordHashingOption: ParsableArguments {
    @Option(help: "Argon2id memory in KiB for new password hashes (RFC 9106's second recommendation: 65536).")
    var argon2Memory: UInt32 = Argon2id.Parameters.rfc9106SecondRecommended.memoryKiB

    /// Argon2id at RFC 9106's second recommended settings with that much memory.
    func hasher() throws -> Argon2id {
        var parameters = Argon2id.Parameters.rfc9106SecondRecommended
        parameters.memoryKiB = argon2Memory
        return try Argon2id(parameters: parameters)
    }
}

/// Runs `body`, turning the data directory's errors into usage errors, which say what to do.
func explainingServerErrors<T>(_ body: () async throws -> T) async throws -> T {
    do { return try await body() } catch let error as ServerError { throw UsageError("\(error)") }
}

struct Init: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create a data directory: database, audit log and key, master key, TLS certificate, first Admin.",
        discussion: """
            Prints the Admin's one-time password once; it must be changed at first sign-in. Key files \
            are created 0600. Refuses to overwrite anything in an existing data directory.
            """
    )

    @Option(help: "The data directory to create.")
    var data: String = "data"
    @OptionGroup var keys: KeysDirectoryOption

    @Option(name: .customLong("hostname"), help: "A host name or IPv4 address for the certificate (repeatable).")
    var hostnames: [String] = ["localhost", "127.0.0.1"]

    @OptionGroup var hashing: PasswordHashingOption

    func run() async throws {
        let made = try await explainingServerErrors {
            try await DataDirectory(path: data, keys: keys.keysDir).initialise(
                hostnames: hostnames, passwordHasher: try hashing.hasher())
        }
        print(
            """
            initialised \(data)
            TLS certificate fingerprint: \(made.certificateFingerprint)
            first Admin account: \(made.adminUsername)
            one-time password (shown once; change it at first sign-in): \(made.adminPassword)
            """)
    }
}

struct RecoverAdmin: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "recover-admin",
        abstract: "Give the clinic an Admin again when no Admin can sign in (run with the server stopped).",
        discussion: """
            With --username, that Admin account is enabled, its second factor removed, its sessions ended and its password replaced \
            by a one-time password; without, a new Admin account (admin-recovery) is made. Prints the one-time password once. Works \
            on the data directory directly, so it refuses to run while ward-server serves it (the audit log is locked), and \
            it is recorded in the audit log as account.recover by the operator.
            """
    )

    @Option(help: "The data directory.")
    var data: String = "data"

    @OptionGroup var keys: KeysDirectoryOption
    @Option(help: "An existing Admin account to restore (default: make a new Admin account).")
    var username: String?

    @OptionGroup var hashing: PasswordHashingOption

    func run() async throws {
        let recovered = try await explainingServerErrors {
            try await DataDirectory(path: data, keys: keys.keysDir).recoverAdmin(
                username: username, passwordHasher: try hashing.hasher())
        }
        print(
            """
            Admin account: \(recovered.username)
            one-time password (shown once; change it at first sign-in): \(recovered.password)
            """)
    }
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve clients over TLS until SIGTERM or SIGINT (SIGHUP reloads the policies).",
        discussion: "Plain HTTP is not served: the listener speaks TLS only."
    )

    @Option(help: "The data directory (see init).")
    var data: String = "data"
    @OptionGroup var keys: KeysDirectoryOption
    @Option(help: "HOST:PORT to listen on; a LAN address works too.")
    var listen: String = "127.0.0.1:8443"
    @Option(help: "The policy directory.")
    var policies: String = "policies"
    @Option(help: "TLS certificate chain (PEM, the leaf first; clients pin the last certificate), instead of the data directory's.")
    var tlsCert: String?
    @Option(help: "TLS private key (PEM, mode 0600), instead of the data directory's.")
    var tlsKey: String?
    @Option(help: "Minutes of inactivity after which a session ends (automatic logoff).")
    var idleMinutes: Int = 15
    @Option(help: "Hours after which a session ends however active.")
    var sessionHours: Int = 12
    @Option(help: "Seconds a new connection has to sign in before it is closed.")
    var signInSeconds: Int = 10
    @Option(help: "Days messages are kept before the retention job removes them (unless a legal hold keeps them).")
    var messageRetentionDays: Int = 3650
    @Option(help: "Minutes between runs of the retention job (each run writes a purge receipt to the audit log).")
    var retentionMinutes: Int = 60
    @Option(help: "The clinic's time zone (an IANA name such as Europe/Berlin): weekly availability is in its local time.")
    var timeZone: String = TimeZone.current.identifier
    @Option(help: "When patients are reminded of an appointment: minutes before it, comma-separated (they must consent to reminders).")
    var reminderMinutes: String = "1440,60"
    @Option(help: "Minutes after which an unread urgent message alerts its readers again.")
    var urgentRealertMinutes: Int = 5
    @OptionGroup var hashing: PasswordHashingOption
    @Option(help: "Connections at once from one address (a clinic's devices may share one behind NAT).")
    var maxConnectionsPerAddress: Int = ConnectionCaps().perAddress
    @Option(help: "Connections at once in total (kept below the open-file limit).")
    var maxConnections: Int = ConnectionCaps().total
    @Option(help: "Seconds a new connection has to finish TLS and the WebSocket upgrade before it is closed.")
    var upgradeSeconds: Int = 5
    @Option(
        help: "MiB of free disk below which new messages, records, bookings and accounts are refused (storage_low), keeping room for the audit log.")
    var minFreeMib: Int = 512
    @Option(
        help: """
            A file (best on another disk than --data, beside the backups) where every completed erasure is journalled, so that restore \
            re-applies it.
            """
    )
    var erasureJournal: String?
    @Option(
        help:
            "A directory (best on another disk) for backups: the server reports the newest one's age in /metrics, and takes them with --backup-every."
    )
    var backupDir: String?
    @Option(help: "Hours between the backups the server takes into --backup-dir (0: take none, only watch their age).")
    var backupEvery: Int = 0
    @Option(help: "How many of its backups the server keeps in --backup-dir (older ones are removed).")
    var backupKeep: Int = 14
    @Option(help: "The web client's folder (the repository's Web/), served at https://HOST:PORT/ on the same listener.")
    var web: String?

    func validate() throws {
        guard (tlsCert == nil) == (tlsKey == nil) else { throw ValidationError("give both --tls-cert and --tls-key, or neither") }
        guard Self.split(listen) != nil else { throw ValidationError("--listen must be HOST:PORT, for example 127.0.0.1:8443") }
        guard idleMinutes >= 1, sessionHours >= 1 else { throw ValidationError("--idle-minutes and --session-hours must be at least 1") }
        guard (1...600).contains(signInSeconds) else { throw ValidationError("--sign-in-seconds must be 1-600") }
        guard TimeZone(identifier: timeZone) != nil else {
            throw ValidationError("--time-zone \(timeZone) is not a time zone name (for example Europe/Berlin or America/New_York)")
        }
        guard Self.leads(reminderMinutes) != nil else {
            throw ValidationError("--reminder-minutes is minutes before the appointment, comma-separated (1-20160), for example 1440,60")
        }
        guard (1...1440).contains(urgentRealertMinutes) else { throw ValidationError("--urgent-realert-minutes must be 1-1440") }
        guard messageRetentionDays >= 1, retentionMinutes >= 1 else {
            throw ValidationError("--message-retention-days and --retention-minutes must be at least 1")
        }
        guard (1...1_000_000).contains(maxConnectionsPerAddress), (1...1_000_000).contains(maxConnections) else {
            throw ValidationError("--max-connections-per-address and --max-connections must be 1-1000000")
        }
        guard (1...120).contains(upgradeSeconds) else { throw ValidationError("--upgrade-seconds must be 1-120") }
        guard (0...1_048_576).contains(minFreeMib) else { throw ValidationError("--min-free-mib must be 0-1048576") }
        guard (0...24 * 31).contains(backupEvery), (1...10_000).contains(backupKeep) else {
            throw ValidationError("--backup-every must be 0-744 hours and --backup-keep 1-10000")
        }
        guard backupEvery == 0 || backupDir != nil else { throw ValidationError("--backup-every needs --backup-dir") }
    }

    /// "1440,60" as seconds before an appointment.
    static func leads(_ text: String) -> [Int64]? {
        let minutes = text.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !minutes.isEmpty, minutes.allSatisfy({ $0.map { (1...20160).contains($0) } ?? false }) else { return nil }
        return minutes.compactMap { $0.map { Int64($0) * 60 } }
    }

    static func split(_ address: String) -> (String, Int)? {
        guard let colon = address.lastIndex(of: ":"), let port = Int(address[address.index(after: colon)...]), (0...65535).contains(port) else {
            return nil
        }
        let host = String(address[..<colon])
        return host.isEmpty ? nil : (host, port)
    }

    func run() async throws {
        guard let (host, port) = Self.split(listen) else { throw UsageError("--listen must be HOST:PORT") }
        var configuration = ServerConfiguration(data: DataDirectory(path: data, keys: keys.keysDir))
        (configuration.host, configuration.port, configuration.policies) = (host, port, policies)
        (configuration.tlsCertificate, configuration.tlsKey) = (tlsCert, tlsKey)
        configuration.sessionLimits = SessionLimits(idleSeconds: Int64(idleMinutes) * 60, lifetimeSeconds: Int64(sessionHours) * 3600)
        configuration.connectionLimits.authenticationTimeout = .seconds(signInSeconds)
        configuration.passwordParameters.memoryKiB = hashing.argon2Memory
        configuration.retention.messageDays = Int64(messageRetentionDays)
        configuration.retentionInterval = .seconds(retentionMinutes * 60)
        configuration.timeZone = TimeZone(identifier: timeZone) ?? configuration.timeZone
        configuration.notificationTimes.reminderLeads = Self.leads(reminderMinutes) ?? configuration.notificationTimes.reminderLeads
        configuration.notificationTimes.urgentRealert = Int64(urgentRealertMinutes) * 60
        configuration.connectionCaps.perAddress = maxConnectionsPerAddress
        configuration.connectionCaps.total = maxConnections
        configuration.connectionCaps.upgradeTimeout = .seconds(upgradeSeconds)
        configuration.minimumFreeBytes = Int64(minFreeMib) * 1024 * 1024
        configuration.erasureJournal = erasureJournal
        configuration.backupDirectory = backupDir
        configuration.backupEvery = .seconds(backupEvery * 3600)
        configuration.backupKeep = backupKeep
        configuration.webClient = web
        var logger = Logger(label: "ward.server")
        logger.logLevel = .info
        try await explainingServerErrors {
            try await WardServer.run(configuration, logger: logger) { port, fingerprint in
                // Unbuffered, so a supervisor or test reading the output sees it at once.
                FileHandle.standardOutput.write(
                    Data(
                        """
                        ward-server listening on https://\(host):\(port) (WebSocket \
                        wss://\(host):\(port)/v1/ws\(web == nil ? "" : ", web client https://\(host):\(port)/"))
                        TLS certificate fingerprint: \(fingerprint)

                        """.utf8))
            }
        }
    }
}

/// `--keys-dir`, for every command that opens a data directory.
struct KeysDirectoryOption: ParsableArguments {
    @Option(
        help: """
            A directory of its own for the master key and the audit signing key (another disk, or a tmpfs a key manager fills), instead of \
            the data directory (docs/OPERATIONS.md).
            """
    )
    var keysDir: String?
}
