public import ArgumentParser
import Foundation
import Logging
import WardClient
import WardCommandLine
import WardProtocol

struct LoginCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "login",
        abstract: "Sign in to a server as an administrator and keep the session (0600) for the other commands.",
        discussion: """
            The password is read without echo, or from WARD_PASSWORD. If the account has a second \
            factor, its current code (or a recovery code) is asked for, or read from WARD_TOTP. If the \
            account must change its password (a new account's one-time password), the new one is asked \
            for (or read from WARD_NEW_PASSWORD). The certificate given with --cert is pinned: later \
            commands trust that certificate only. Staff accounts then set up a second factor with \
            `wardctl totp enroll` and `wardctl totp confirm CODE` before administering.
            """
    )

    @Option(help: "The server, wss://HOST:PORT/v1/ws.")
    var server: String = "wss://127.0.0.1:8443/v1/ws"
    @Option(help: "The server's TLS certificate (PEM), e.g. data/tls/cert.pem.")
    var cert: String
    @Option(help: "The name to check the certificate against (default: the server's host; for an IP address, a name the certificate lists).")
    var serverName: String?
    @Option(help: "The account's username.")
    var username: String = "admin"

    func run() async throws {
        guard let pem = try? String(contentsOfFile: cert, encoding: .utf8) else { throw UsageError("cannot read certificate \(cert)") }
        let serverName: String
        do {
            serverName = try TLSServerName.resolve(host: self.serverName ?? URL(string: server)?.host ?? "localhost", certificatePEM: pem)
        } catch let failure as TLSServerName.Failure {
            throw UsageError(failure.description)
        }
        let password = try readSecret(prompt: "Password for \(username): ", variable: "WARD_PASSWORD")
        var logger = Logger(label: "wardctl")
        logger.logLevel = .critical
        let username = self.username
        let token: String
        do {
            token = try await WardConnection.withConnection(
                url: server, tls: try WardConnection.pinnedTLS(certificatePEM: pem),
                serverName: serverName, logger: logger
            ) { connection in
                let session = try await connection.login(username: username, password: password) {
                    try readSecret(prompt: "Code from the authenticator (or a recovery code): ", variable: "WARD_TOTP")
                }
                if session.mustChangePassword {
                    let new = try readSecret(prompt: "A new password (at least 12 characters): ", variable: "WARD_NEW_PASSWORD")
                    try await connection.changePassword(current: password, new: new)
                }
                if session.warnings?.contains("backup_stale") == true {
                    warn("WARNING: the newest backup is older than the schedule allows, or there is none (wardctl backup status)")
                }
                return session.token ?? ""
            }
        } catch let error as WardClientError {
            throw UsageError("\(error)")
        }
        try SavedSession(url: server, serverName: serverName, certificatePEM: pem, token: token).save()
        print("signed in; session saved in \(SavedSession.path)")
    }
}

/// `wardctl announce`: a notification to everyone, or to one role (Admin).
struct Announce: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Send an announcement to everyone, or to one role (Admin); people see it in their notifications.",
        discussion:
            "Announcements are for the whole clinic or a role (the clinic closes early, a new phone number); they must not hold health data. "
            + "People who turned announcements off (ward notifications --off announcement) do not get them."
    )
    @Argument(help: "The text (1-500 characters).") var text: String
    @Option(help: "Only this role.") var role: AccountRole?

    func run() async throws {
        let (text, role) = (self.text, self.role?.rawValue)
        let reply = try await withSession { connection in
            try await connection.request(NotificationAnnounce(text: text, role: role))
        }
        print("announced to \(reply.unreadNotifications) account(s)")
    }
}

extension AccountRole: ExpressibleByArgument {}
