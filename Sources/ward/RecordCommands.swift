import ArgumentParser
import Foundation
import WardClient
import WardCommandLine
import WardProtocol
import WardTerminal

/// `ward record …`: a patient's record without a screen.
struct Record: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "A patient's record: read it, add or amend an entry, declare an emergency access.",
        discussion: "Entries are FHIR R4 resources (docs/RECORDS.md); every change is a new version and every read and write is audited. A patient reads their own record with their own username. A clinician outside the care team reads only after `ward record breakglass` (a reason of at least a sentence; an hour long; the privacy officer reviews it).",
        subcommands: [Show.self, Add.self, BreakGlass.self],
        defaultSubcommand: Show.self
    )

    /// The patient's user id: an id as given, or a username looked up.
    static func patientID(_ name: String, on connection: WardConnection) async throws -> String {
        if name.hasPrefix("user:") { return name }
        guard let found = try await connection.request(ClientRequest(id: 0, type: "user.find", username: name)).users?.first else {
            throw UsageError("no active account is called \(name)")
        }
        return found.userID
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Read a patient's record (the newest version of each entry, or every version).")
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "The patient: username or user id.") var patient: String
        @Option(help: "Only this section: demographics, allergies, medications, problems or notes.") var section: String?
        @Flag(help: "Every version, oldest first.") var history = false
        @Flag(help: "The FHIR resources as JSON, one per line.") var fhir = false

        func run() async throws {
            let (patient, section, history, fhir) = (self.patient, self.section, self.history, self.fhir)
            let entries = try await connection.withSignedIn { connection -> [RecordEntryInfo] in
                var request = ClientRequest(id: 0, type: "record.read", patientID: try await Record.patientID(patient, on: connection))
                request.section = section
                request.history = history ? true : nil
                return try await connection.readRecord(request)
            }
            if entries.isEmpty { print("the record has no entries" + (section.map { " in \($0)" } ?? "")) }
            for entry in entries { print(fhir ? entry.resource : RecordText.line(entry)) }
        }
    }

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add an entry to a section (or, with --amend, a new version of an entry).")
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "The patient: username or user id.") var patient: String
        @Argument(help: "demographics, allergies, medications, problems or notes.") var section: String
        @Argument(help: "What to record (becomes the section's FHIR resource); or give --fhir FILE.") var text: String?
        @Option(help: "A FHIR resource (JSON) to store as it is.") var fhir: String?
        @Option(help: "The entry this amends (its id, shown in brackets by `show`).") var amend: String?

        func validate() throws {
            guard RecordText.sections.contains(section) else { throw ValidationError("the section is one of \(RecordText.sections.joined(separator: ", "))") }
            guard (text == nil) != (fhir == nil) else { throw ValidationError("give the text, or --fhir FILE") }
        }

        func run() async throws {
            let resource: String
            if let fhir {
                resource = String(decoding: try Data(contentsOf: URL(fileURLWithPath: fhir)), as: UTF8.self)
            } else if let built = RecordText.resource(section: section, text: text ?? "") {
                resource = built
            } else {
                throw ValidationError("unknown section \(section)")
            }
            let (patient, section, amend) = (self.patient, self.section, self.amend)
            let written = try await connection.withSignedIn { connection -> RecordEntryInfo? in
                var request = ClientRequest(id: 0, type: "record.write", patientID: try await Record.patientID(patient, on: connection))
                request.section = section
                request.resource = resource
                request.entryID = amend
                return try await connection.request(request).recordEntries?.first
            }
            if let written { print("recorded: " + RecordText.line(written)) }
        }
    }

    struct BreakGlass: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "breakglass",
            abstract: "Declare an emergency access to a patient's record you are not on the care team of (HIPAA emergency access).",
            discussion: "The reason must be at least a sentence; it is kept as an erasable commitment in the audit log, the entry is critical, the privacy officer is told at once and reviews the access. It lasts an hour."
        )
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "The patient: username or user id.") var patient: String
        @Option(help: "Why (at least 20 characters).") var reason: String

        func run() async throws {
            let (patient, reason) = (self.patient, self.reason)
            let use = try await connection.withSignedIn { connection -> BreakGlassInfo? in
                var request = ClientRequest(id: 0, type: "breakglass.open", patientID: try await Record.patientID(patient, on: connection))
                request.reason = reason
                return try await connection.request(request).breakGlassUses?.first
            }
            if let use { print("emergency access until \(ScheduleText.moment(use.endsAt, .current)); the privacy officer has been told") }
        }
    }
}
