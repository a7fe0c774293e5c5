import ArgumentParser
import Foundation
import Logging
import NIOSSL
import SwiftASN1
import X509
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

    @Option(help: ArgumentHelp("On first contact, trust the server if its certificate has this fingerprint (SHA256:AB:CD:…, as ward-server prints it).",
                               valueName: "fingerprint"))
    var trustFingerprint: String?
}

extension ConnectionOptions {
    /// Connects, signs in (resuming the saved session when it still stands), opens this device's
    /// keys and registers the device, then runs `body`.
    func withMessenger<T: Sendable>(_ body: @escaping @Sendable (SecureMessenger) async throws -> T) async throws -> T {
        let target = try Target(parsing: self.target)
        let certificate = try await KnownServers.certificate(for: target, ca: ca, acceptFingerprint: trustFingerprint)
        let tls: TLSConfiguration
        do { tls = try WardConnection.pinnedTLS(certificatePEM: certificate) } catch { throw UsageError("the trusted certificate cannot be read: \(error)") }
        let enteredPassword = try readSecret(prompt: "Password for \(target): ", variable: "WARD_PASSWORD")
        var logger = Logger(label: "ward")
        logger.logLevel = .critical
        let key = target.description
        do {
            return try await WardConnection.withConnection(url: target.url, tls: tls, serverName: try Self.serverName(for: target, certificate: certificate), logger: logger) { connection in
                var password = enteredPassword
                var sessions = SavedSessions.load()
                var userID: String?
                if let token = sessions.tokens[key], let resumed = try? await connection.request(ClientRequest(id: 0, type: "resume", token: token)) {
                    userID = resumed.userID
                }
                if userID == nil {
                    var reply = try await connection.send(ClientRequest(id: 0, type: "login", username: target.user, password: password))
                    if reply.code == .secondFactorRequired {
                        let code = try readSecret(prompt: "Code from your authenticator (or a recovery code): ", variable: "WARD_TOTP")
                        reply = try await connection.send(ClientRequest(id: 0, type: "login", username: target.user, password: password, totp: code))
                    }
                    if reply.type == "error" {
                        throw UsageError("sign-in refused: \(reply.message ?? "")" + ((reply.policies ?? []).isEmpty ? "" : " (\((reply.policies ?? []).joined(separator: ", ")))"))
                    }
                    if reply.mustChangePassword == true {
                        let new = try readSecret(prompt: "Choose a new password (at least 12 characters): ", variable: "WARD_NEW_PASSWORD")
                        try await connection.changePassword(current: password, new: new)
                        password = new
                    }
                    userID = reply.userID
                    sessions.tokens[key] = reply.token
                    try sessions.save()
                }
                guard let userID else { throw UsageError("the server did not say who signed in") }
                let identity = try Self.deviceIdentity(for: target, userID: userID, password: password)
                let messenger = SecureMessenger(connection: connection, identity: identity, userID: userID)
                try await messenger.register()
                return try await body(messenger)
            }
        } catch let error as UsageError {
            throw error
        } catch let WardClientError.server(code, message, policies) {
            throw UsageError("\(code.rawValue): \(message)" + (policies.isEmpty ? "" : " (\(policies.joined(separator: ", ")))"))
        } catch {
            throw await KnownServers.explainFailure(for: target, error)
        }
    }

    /// The name TLS sends and checks: the host, or, for an IP address (which server name
    /// indication cannot carry), the first DNS name the trusted certificate lists.
    static func serverName(for target: Target, certificate pem: String) throws -> String {
        guard target.isAddress else { return target.host }
        let certificate: Certificate
        do { certificate = try Certificate(pemEncoded: pem) } catch { throw UsageError("the trusted certificate cannot be read: \(error)") }
        let names: SubjectAlternativeNames? = try? certificate.extensions.subjectAlternativeNames
        for name in names ?? SubjectAlternativeNames() {
            if case let .dnsName(dns) = name { return dns }
        }
        throw UsageError("the server's certificate names no host; connect to \(target.user)@NAME with a name it lists")
    }

    /// This device's keys for the account: made on first use and kept in a file sealed with the
    /// password (Argon2id), mode 0600.
    static func deviceIdentity(for target: Target, userID: String, password: String) throws -> DeviceIdentity {
        let safeName = target.description.map { $0.isLetter || $0.isNumber || "@.-_".contains($0) ? $0 : "_" }
        let path = UserFiles.directory + "/device-" + String(safeName) + ".key"
        if FileManager.default.fileExists(atPath: path) {
            do {
                let (identity, owner) = try DeviceKeyFile.load(from: path, passphrase: password)
                guard owner == userID else { throw UsageError("\(path) belongs to another account") }
                return identity
            } catch let failure as DeviceKeyFile.Failure {
                throw UsageError("\(failure)" + (failure == .wrongPassphrase ? " (it is sealed with the password this device was set up with)" : ""))
            }
        }
        let identity = DeviceIdentity()
        try FileManager.default.createDirectory(atPath: UserFiles.directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        try DeviceKeyFile.save(identity, userID: userID, passphrase: password, to: path)
        warn("This device's keys were made and saved in \(path). Safety number: \(DeviceKeysCheck.safetyNumber(identity.publicKeys(userID: userID)))")
        return identity
    }
}
