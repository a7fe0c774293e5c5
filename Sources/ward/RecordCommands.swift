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
        discussion:
            "Entries are FHIR R4 resources (docs/RECORDS.md); every change is a new version and every read and write is audited. A patient "
            + "reads their own record with their own username. A clinician outside the care team reads only after `ward record "
            + "breakglass` (a reason of at least a sentence; an hour long; the privacy officer reviews it).",
        subcommands: [Show.self, Add.self, Amend.self, Amendments.self, Answer.self, Disagree.self, BreakGlass.self],
        defaultSubcommand: Show.self
    )

    /// The patient's user id: an id as given, or a username looked up.
    static func patientID(_ name: String, on connection: WardConnection) async throws -> String {
        if name.hasPrefix("user:") { return name }
        // A patient naming themselves: their own id, without a directory search patients may not make.
        let me = try await connection.request(Whoami())
        if let own = me.users.first, own.username == name { return own.userID }
        guard let found = try await connection.request(UserFind(username: name)).users.first else {
            throw UsageError("no active account is called \(name)")
        }
        return found.userID
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Read a patient's record (the newest version of each entry, or every version).")
        @OptionGroup var target: PatientTarget
        @Option(help: "Only this section.") var section: RecordSection?
        @Flag(help: "Every version, oldest first.") var history = false
        @Flag(help: "The FHIR resources as JSON, one per line.") var fhir = false
        @Flag(help: "The entries as one FHIR R4 Bundle (type collection), for other health software.") var bundle = false

        func validate() throws {
            if fhir && bundle { throw ValidationError("give --fhir or --bundle, not both") }
        }

        func run() async throws {
            let (section, history, fhir, bundle) = (self.section?.rawValue, self.history, self.fhir, self.bundle)
            let (entries, withheld, amendments) = try await target.withPatient {
                connection, patientID -> ([RecordEntryInfo], [String: Int], [AmendmentInfo]) in
                try await connection.readRecordView(RecordRead(patientID: patientID, section: section, history: history ? true : nil))
            }
            if bundle {
                guard let text = RecordText.bundle(entries) else { throw UsageError("a stored resource is not JSON; nothing was written") }
                print(text)
                if !withheld.isEmpty { FileHandle.standardError.write(Data((RecordText.withheldLine(withheld) + "\n").utf8)) }
                return
            }
            if entries.isEmpty { print("the record has no entries" + (section.map { " in \($0)" } ?? "")) }
            for entry in entries { print(fhir ? entry.resource : RecordText.line(entry)) }
            if !withheld.isEmpty { print(RecordText.withheldLine(withheld)) }
            // Open requests and disputes are read with the record (HIPAA 164.526(d)(4)).
            let disputed = RecordText.openOrDisputed(amendments)
            if !fhir && !disputed.isEmpty {
                print("amendment requests:")
                for amendment in disputed { print("  " + RecordText.amendmentLine(amendment)) }
            }
        }
    }

    struct Amend: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Ask for an entry of your record to be amended (HIPAA 164.526, GDPR Art. 16).",
            discussion:
                "The doctors of your care team are notified and answer within 60 days: an accepted request changes the entry (a new version; "
                + "the old one stays in the history), a denied one comes with a reason. See the answers with `ward record amendments`."
        )
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "The patient (yourself): username or user id.") var patient: String
        @Argument(help: "The entry (its id, shown in brackets by `show`).") var entry: String
        @Argument(help: "What is wrong and what it should say.") var text: String

        func run() async throws {
            let (patient, entry, text) = (self.patient, self.entry, self.text)
            let asked = try await connection.withSignedIn { connection -> AmendmentInfo? in
                try await connection.request(RecordAmend(patientID: try await Record.patientID(patient, on: connection), entryID: entry, text: text))
                    .amendments.first
            }
            if let asked { print("asked: " + RecordText.amendmentLine(asked)) }
        }
    }

    struct Amendments: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "A patient's amendment requests and their answers.")
        @OptionGroup var target: PatientTarget

        func run() async throws {
            let listed = try await target.withPatient { connection, patientID -> [AmendmentInfo] in
                try await connection.request(NamedPatient<RecordAmendments>(patientID: patientID)).amendments
            }
            if listed.isEmpty { print("no amendment requests") }
            for amendment in listed { print(RecordText.amendmentLine(amendment)) }
        }
    }

    struct Disagree: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "After a denied amendment request, file your statement of disagreement (once).",
            discussion:
                "HIPAA 164.526(d)(1)(iii): the statement stays with the request, the doctors of your care team are told, and whoever reads "
                + "your record afterwards reads it with the entry it concerns."
        )
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "The request's id (amend:…), as `amendments` shows it.") var amendment: String
        @Argument(help: "Why you disagree.") var text: String

        func run() async throws {
            let (amendment, text) = (self.amendment, self.text)
            let filed = try await connection.withSignedIn { connection -> AmendmentInfo? in
                try await connection.request(RecordAmendDisagree(amendmentID: amendment, text: text)).amendments.first
            }
            if let filed { print("filed: " + RecordText.amendmentLine(filed)) }
        }
    }

    struct Answer: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Answer a patient's amendment request (a doctor on the care team).",
            discussion:
                "--accept TEXT writes the amended entry (a new version, built from TEXT like `ward record add`), or --accept-fhir FILE "
                + "stores a FHIR resource as it is; --deny REASON refuses it with a reason the patient reads (HIPAA 164.526(d))."
        )
        @OptionGroup var target: PatientTarget
        @Argument(help: "The request's id (amend:…), as `amendments` shows it.") var amendment: String
        @Option(help: "Accept, with the entry's new text.") var accept: String?
        @Option(help: "Accept, with the new FHIR resource (JSON file).") var acceptFhir: String?
        @Option(help: "Deny, with the reason.") var deny: String?

        func validate() throws {
            guard [accept, acceptFhir, deny].compactMap({ $0 }).count == 1 else {
                throw ValidationError("give one of --accept TEXT, --accept-fhir FILE, --deny REASON")
            }
        }

        func run() async throws {
            let fhir = try acceptFhir.map { String(decoding: try Data(contentsOf: URL(fileURLWithPath: $0)), as: UTF8.self) }
            let (amendment, accept, deny) = (self.amendment, self.accept, self.deny)
            let answered = try await target.withPatient { connection, patientID -> AmendmentInfo? in
                var request = RecordAmendDecide(amendmentID: amendment, verdict: "accepted")
                if let deny {
                    request.verdict = "denied"
                    request.reason = deny
                } else {
                    let listed = try await connection.request(NamedPatient<RecordAmendments>(patientID: patientID)).amendments
                    guard let asked = listed.first(where: { $0.amendmentID == amendment }) else {
                        throw UsageError("the patient has no request \(amendment)")
                    }
                    guard let resource = fhir ?? RecordText.resource(section: asked.section, text: accept ?? "") else {
                        throw UsageError("unknown section \(asked.section)")
                    }
                    request.resource = resource
                }
                return try await connection.request(request).amendments.first
            }
            if let answered { print("answered: " + RecordText.amendmentLine(answered)) }
        }
    }

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add an entry to a section (or, with --amend, a new version of an entry).")
        @OptionGroup var target: PatientTarget
        @Argument(help: "The record's section.") var section: RecordSection
        @Argument(help: "What to record (becomes the section's FHIR resource); or give --fhir FILE.") var text: String?
        @Option(help: "A FHIR resource (JSON) to store as it is.") var fhir: String?
        @Option(help: "The entry this amends (its id, shown in brackets by `show`).") var amend: String?
        @Option(
            help: """
                Withhold this version from the patient's own view (doctors): psychotherapy-notes or endangerment; none releases a withheld \
                entry (new versions of one stay withheld otherwise).
                """
        ) var withhold: String?

        func validate() throws {
            guard (text == nil) != (fhir == nil) else { throw ValidationError("give the text, or --fhir FILE") }
        }

        func run() async throws {
            let resource: String
            if let fhir {
                resource = String(decoding: try Data(contentsOf: URL(fileURLWithPath: fhir)), as: UTF8.self)
            } else if let built = RecordText.resource(section: section.rawValue, text: text ?? "") {
                resource = built
            } else {
                throw ValidationError("unknown section \(section)")
            }
            let (section, amend, withhold) = (self.section.rawValue, self.amend, self.withhold)
            let written = try await target.withPatient { connection, patientID -> RecordEntryInfo? in
                let write = RecordWrite(patientID: patientID, section: section, resource: resource, entryID: amend, withhold: withhold)
                return try await connection.request(write).recordEntries.first
            }
            if let written { print("recorded: " + RecordText.line(written)) }
        }
    }

    struct BreakGlass: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "breakglass",
            abstract: "Declare an emergency access to a patient's record you are not on the care team of (HIPAA emergency access).",
            discussion:
                "The reason must be at least a sentence; it is kept as an erasable commitment in the audit log, the entry is critical, the "
                + "privacy officer is told at once and reviews the access. It lasts an hour."
        )
        @OptionGroup var target: PatientTarget
        @Option(help: "Why (at least 20 characters).") var reason: String

        func run() async throws {
            let reason = self.reason
            let use = try await target.withPatient { connection, patientID -> BreakGlassInfo? in
                try await connection.request(BreakGlassOpen(patientID: patientID, reason: reason)).breakGlassUses.first
            }
            if let use { print("emergency access until \(ScheduleText.moment(use.endsAt, .current)); the privacy officer has been told") }
        }
    }
}

/// What the commands about one patient's record take: the connection and the patient.
struct PatientTarget: ParsableArguments {
    @OptionGroup var connection: ConnectionOptions
    @Argument(help: "The patient: username or user id.") var patient: String

    /// Runs `body` signed in, with the patient's user id.
    func withPatient<T: Sendable>(_ body: @escaping @Sendable (WardConnection, _ patientID: String) async throws -> T) async throws -> T {
        let patient = self.patient
        return try await connection.withSignedIn { connection in try await body(connection, try await Record.patientID(patient, on: connection)) }
    }
}
