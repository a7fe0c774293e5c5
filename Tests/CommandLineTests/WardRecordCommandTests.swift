import Foundation
import Testing
import WardTestSupport

/// `ward record` and `wardctl breakglass` against a served clinic: Nurse Ann, on Pia's care team,
/// writes and reads; Nurse Bo, outside it, declares an emergency; the privacy officer reviews.
@Suite("ward record")
struct WardRecordCommandTests {
    @Test func recordsAreWrittenReadAndEmergencyAccessIsReviewed() async throws {
        try await ExclusiveSubprocesses.shared.run { try await self.alone() }
    }

    func alone() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let served = try ServedData.start(in: dir)
        defer { served.stop() }
        let clinic = try await TwoNurses.make(served)
        #expect(try clinic.addToPiasCareTeam("nurse.ann", served: served, in: dir).status == 0)
        func ward(_ who: Int, _ arguments: [String]) throws -> ProcessResult {
            try runProcess(
                Binaries.ward, Array(arguments.prefix(2)) + [clinic.target(who), "--trust-fingerprint", clinic.fingerprint] + arguments.dropFirst(2),
                environment: clinic.environment(who, in: dir))
        }
        let added = try ward(0, ["record", "add", TwoNurses.patient, "notes", "Slept well, no pain overnight"])
        #expect(added.status == 0 && added.stdout.contains("recorded: notes  v1") && added.stdout.contains("Slept well"), "\(added.stderr)")
        let refused = try ward(0, ["record", "add", TwoNurses.patient, "allergies", "Penicillin"])
        #expect(refused.status == 2 && refused.stderr.contains("denied"), "a nurse adds notes, not allergies: \(refused.stderr)")
        let shown = try ward(0, ["record", "show", TwoNurses.patient])
        #expect(shown.status == 0 && shown.stdout.contains("Slept well, no pain overnight"), "\(shown.stderr)")
        let fhir = try ward(0, ["record", "show", TwoNurses.patient, "--fhir"])
        #expect(fhir.stdout.contains("\"resourceType\":\"DocumentReference\""), "\(fhir.stdout)")
        let bundle = try ward(0, ["record", "show", TwoNurses.patient, "--bundle"])
        let parsed = try JSONSerialization.jsonObject(with: Data(bundle.stdout.utf8)) as? [String: Any]
        #expect(parsed?["resourceType"] as? String == "Bundle" && (parsed?["entry"] as? [Any])?.count == 1, "\(bundle.stdout)\(bundle.stderr)")
        // A nurse may not withhold a note from the patient.
        let withheld = try ward(0, ["record", "add", TwoNurses.patient, "notes", "Anxious", "--withhold", "endangerment"])
        #expect(withheld.status == 2 && withheld.stderr.contains("only-doctors-withhold"), "\(withheld.stderr)")
        // The patient asks for the note to be amended; only a doctor answers.
        let entry = try #require(added.stdout.split(separator: "[").last?.split(separator: "]").first.map(String.init))
        func pia(_ arguments: [String]) throws -> ProcessResult {
            try runProcess(
                Binaries.ward,
                Array(arguments.prefix(2)) + [clinic.patientTarget, "--trust-fingerprint", clinic.fingerprint] + arguments.dropFirst(2),
                environment: clinic.patientEnvironment(in: dir))
        }
        let asked = try pia(["record", "amend", TwoNurses.patient, entry, "I had pain at night"])
        #expect(
            asked.status == 0 && asked.stdout.contains("asked: requested") && asked.stdout.contains("answer due"), "\(asked.stdout)\(asked.stderr)")
        let listed = try pia(["record", "amendments", TwoNurses.patient])
        #expect(listed.status == 0 && listed.stdout.contains("I had pain at night"), "\(listed.stderr)")
        let amendment = try #require(listed.stdout.split(separator: "[").last?.split(separator: "]").first.map(String.init))
        let nurseAnswer = try ward(0, ["record", "answer", TwoNurses.patient, amendment, "--deny", "Observed asleep"])
        #expect(nurseAnswer.status == 2 && nurseAnswer.stderr.contains("denied"), "doctors answer: \(nurseAnswer.stderr)")
        // The open request is read with the record; a statement of disagreement waits for a denial.
        let withRequest = try ward(0, ["record", "show", TwoNurses.patient])
        #expect(withRequest.stdout.contains("amendment requests:") && withRequest.stdout.contains("I had pain at night"), "\(withRequest.stdout)")
        let early = try pia(["record", "disagree", amendment, "I did have pain"])
        #expect(early.status == 2 && early.stderr.contains("follows a denial"), "\(early.stderr)")
        let noAnswer = try ward(0, ["record", "answer", TwoNurses.patient, "amend:x"])
        #expect(noAnswer.status != 0 && noAnswer.stderr.contains("--deny"), "an answer is needed: \(noAnswer.stderr)")
        // Bo is not on the care team: refused, then an emergency access, then the record.
        #expect(try ward(1, ["record", "show", TwoNurses.patient]).status == 2)
        let short = try ward(1, ["record", "breakglass", TwoNurses.patient, "--reason", "urgent"])
        #expect(short.status == 2 && short.stderr.contains("sentence"), "\(short.stderr)")
        let declared = try ward(1, ["record", "breakglass", TwoNurses.patient, "--reason", "Found collapsed in the corridor, care team off duty"])
        #expect(declared.status == 0 && declared.stdout.contains("the privacy officer has been told"), "\(declared.stderr)")
        #expect(try ward(1, ["record", "show", TwoNurses.patient]).stdout.contains("Slept well"))

        // The privacy officer reviews.
        let officer = [
            "WARD_CONFIG_DIR": dir.path + "/po", "WARD_PASSWORD": TwoNurses.password,
            "WARD_TOTP": TwoNurses.code(clinic.privacyOfficerSecret, at: Date().addingTimeInterval(30))
        ]
        let server = ["--server", "wss://127.0.0.1:\(served.port)/v1/ws", "--cert", served.data + "/tls/cert.pem"]
        #expect(try runProcess(Binaries.wardctl, ["login", "--username", TwoNurses.privacyOfficer] + server, environment: officer).status == 0)
        let queue = try runProcess(Binaries.wardctl, ["breakglass", "review"], environment: officer)
        #expect(
            queue.status == 0 && queue.stdout.contains("reason: Found collapsed") && queue.stdout.hasPrefix("1\t"), "\(queue.stdout)\(queue.stderr)")
        let verdict = try runProcess(Binaries.wardctl, ["breakglass", "review", "1", "--verdict", "justified"], environment: officer)
        #expect(
            verdict.status == 0 && verdict.stdout.contains("access 1: justified") && verdict.stdout.contains("no emergency accesses wait"),
            "\(verdict.stderr)")
        #expect(try runProcess(Binaries.wardctl, ["breakglass", "review", "1"], environment: officer).status == 2, "a number needs a verdict")
    }
}
