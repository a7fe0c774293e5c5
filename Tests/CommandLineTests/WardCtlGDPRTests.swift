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
}
