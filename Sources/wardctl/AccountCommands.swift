public import ArgumentParser
import Foundation
import Logging
import WardClient
import WardCommandLine
import WardProtocol

struct Login: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
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
                var session = try await connection.send(ClientRequest(id: 0, type: .login, username: username, password: password))
                if session.code == .secondFactorRequired {
                    let code = try readSecret(prompt: "Code from the authenticator (or a recovery code): ", variable: "WARD_TOTP")
                    session = try await connection.login(username: username, password: password, totp: code)
                } else if session.type == "error" {
                    throw WardClientError.server(session.code ?? .badRequest, session.message ?? "", policies: session.policies ?? [])
                }
                if session.mustChangePassword == true {
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

struct UserCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user",
        abstract: "Manage accounts (Admin).",
        subcommands: [
            UserAdd.self, UserList.self, UserShow.self, UserDisable.self, UserEnable.self, UserResetPassword.self, UserResetSecondFactor.self
        ]
    )
}

struct UserAdd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "add", abstract: "Create an account; prints its one-time password once.")
    @Argument(help: "The username.") var username: String
    @Option(help: "The account's role.") var role: AccountRole
    @Option(help: "The name shown to other users.") var name: String?

    func run() async throws {
        let (username, role, name) = (self.username, self.role.rawValue, self.name)
        let reply = try await withSession {
            try await $0.request(ClientRequest(id: 0, type: .userCreate, username: username, displayName: name, role: role))
        }
        print("created \(username) (\(reply.userID ?? "?")), role \(role)")
        if let waiting = reply.approvals?.first {
            print(ApprovalsCommand.waiting(waiting))
        } else {
            print("one-time password (shown once; to be changed at first sign-in): \(reply.password ?? "?")")
        }
    }
}

struct UserList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List accounts.")
    func run() async throws {
        let reply = try await withSession { try await $0.request(ClientRequest(id: 0, type: .userList)) }
        printUsers(reply.users ?? [])
    }
}

struct UserShow: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show one account.")
    @Argument(help: "The username.") var username: String
    func run() async throws {
        printUsers(try await userRequest(.userShow, username).users ?? [])
    }
}

/// Sends one request of `type` about the account `username`.
@discardableResult
func userRequest(_ type: RequestType, _ username: String) async throws -> ServerReply {
    try await withSession { try await $0.request(ClientRequest(id: 0, type: type, username: username)) }
}

struct UserDisable: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "disable", abstract: "Disable an account and end its sessions.")
    @Argument(help: "The username.") var username: String
    func run() async throws {
        try await userRequest(.userDisable, username)
        print("disabled \(username)")
    }
}

struct UserEnable: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "enable", abstract: "Enable a disabled account.")
    @Argument(help: "The username.") var username: String
    func run() async throws {
        try await userRequest(.userEnable, username)
        print("enabled \(username)")
    }
}

struct UserResetPassword: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reset-password", abstract: "Give an account a new one-time password (and clear its lockout).")
    @Argument(help: "The username.") var username: String
    func run() async throws {
        let reply = try await userRequest(.userResetPassword, username)
        if let waiting = reply.approvals?.first {
            print(ApprovalsCommand.waiting(waiting))
        } else {
            print("one-time password for \(username) (shown once): \(reply.password ?? "?")")
        }
    }
}

struct UserResetSecondFactor: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reset-second-factor",
        abstract: "Remove an account's second factor (a lost authenticator); prints the code it enrols a new one with.")
    @Argument(help: "The username.") var username: String
    func run() async throws {
        let reply = try await userRequest(.userResetSecondFactor, username)
        if let waiting = reply.approvals?.first {
            print(ApprovalsCommand.waiting(waiting))
            return
        }
        print("second factor of \(username) removed; its sessions are ended")
        if let code = reply.enrolmentCode {
            print("enrolment code for \(username) (shown once, valid 7 days; give it to them in person): \(code)")
            print("they enrol with: wardctl totp enroll --code CODE (or ward's first sign-in)")
        }
    }
}

func printUsers(_ users: [UserInfo]) {
    for user in users {
        print("\(user.username)\t\(user.userID)\t\(user.role)\t\(user.active ? "active" : "disabled")\t\(user.displayName)")
    }
}

struct CareTeamCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "careteam",
        abstract: "Manage which clinicians care for which patient (Admin).",
        subcommands: [CareTeamAdd.self, CareTeamRemove.self, CareTeamList.self]
    )
}

/// A username's id through user.show (Admin: any account, disabled ones too).
func userIDAsAdmin(_ username: String, on connection: WardConnection) async throws -> String {
    let reply = try await connection.request(ClientRequest(id: 0, type: .userShow, username: username))
    guard let id = reply.users?.first?.userID else { throw UsageError("no user \(username)") }
    return id
}

/// A patient and a clinician, by username: what `careteam add` and `careteam remove` name.
struct CareTeamPair: ParsableArguments {
    @Argument(help: "The patient's username.") var patient: String
    @Argument(help: "The clinician's username.") var clinician: String

    /// Sends `type` (careteam.add or careteam.remove) for the pair.
    func send(_ type: RequestType) async throws {
        let (patient, clinician) = (self.patient, self.clinician)
        try await withSession { connection in
            try await connection.request(
                ClientRequest(
                    id: 0, type: type, patientID: try await userIDAsAdmin(patient, on: connection),
                    clinicianID: try await userIDAsAdmin(clinician, on: connection)))
        }
    }
}

struct CareTeamAdd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "add", abstract: "Put a clinician on a patient's care team.")
    @OptionGroup var pair: CareTeamPair
    func run() async throws {
        try await pair.send(.careTeamAdd)
        print("\(pair.clinician) is on \(pair.patient)'s care team")
    }
}

struct CareTeamRemove: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "remove", abstract: "Take a clinician off a patient's care team.")
    @OptionGroup var pair: CareTeamPair
    func run() async throws {
        try await pair.send(.careTeamRemove)
        print("\(pair.clinician) is no longer on \(pair.patient)'s care team")
    }
}

struct CareTeamList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List a patient's care team (user ids).")
    @Argument(help: "The patient's username.") var patient: String
    func run() async throws {
        let patient = self.patient
        let members = try await withSession { connection in
            try await connection.request(ClientRequest(id: 0, type: .careTeamList, patientID: try await userIDAsAdmin(patient, on: connection)))
                .members ?? []
        }
        for member in members { print(member) }
    }
}

struct TOTPCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "totp",
        abstract: "Set up the signed-in account's second factor (an authenticator app, RFC 6238).",
        subcommands: [TOTPEnroll.self, TOTPConfirm.self]
    )
}

struct TOTPEnroll: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "enroll", abstract: "Print a new secret and its otpauth URI for the authenticator app.",
        discussion:
            "Works in the session that replaced the one-time password; after an administrator reset the second factor, give the enrolment "
            + "code they handed over with --code."
    )
    @Option(help: "The enrolment code from an administrator's reset-second-factor.") var code: String?
    func run() async throws {
        let code = self.code
        let enrolment = try await withSession { try await $0.enrollSecondFactor(enrolmentCode: code) }
        print("secret: \(enrolment.secret)")
        print("uri: \(enrolment.uri)")
        print("add it to the authenticator, then: wardctl totp confirm CODE")
    }
}

struct TOTPConfirm: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "confirm", abstract: "Confirm with the authenticator's current code; prints recovery codes once.")
    @Argument(help: "The six-digit code the authenticator shows now.") var code: String
    func run() async throws {
        let code = self.code
        let recovery = try await withSession { try await $0.confirmSecondFactor(code: code) }
        print("second factor confirmed; this session has it. Recovery codes (each works once; keep them safe):")
        for item in recovery { print(item) }
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
            var request = ClientRequest(id: 0, type: .notificationAnnounce, role: role)
            request.text = text
            return try await connection.request(request)
        }
        print("announced to \(reply.unreadNotifications ?? 0) account(s)")
    }
}

extension AccountRole: ExpressibleByArgument {}
