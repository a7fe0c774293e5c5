import ArgumentParser
import Foundation
import WardClient
import WardCommandLine
import WardProtocol
import WardStore

/// `wardctl gdpr`: the privacy officer's duties under the GDPR.
struct GDPRCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gdpr",
        abstract: "The GDPR duties: the record of processing activities, subject access exports.",
        subcommands: [Register.self, Export.self]
    )

    struct Register: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the record of processing activities (Art. 30): every kind of personal data Ward stores.",
            discussion: "For each kind: its purpose, legal basis, how it is exported and erased, how long it is kept, and what can hold it back from erasure. It is generated from the registry the server's export and erasure use (Sources/WardStore/PersonalData.swift), so it cannot drift from what the server does."
        )

        @Flag(help: "The registry as JSON instead of text.") var json = false

        func run() throws {
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                print(String(decoding: try encoder.encode(PersonalData.kinds), as: UTF8.self))
            } else {
                print(PersonalData.record())
            }
        }
    }
}

extension GDPRCommand {
    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Export everything Ward holds about a person (GDPR Art. 15, 20), as JSON (docs/export.schema.json).",
            discussion: "Needs a privacy officer's session (wardctl login). Messages stay the ciphertext the server holds, with their metadata; the person's own device decrypts them in their own export. The export and every page of it are audited. The file is written mode 0600: it holds personal data."
        )

        @Argument(help: "The person's username.") var username: String
        @Option(help: "Where to write the JSON document.") var out: String

        func run() async throws {
            let username = self.username
            let document = try await withSession { connection -> ExportDocument in
                guard let person = try await connection.request(ClientRequest(id: 0, type: "user.find", username: username)).users?.first else {
                    throw UsageError("no account is called \(username)")
                }
                return try await connection.exportSubject(userID: person.userID)
            }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            try UserFiles.writePrivate(try encoder.encode(document), atPath: out)
            print("exported \(document.subjectID): \(document.rooms.count) rooms, \(document.messages.count) messages, \(document.access.count) access records → \(out)")
        }
    }
}
