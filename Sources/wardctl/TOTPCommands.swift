import ArgumentParser
import Foundation
import WardClient
import WardCommandLine
import WardProtocol

struct TOTPCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "totp",
        abstract: "Set up the signed-in account's second factor (an authenticator app, RFC 6238).",
        subcommands: [Enroll.self, Confirm.self]
    )
}

extension TOTPCommand {
    struct Enroll: AsyncParsableCommand {
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

    struct Confirm: AsyncParsableCommand {
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
}
