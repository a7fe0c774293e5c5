import ArgumentParser
import Foundation
import WardClient
import WardCommandLine
import WardProtocol

/// `wardctl breakglass`: the privacy officer's review of emergency accesses.
struct BreakGlassCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "breakglass",
        abstract: "Review emergency (break-glass) accesses to records (privacy officer).",
        subcommands: [Review.self]
    )

    struct Review: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the accesses waiting for a verdict (overdue after 72 h), or record one: review ID --verdict justified|unjustified.",
            discussion:
                "Each line: number, clinician, patient, when it started and ended, OVERDUE when unreviewed past 72 hours, and the declared "
                + "reason (kept until the clinician or the patient is erased). Exit status 1 when any is overdue."
        )
        @Argument(help: "The access to give a verdict on.") var id: Int?
        @Option(help: "The privacy officer's finding.") var verdict: Verdict?
        @Flag(help: "List reviewed accesses too.") var all = false

        enum Verdict: String, CaseIterable, ExpressibleByArgument {
            case justified, unjustified
        }

        func validate() throws {
            guard (id == nil) == (verdict == nil) else { throw ValidationError("give both the access's number and --verdict, or neither") }
        }

        func run() async throws {
            let (id, verdict, all) = (self.id, self.verdict?.rawValue, self.all)
            let uses = try await withSession { connection in
                let kind = all ? "all" : nil
                let reply =
                    if let id, let verdict {
                        try await connection.request(BreakGlassReview(breakGlassID: id, verdict: verdict, kind: kind))
                    } else {
                        try await connection.request(Listing<BreakGlassList>(kind: kind))
                    }
                return reply.breakGlassUses
            }
            if let id, let verdict { print("access \(id): \(verdict)") }
            if uses.isEmpty { print(all ? "no emergency accesses" : "no emergency accesses wait for review") }
            for use in uses {
                let reviewed = use.verdict.map { "\t\($0) by \(use.reviewedBy ?? "?")" } ?? ""
                let overdue = use.overdue ? "\tOVERDUE" : ""
                print("\(use.breakGlassID)\t\(use.clinicianID)\t\(use.patientID)\t\(utc(use.startedAt)) to \(utc(use.endsAt))\(overdue)\(reviewed)")
                if let reason = use.reason { print("\treason: \(reason)") }
            }
            if uses.contains(where: \.overdue) { throw ExitCode(1) }
        }
    }
}
