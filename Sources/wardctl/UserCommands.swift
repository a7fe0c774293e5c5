import ArgumentParser
import Foundation
import WardClient
import WardCommandLine
import WardProtocol

struct UserCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user",
        abstract: "Manage accounts (Admin).",
        subcommands: [
            Add.self, List.self, Show.self, Disable.self, Enable.self, ResetPassword.self, ResetSecondFactor.self
        ]
    )
}

extension UserCommand {
    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "add", abstract: "Create an account; prints its one-time password once.")
        @Argument(help: "The username.") var username: String
        @Option(help: "The account's role.") var role: AccountRole
        @Option(help: "The name shown to other users.") var name: String?

        func run() async throws {
            let (username, role, name) = (self.username, self.role.rawValue, self.name)
            let reply = try await withSession {
                try await $0.request(UserCreate(username: username, role: role, displayName: name))
            }
            print("created \(username) (\(reply.userID ?? "?")), role \(role)")
            if let waiting = reply.approvals?.first {
                print(ApprovalsCommand.waiting(waiting))
            } else {
                print("one-time password (shown once; to be changed at first sign-in): \(reply.password ?? "?")")
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List accounts.")
        func run() async throws {
            let reply = try await withSession { try await $0.request(UserList()) }
            printUsers(reply.users)
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "show", abstract: "Show one account.")
        @Argument(help: "The username.") var username: String
        func run() async throws {
            printUsers(try await userRequest(UserShow.self, username).users)
        }
    }

    struct Disable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "disable", abstract: "Disable an account and end its sessions.")
        @Argument(help: "The username.") var username: String
        func run() async throws {
            try await userRequest(UserDisable.self, username)
            print("disabled \(username)")
        }
    }

    struct Enable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "enable", abstract: "Enable a disabled account.")
        @Argument(help: "The username.") var username: String
        func run() async throws {
            try await userRequest(UserEnable.self, username)
            print("enabled \(username)")
        }
    }

    struct ResetPassword: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "reset-password", abstract: "Give an account a new one-time password (and clear its lockout).")
        @Argument(help: "The username.") var username: String
        func run() async throws {
            let reply = try await userRequest(UserResetPassword.self, username)
            if let waiting = reply.approvals?.first {
                print(ApprovalsCommand.waiting(waiting))
            } else {
                print("one-time password for \(username) (shown once): \(reply.password ?? "?")")
            }
        }
    }

    struct ResetSecondFactor: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "reset-second-factor",
            abstract: "Remove an account's second factor (a lost authenticator); prints the code it enrols a new one with.")
        @Argument(help: "The username.") var username: String
        func run() async throws {
            let reply = try await userRequest(UserResetSecondFactor.self, username)
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
}

/// Sends one of the requests that name an account (`NamedAccountRequest`) about `username`.
@discardableResult
func userRequest<Request: NamedAccountRequest>(_: Request.Type, _ username: String) async throws -> Request.Answer {
    try await withSession { try await $0.request(NamedAccount<Request>(username: username)) }
}

func printUsers(_ users: [UserInfo]) {
    for user in users {
        print("\(user.username)\t\(user.userID)\t\(user.role)\t\(user.active ? "active" : "disabled")\t\(user.displayName)")
    }
}
