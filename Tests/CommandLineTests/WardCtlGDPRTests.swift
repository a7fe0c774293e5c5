import Foundation
import Testing
import WardTestSupport

@Suite("wardctl gdpr")
struct WardCtlGDPRTests {
    @Test func registerPrintsTheRecordOfProcessingActivities() throws {
        let text = try runProcess(Binaries.wardctl, ["gdpr", "register"])
        #expect(
            text.status == 0 && text.stdout.contains("Art. 30") && text.stdout.contains("table `message`")
                && text.stdout.contains("erasure: crypto-shred"), "\(text.stderr)")
        let json = try runProcess(Binaries.wardctl, ["gdpr", "register", "--json"])
        let kinds = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]]
        #expect(json.status == 0 && (kinds?.count ?? 0) >= 12 && kinds?.allSatisfy { $0["legalBasis"] is String } == true)
    }

    @Test func aPrivacyOfficerExportsHoldsAndErases() async throws { try await ExclusiveSubprocesses.shared.run { try await self.exportAlone() } }

    func exportAlone() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let served = try ServedData.start(in: dir)
        defer { served.stop() }
        let clinic = try await TwoNurses.make(served)
        let environment = [
            "WARD_CONFIG_DIR": dir.path + "/po", "WARD_PASSWORD": TwoNurses.password,
            "WARD_TOTP": TwoNurses.code(clinic.privacyOfficerSecret, at: Date().addingTimeInterval(30))
        ]
        let login = try runProcess(
            Binaries.wardctl,
            [
                "login", "--server", "wss://127.0.0.1:\(served.port)/v1/ws", "--cert", served.data + "/tls/cert.pem",
                "--username", TwoNurses.privacyOfficer
            ], environment: environment)
        #expect(login.status == 0, "\(login.stderr)")
        let out = dir.path + "/ann.json"
        let exported = try runProcess(Binaries.wardctl, ["gdpr", "export", "nurse.ann", "--out", out], environment: environment)
        #expect(exported.status == 0 && exported.stdout.contains("1 rooms"), "\(exported.stderr)")
        let mode = try FileManager.default.attributesOfItem(atPath: out)[.posixPermissions] as? Int
        #expect(mode == 0o600, "the export holds personal data")
        let document = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out))) as? [String: Any] ?? [:]
        let profile = (document["account"] as? [String: Any])?["profile"] as? [String: Any]
        #expect(
            document["format"] as? String == "ward-export-1" && document["subjectID"] as? String == clinic.ids[0]
                && profile?["username"] as? String == "nurse.ann")
        #expect((document["access"] as? [Any])?.isEmpty == false, "the accounting of access is there")
        let unknown = try runProcess(Binaries.wardctl, ["gdpr", "export", "nobody.here", "--out", dir.path + "/x.json"], environment: environment)
        #expect(unknown.status == 2 && unknown.stderr.contains("no active account"), "\(unknown.stderr)")

        // Nurse Bo asks to be erased with `ward erase`; the officer sees it, holds, releases, erases.
        func ward(_ who: Int, _ arguments: [String]) throws -> ProcessResult {
            try runProcess(
                Binaries.ward, [arguments[0], clinic.target(who), "--trust-fingerprint", clinic.fingerprint] + arguments.dropFirst(),
                environment: clinic.environment(who, in: dir))
        }
        func wardctl(_ arguments: String...) throws -> ProcessResult { try runProcess(Binaries.wardctl, arguments, environment: environment) }
        #expect(try wardctl("gdpr", "requests").stdout.contains("no pending erasure requests"))
        let asked = try ward(1, ["erase", "--yes", "--note", "my old address too"])
        #expect(asked.status == 0 && asked.stdout.contains("must act on it by"), "\(asked.stderr)")
        let pending = try wardctl("gdpr", "requests")
        #expect(
            pending.status == 0 && pending.stdout.contains(clinic.ids[1]) && pending.stdout.contains("open")
                && pending.stdout.contains("note: my old address too"), "\(pending.stdout)\(pending.stderr)")
        #expect(try wardctl("gdpr", "hold", "place", "--user", "nurse.bo", "--reference", "case 9").stdout.contains("placed hold 1"))
        let held = try wardctl("gdpr", "erase", "nurse.bo")
        #expect(held.status == 2 && held.stderr.contains("legal hold 1"), "\(held.stderr)")
        #expect(try wardctl("gdpr", "hold", "list").stdout.contains("case 9"))
        #expect(try wardctl("gdpr", "hold", "release", "1").status == 0)
        #expect(try wardctl("gdpr", "hold", "place", "--reference", "x").status == 2, "a hold names a person or a room")
        let receiptFile = dir.path + "/receipt.json"
        let erased = try wardctl("gdpr", "erase", "nurse.bo", "--receipt", receiptFile)
        #expect(erased.status == 0 && erased.stdout.contains("crypto-shredded") && erased.stdout.contains("pseudonymised"), "\(erased.stderr)")
        #expect(try FileManager.default.attributesOfItem(atPath: receiptFile)[.posixPermissions] as? Int == 0o600)
        let receipt = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: receiptFile))) as? [String: Any]
        #expect(receipt?["format"] as? String == "ward-erasure-receipt-1" && receipt?["subjectID"] as? String == clinic.ids[1])
        let done = try wardctl("gdpr", "requests", "--all")
        #expect(done.status == 0 && done.stdout.contains("done on"), "\(done.stdout)")
        #expect(try wardctl("gdpr", "erase", "nurse.bo").stderr.contains("no active account"), "an erased account is not found by name")

        // Nurse Ann's consents with `ward consent`.
        let listed = try ward(0, ["consent"])
        #expect(listed.status == 0 && listed.stdout.contains("research") && listed.stdout.contains("not given"), "\(listed.stderr)")
        let text = try ward(0, ["consent", "show", "research"])
        #expect(text.stdout.contains("version 1") && text.stdout.contains("ethics committee"))
        let granted = try ward(0, ["consent", "grant", "research", "--yes"])
        #expect(
            granted.status == 0 && granted.stdout.contains("ethics committee") && granted.stdout.contains("Consent to research given"),
            "\(granted.stderr)")
        #expect(try ward(0, ["consent"]).stdout.contains("given "))
        #expect(try ward(0, ["consent", "withdraw", "research"]).stdout.contains("withdrawn"))
        let unknownPurpose = try ward(0, ["consent", "grant", "marketing", "--yes"])
        #expect(unknownPurpose.status == 2 && unknownPurpose.stderr.contains("appointment-reminders"), "\(unknownPurpose.stderr)")
        #expect(try ward(0, ["consent", "grant"]).status == 2, "a grant names its purpose")
    }
}
