import ArgumentParser
import Foundation
import Logging
import NIOSSL
import WardClient
import WardCommandLine
import WardCrypto
import WardE2EE
import WardProtocol

/// What `ward` keeps between runs for each USER@HOST (mode 0600): the session token, so that a
/// second factor is asked for once per session and not on every command.
struct SavedSessions: Codable {
    var tokens: [String: String] = [:]
    static let fileName = "ward-sessions.json"

    static func load() -> SavedSessions {
        UserFiles.read(fileName).flatMap { try? JSONDecoder().decode(SavedSessions.self, from: $0) } ?? SavedSessions()
    }

    func save() throws { try UserFiles.writePrivate(try JSONEncoder().encode(self), to: Self.fileName) }
}

/// How to reach and trust the server, shared by the commands.
struct ConnectionOptions: ParsableArguments {
    @Argument(help: "Who signs in where: USER@HOST or USER@HOST:PORT (default port 8443).")
    var target: String

    @Option(help: "Trust the certificates in this PEM file (the clinic's CA, or the appliance's certificate) instead of the known-servers file.")
    var ca: String?

    @Option(
        help: ArgumentHelp(
            "On first contact, trust the server if its certificate has this fingerprint (SHA256:AB:CD:…, as ward-server prints it).",
            valueName: "fingerprint"))
    var trustFingerprint: String?

    @Flag(
        help: """
            Send nothing to a room while a member's identity key changed and is not confirmed (/keys USER verify); a clinic may require it. \
            Without it their new devices are only left out. Also WARD_HOLD_AFTER_IDENTITY_CHANGE=1.
            """
    )
    var holdAfterIdentityChange = false

    /// The clinic's choice about identity changes (`SecureMessenger.holdAfterIdentityChange`).
    var holdsAfterIdentityChange: Bool {
        holdAfterIdentityChange || ProcessInfo.processInfo.environment["WARD_HOLD_AFTER_IDENTITY_CHANGE"] == "1"
    }
}

/// Asks the person for a secret: at the terminal (or from `variable`) before the screen starts,
/// at the screen's prompt after.
typealias AskSecret = @Sendable (_ prompt: String, _ variable: String) async throws -> String

/// Reads a secret at the terminal without echo, or from the environment variable.
let askAtTerminal: AskSecret = { prompt, variable in try readSecret(prompt: prompt, variable: variable) }

/// Where the server is and how it is trusted, worked out once per run.
struct ServerAccess: Sendable {
    let target: Target
    let tls: TLSConfiguration
    let serverName: String
    let logger: Logger

    /// Connects and runs `body`; failures become messages a person can act on.
    func withConnection<T: Sendable>(_ body: @escaping @Sendable (WardConnection) async throws -> T) async throws -> T {
        do {
            return try await WardConnection.withConnection(url: target.url, tls: tls, serverName: serverName, logger: logger, body)
        } catch let error as UsageError {
            throw error
        } catch let WardClientError.server(code, message, policies) {
            throw UsageError("\(code.rawValue): \(message)" + (policies.isEmpty ? "" : " (\(policies.joined(separator: ", ")))"))
        } catch {
            throw await KnownServers.explainFailure(for: target, error)
        }
    }

    /// Resumes the saved session when it still stands, else signs in with the password (asked
    /// for when not given), a second-factor code when the account has one, and a new password
    /// when the server asks for one. Returns who signed in and the password now in force (nil
    /// when the session was resumed without one).
    func signIn(on connection: WardConnection, password given: String?, ask: AskSecret) async throws -> (userID: String, password: String?) {
        let key = target.description
        var sessions = SavedSessions.load()
        if let token = sessions.tokens[key], let resumed = try? await connection.request(Resume(token: token)) {
            return (resumed.userID, given)
        }
        var password: String
        if let given { password = given } else { password = try await ask("Password for \(target): ", "WARD_PASSWORD") }
        let reply: Reply.Session
        do {
            reply = try await connection.login(username: target.user, password: password) {
                try await ask("Code from your authenticator (or a recovery code): ", "WARD_TOTP")
            }
        } catch let WardClientError.server(_, message, policies) {
            throw UsageError("sign-in refused: \(message)" + (policies.isEmpty ? "" : " (\(policies.joined(separator: ", ")))"))
        }
        if reply.mustChangePassword {
            let new = try await ask("Choose a new password (at least 12 characters): ", "WARD_NEW_PASSWORD")
            try await connection.changePassword(current: password, new: new)
            try DeviceKeyPath.reseal(for: target, from: password, to: new)
            password = new
            try await ConnectionOptions.offerSecondFactor(on: connection, ask: ask)
        }
        sessions.tokens[key] = reply.token
        try sessions.save()
        return (reply.userID, password)
    }
}

extension ConnectionOptions {
    /// The server, trusted as the known-servers file, `--ca` or `--trust-fingerprint` say.
    func access() async throws -> ServerAccess {
        let target = try Target(parsing: self.target)
        let certificate = try await KnownServers.certificate(for: target, ca: ca, acceptFingerprint: trustFingerprint)
        let tls: TLSConfiguration
        do { tls = try WardConnection.pinnedTLS(certificatePEM: certificate) } catch {
            throw UsageError("the trusted certificate cannot be read: \(error)")
        }
        var logger = Logger(label: "ward")
        logger.logLevel = .critical
        return ServerAccess(target: target, tls: tls, serverName: try Self.serverName(for: target, certificate: certificate), logger: logger)
    }

    /// Connects, signs in (resuming the saved session when it still stands), opens this device's
    /// keys and registers the device, then runs `body`.
    func withMessenger<T: Sendable>(_ body: @escaping @Sendable (SecureMessenger) async throws -> T) async throws -> T {
        let access = try await access()
        let password = try readSecret(prompt: "Password for \(access.target): ", variable: "WARD_PASSWORD")
        return try await access.withConnection { connection in
            let (userID, inForce) = try await access.signIn(on: connection, password: password, ask: askAtTerminal)
            let identity = try await Self.deviceIdentity(
                for: access.target, userID: userID, password: inForce ?? password, on: connection,
                ask: askAtTerminal)
            let messenger = SecureMessenger(
                connection: connection, identity: identity, userID: userID,
                pins: PinnedIdentityFile(account: access.target.description), holdAfterIdentityChange: holdsAfterIdentityChange)
            try await messenger.register()
            let result = try await body(messenger)
            Self.reportTrustIssues(messenger)
            return result
        }
    }

    /// Connects and signs in (resuming the saved session when it still stands, else with
    /// WARD_PASSWORD or a password asked for), then runs `body`: for requests about the account
    /// itself, which need no device keys.
    func withSignedIn<T: Sendable>(_ body: @escaping @Sendable (WardConnection) async throws -> T) async throws -> T {
        let access = try await access()
        let password = ProcessInfo.processInfo.environment["WARD_PASSWORD"]
        return try await access.withConnection { connection in
            _ = try await access.signIn(on: connection, password: password, ask: askAtTerminal)
            return try await body(connection)
        }
    }

    /// The session that replaced a one-time password is the one place a first second factor is
    /// enrolled without an Admin's enrolment code (issue 16, item 8), so `ward` offers it there:
    /// the secret to add to an authenticator app, then a code from it (WARD_TOTP_ENROL, or asked
    /// for; empty skips). Staff need it before they can message.
    static func offerSecondFactor(on connection: WardConnection, ask: AskSecret) async throws {
        let enrolment: (secret: String, uri: String)
        do { enrolment = try await connection.enrollSecondFactor() } catch WardClientError.server(.conflict, _, _) { return }
        warn(
            """
            Set up your second factor now. Add this secret to your authenticator app:
              \(enrolment.secret)
              (or the link \(enrolment.uri))
            """)
        for _ in 1...3 {
            let code = (try? await ask("Code from your authenticator (empty to skip): ", "WARD_TOTP_ENROL")) ?? ""
            guard !code.isEmpty else {
                warn("Skipped. To set it up later you need an enrolment code from an Admin (wardctl totp enroll --code CODE).")
                return
            }
            do {
                let recovery = try await connection.confirmSecondFactor(code: code)
                warn("Second factor set up. Recovery codes, each good once; keep them somewhere safe:\n  " + recovery.joined(separator: "\n  "))
                return
            } catch WardClientError.server(.invalidCredentials, _, _) {
                warn("That code is not right.")
            }
        }
        warn("No second factor was set up. To set it up later you need an enrolment code from an Admin.")
    }

    /// The name TLS sends and checks for the target (`TLSServerName`).
    static func serverName(for target: Target, certificate pem: String) throws -> String {
        do { return try TLSServerName.resolve(host: target.host, certificatePEM: pem) } catch let failure as TLSServerName.Failure {
            throw UsageError(target.isAddress ? "\(failure.description) (\(target.user)@NAME)" : failure.description)
        }
    }

    /// This device's keys for the account: made on first use and kept in a file sealed with the
    /// password (Argon2id), mode 0600, with the person's identity key (`personIdentity`).
    static func deviceIdentity(
        for target: Target, userID: String, password: String, on connection: WardConnection,
        ask: AskSecret
    ) async throws -> DeviceIdentity {
        let path = DeviceKeyPath.of(target)
        if FileManager.default.fileExists(atPath: path) {
            var identity: DeviceIdentity
            do {
                let (loaded, owner) = try DeviceKeyFile.load(from: path, passphrase: password)
                guard owner == userID else { throw UsageError("\(path) belongs to another account") }
                identity = loaded
            } catch let failure as DeviceKeyFile.Failure {
                throw UsageError("\(failure)" + (failure == .wrongPassphrase ? " (it is sealed with the password this device was set up with)" : ""))
            }
            if identity.person == nil {
                // Made before identity keys: the device takes the person's identity now.
                identity.person = try await personIdentity(userID: userID, on: connection, ask: ask)
                try DeviceKeyFile.save(identity, userID: userID, passphrase: password, to: path)
            }
            return identity
        }
        let identity = DeviceIdentity(person: try await personIdentity(userID: userID, on: connection, ask: ask))
        try FileManager.default.createDirectory(
            atPath: UserFiles.directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        try DeviceKeyFile.save(identity, userID: userID, passphrase: password, to: path)
        warn("This device's keys were made and saved in \(path). Your identity's safety number: \(identitySafetyNumber(identity))")
        return identity
    }

    /// The person's identity key for a device that has none: opened from the backup on the
    /// server with the recovery key (WARD_RECOVERY_KEY, or asked for), so that the device is
    /// theirs to everyone who pinned them; or, on their first device (no backup) or when they
    /// skip it, a new identity whose backup is stored under a new recovery key, shown once.
    static func personIdentity(userID: String, on connection: WardConnection, ask: AskSecret) async throws -> PersonIdentity {
        if let backup = try? await connection.request(IdentityBackupRequest()).backup {
            for _ in 0..<3 {
                let key =
                    (try? await ask("Recovery key from when your identity was made (empty to start a new identity): ", "WARD_RECOVERY_KEY")) ?? ""
                if key.isEmpty { break }
                do {
                    let person = try IdentityBackup.open(backup, userID: userID, recoveryKey: key)
                    warn("This device is now vouched for by your identity.")
                    // Sealed before browsers took part: sealed again so that the web client opens it too
                    // (best effort: the old backup still serves ward).
                    if IdentityBackup.isArgon2Format(backup), let sealed = try? IdentityBackup.seal(person, userID: userID, recoveryKey: key) {
                        _ = try? await connection.request(IdentityBackupRequest(backup: sealed))
                    }
                    return person
                } catch IdentityBackup.Failure.wrongRecoveryKey {
                    warn("That recovery key does not open your identity backup.")
                }
            }
            warn(
                "WARNING: starting a new identity. The people you talk with are told your identity changed, and your other devices are left "
                    + "out, until safety numbers are compared again."
            )
        }
        let person = PersonIdentity()
        let recoveryKey = IdentityBackup.makeRecoveryKey()
        try await connection.request(IdentityBackupRequest(backup: try IdentityBackup.seal(person, userID: userID, recoveryKey: recoveryKey)))
        warn(
            """
            Your recovery key (write it down and keep it to yourself; a new device of yours needs it to be yours):
              \(recoveryKey)
            """)
        return person
    }

    static func identitySafetyNumber(_ identity: DeviceIdentity) -> String {
        identity.person.map { PersonIdentity.safetyNumber(identityKey: $0.publicKey) } ?? "none"
    }

    /// Says what the messenger left out and refused, once per run of a command: devices no
    /// pinned identity vouches for.
    static func reportTrustIssues(_ messenger: SecureMessenger) {
        for issue in messenger.trustIssues {
            warn(
                "WARNING: \(issue) (user \(issue.userID)); it gets no keys and its messages are not shown. Compare safety numbers in ward's "
                    + "screen (/keys USER)."
            )
        }
        for issue in messenger.takeDeliveryIssues() { warn("WARNING: \(issue) (the server holds back or reorders what it relays).") }
    }
}

/// The file holding this device's keys for an account, sealed with the account's password.
enum DeviceKeyPath {
    static func of(_ target: Target) -> String {
        let safeName = target.description.map { $0.isLetter || $0.isNumber || "@.-_".contains($0) ? $0 : "_" }
        return UserFiles.directory + "/device-" + String(safeName) + ".key"
    }

    /// Seals the device's keys with the new password after a password change, so that the
    /// next sign-in opens them. No file yet: nothing to do.
    static func reseal(for target: Target, from old: String, to new: String) throws {
        let path = of(target)
        guard FileManager.default.fileExists(atPath: path) else { return }
        do {
            let (identity, owner) = try DeviceKeyFile.load(from: path, passphrase: old)
            try DeviceKeyFile.save(identity, userID: owner, passphrase: new, to: path)
        } catch let failure as DeviceKeyFile.Failure {
            throw UsageError("the password changed, but \(path) could not be sealed again: \(failure)")
        }
    }
}
