import Foundation
import Testing
import WardTestSupport

@Suite("wardctl gdpr")
struct WardCtlGDPRTests {
    @Test func registerPrintsTheRecordOfProcessingActivities() throws {
        let text = try runProcess(Binaries.wardctl, ["gdpr", "register"])
        #expect(text.status == 0 && text.stdout.contains("Art. 30") && text.stdout.contains("table `message`")
                && text.stdout.contains("erasure: crypto-shred"), "\(text.stderr)")
        let json = try runProcess(Binaries.wardctl, ["gdpr", "register", "--json"])
        let kinds = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]]
        #expect(json.status == 0 && (kinds?.count ?? 0) >= 12 && kinds?.allSatisfy { $0["legalBasis"] is String } == true)
    }

    @Test func aPrivacyOfficerExportsAPersonsData() async throws { try await ExclusiveSubprocesses.shared.run { try await self.exportAlone() } }

    func exportAlone() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let served = try ServedData.start(in: dir)
        defer { served.stop() }
        let clinic = try await TwoNurses.make(served)
        let environment = ["WARD_CONFIG_DIR": dir.path + "/po", "WARD_PASSWORD": TwoNurses.password,
                           "WARD_TOTP": TwoNurses.code(clinic.privacyOfficerSecret, at: Date().addingTimeInterval(30))]
        let login = try runProcess(Binaries.wardctl, ["login", "--server", "wss://127.0.0.1:\(served.port)/v1/ws", "--cert", served.data + "/tls/cert.pem",
                                                      "--username", TwoNurses.privacyOfficer], environment: environment)
        #expect(login.status == 0, "\(login.stderr)")
        let out = dir.path + "/ann.json"
        let exported = try runProcess(Binaries.wardctl, ["gdpr", "export", "nurse.ann", "--out", out], environment: environment)
        #expect(exported.status == 0 && exported.stdout.contains("1 rooms"), "\(exported.stderr)")
        let mode = try FileManager.default.attributesOfItem(atPath: out)[.posixPermissions] as? Int
        #expect(mode == 0o600, "the export holds personal data")
        let document = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out))) as? [String: Any] ?? [:]
        let profile = (document["account"] as? [String: Any])?["profile"] as? [String: Any]
        #expect(document["format"] as? String == "ward-export-1" && document["subjectID"] as? String == clinic.ids[0] && profile?["username"] as? String == "nurse.ann")
        #expect((document["access"] as? [Any])?.isEmpty == false, "the accounting of access is there")
        let unknown = try runProcess(Binaries.wardctl, ["gdpr", "export", "nobody.here", "--out", dir.path + "/x.json"], environment: environment)
        #expect(unknown.status == 2 && unknown.stderr.contains("not_found"), "\(unknown.stderr)")
    }
}
