import ArgumentParser
import Foundation
import WardStore

/// `wardctl gdpr`: the privacy officer's duties under the GDPR.
struct GDPRCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gdpr",
        abstract: "The GDPR duties: the record of processing activities.",
        subcommands: [Register.self]
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
