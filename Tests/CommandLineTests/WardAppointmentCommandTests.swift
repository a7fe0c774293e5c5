import Foundation
import Testing
import WardTestSupport

/// `ward availability`, `ward appointments`, `ward notifications` and `wardctl announce` against a
/// served clinic: Nurse Ann publishes hours, the patient Pia books, moves and exports; Ann confirms.
@Suite("ward appointments")
struct WardAppointmentCommandTests {
    @Test func aPatientBooksAndTheNurseConfirms() async throws { try await ExclusiveSubprocesses.shared.run { try await self.alone() } }

    func alone() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let served = try ServedData.start(in: dir)
        defer { served.stop() }
        let clinic = try await TwoNurses.make(served)
        /// `ward SUBCOMMAND [SUBCOMMAND] TARGET … ARGUMENTS`: the target goes after the command words.
        func ward(_ target: String, _ environment: [String: String], _ arguments: [String]) throws -> ProcessResult {
            let words = arguments.prefix {
                !$0.hasPrefix("-")
                    && [
                        "availability", "appointments", "notifications", "add", "list", "clinicians", "slots", "book",
                        "reschedule", "show", "ics", "confirm", "cancel"
                    ].contains($0)
            }.prefix(2)
            return try runProcess(
                Binaries.ward, Array(words) + [target, "--trust-fingerprint", clinic.fingerprint] + arguments.dropFirst(words.count),
                environment: environment)
        }
        func ann(_ arguments: String...) throws -> ProcessResult { try ward(clinic.target(0), clinic.environment(0, in: dir), arguments) }
        func pia(_ arguments: [String]) throws -> ProcessResult { try ward(clinic.patientTarget, clinic.patientEnvironment(in: dir), arguments) }
        // Ann opens two hours tomorrow, in half-hour slots.
        let tomorrow = (Int64(Date().timeIntervalSince1970) / 3600 + 24) * 3600
        let formatter = ISO8601DateFormatter()
        let from = formatter.string(from: Date(timeIntervalSince1970: TimeInterval(tomorrow)))
        let until = formatter.string(from: Date(timeIntervalSince1970: TimeInterval(tomorrow + 7200)))
        let added = try ann("availability", "add", "--open", from, until, "--location", "Room 2")
        #expect(added.status == 0 && added.stdout.contains("added"), "\(added.stderr)")
        let listed = try ann("availability", "list")
        #expect(listed.status == 0 && listed.stdout.contains("open") && listed.stdout.contains("Room 2"), "\(listed.stdout)\(listed.stderr)")
        #expect(try ann("availability", "add", "--weekly", "funday", "09:00-12:00").status == 2)

        // Pia finds Ann, lists her slots, books the first with a reason, moves it to the second.
        let clinicians = try pia(["appointments", "clinicians"])
        #expect(clinicians.status == 0 && clinicians.stdout.contains("Ann (Nurse, nurse.ann)"), "\(clinicians.stderr)")
        let slots = try pia(["appointments", "slots", "nurse.ann"])
        #expect(
            slots.status == 0 && slots.stdout.split(separator: "\n").count == 4 && slots.stdout.hasPrefix("1. "), "\(slots.stdout)\(slots.stderr)")
        let booked = try pia(["appointments", "book", "nurse.ann", "1", "--reason", "a sore knee"])
        #expect(booked.status == 0 && booked.stdout.contains("booked:") && booked.stdout.contains("requested"), "\(booked.stderr)")
        #expect(try pia(["appointments", "book", "nurse.ann", "99"]).stderr.contains("there is no free slot 99"))
        #expect(try pia(["appointments", "book", "nurse.nobody", "1"]).stderr.contains("no bookable clinician"))
        let moved = try pia(["appointments", "reschedule", "1", "2"])
        #expect(moved.status == 0 && moved.stdout.contains("moved:"), "\(moved.stderr)")
        let shown = try pia(["appointments", "show", "1"])
        #expect(shown.stdout.contains("a sore knee"), "the patient reads her own reason: \(shown.stdout)")
        let ics = dir.path + "/pia.ics"
        let exported = try pia(["appointments", "ics", "--out", ics])
        #expect(exported.status == 0 && exported.stdout.contains("1 appointment(s)"), "\(exported.stderr)")
        let calendar = try String(contentsOfFile: ics, encoding: .utf8)
        #expect(calendar.hasPrefix("BEGIN:VCALENDAR\r\n") && calendar.contains("STATUS:TENTATIVE") && !calendar.contains("sore knee"))
        #expect(try FileManager.default.attributesOfItem(atPath: ics)[.posixPermissions] as? Int == 0o600)

        // Ann sees it on her schedule and confirms; Pia is told, reads her notifications, then cancels.
        let schedule = try ann("appointments", "list")
        #expect(schedule.stdout.contains("Pia") && schedule.stdout.contains("requested"), "\(schedule.stdout)\(schedule.stderr)")
        let confirmed = try ann("appointments", "confirm", "1")
        #expect(confirmed.status == 0 && confirmed.stdout.contains("confirmed"), "\(confirmed.stderr)")
        let told = try pia(["notifications"])
        #expect(told.status == 0 && told.stdout.contains("was confirmed") && told.stdout.contains("[unread]"), "\(told.stdout)\(told.stderr)")
        #expect(try pia(["notifications", "--read"]).stdout.contains("marked read"))
        #expect(try pia(["notifications"]).stdout.contains("no unread notifications"))
        // A kind is turned off by its name; an unknown one is refused before anything is sent.
        #expect(try pia(["notifications", "--off", "amendment"]).stdout.contains("turned off: amendment"))
        let unknown = try pia(["notifications", "--off", "gossip"])
        #expect(unknown.status != 0 && unknown.stderr.contains("announcement"), "\(unknown.stderr)")
        let cancelled = try pia(["appointments", "cancel", "1"])
        #expect(cancelled.status == 0 && cancelled.stdout.contains("cancelled"), "\(cancelled.stderr)")

        // The Admin announces to patients; Pia sees it.
        let announced = try clinic.wardctl(
            as: "admin", secret: clinic.adminSecret, ["announce", "The clinic closes at noon on Friday", "--role", "Patient"],
            served: served, in: dir)
        #expect(announced.status == 0 && announced.stdout.contains("announced to 1 account"), "\(announced.stderr)")
        #expect(try pia(["notifications"]).stdout.contains("The clinic closes at noon on Friday"))
    }
}
