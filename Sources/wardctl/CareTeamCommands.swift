import ArgumentParser
import Foundation
import WardClient
import WardCommandLine
import WardProtocol

struct CareTeamCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "careteam",
        abstract: "Manage which clinicians care for which patient (Admin).",
        subcommands: [Add.self, Remove.self, List.self]
    )
}

extension CareTeamCommand {
    /// A patient and a clinician, by username: what `careteam add` and `careteam remove` name.
    struct Pair: ParsableArguments {
        @Argument(help: "The patient's username.") var patient: String
        @Argument(help: "The clinician's username.") var clinician: String

        /// Sends `careteam.add` or `careteam.remove` for the pair.
        func send<Request: CareTeamChangeRequest>(_: Request.Type) async throws {
            let (patient, clinician) = (self.patient, self.clinician)
            try await withSession { connection in
                try await connection.request(
                    CareTeamChange<Request>(
                        patientID: try await userIDAsAdmin(patient, on: connection), clinicianID: try await userIDAsAdmin(clinician, on: connection)))
            }
        }
    }

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "add", abstract: "Put a clinician on a patient's care team.")
        @OptionGroup var pair: Pair
        func run() async throws {
            try await pair.send(CareTeamAdd.self)
            print("\(pair.clinician) is on \(pair.patient)'s care team")
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "remove", abstract: "Take a clinician off a patient's care team.")
        @OptionGroup var pair: Pair
        func run() async throws {
            try await pair.send(CareTeamRemove.self)
            print("\(pair.clinician) is no longer on \(pair.patient)'s care team")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List a patient's care team (user ids).")
        @Argument(help: "The patient's username.") var patient: String
        func run() async throws {
            let patient = self.patient
            let members = try await withSession { connection in
                try await connection.request(NamedPatient<CareTeamList>(patientID: try await userIDAsAdmin(patient, on: connection)))
                    .members
            }
            for member in members { print(member) }
        }
    }
}

/// A username's id through user.show (Admin: any account, disabled ones too).
func userIDAsAdmin(_ username: String, on connection: WardConnection) async throws -> String {
    let reply = try await connection.request(NamedAccount<UserShow>(username: username))
    guard let id = reply.users.first?.userID else { throw UsageError("no user \(username)") }
    return id
}
