import Foundation
import Testing
import WardClient
import WardProtocol
@testable import WardServer
import WardStore
import WardTestSupport

/// Usernames that look alike are one name; display and room names show something; the
/// server's words print as text; a TOTP code is used once even when two sign-ins race
/// (issue 16, item 10).
@Suite("Names and text", .serialized)
struct NamesAndTextTests {
    @Test func usernamesAreFoldedAndLookalikesRefused() {
        func name(_ text: String) -> Result<String, Username.Refusal> { Username.normalised(text) }
        #expect(name("DR.ANN") == .success("dr.ann"))
        #expect(name("ｄｒ.ａｎｎ") == .success("dr.ann"), "fullwidth forms fold (NFKC)")
        #expect(name("zoe\u{0308}") == name("zo\u{00EB}"), "NFD and NFC are one name")
        #expect(name("dr.\u{0430}nn") == .failure(.mixedScripts), "a Cyrillic а among Latin letters")
        #expect(name("\u{0430}\u{0440}\u{0435}") == .failure(.confusable), "Cyrillic letters that spell a Latin-looking name")
        #expect(name("иван") == .success("иван") && name("やまだ.たろう") == .success("やまだ.たろう"), "one script is fine")
        #expect(name("dr ann") == .failure(.characters) && name("") == .failure(.length) && name("a/b") == .failure(.characters))
        #expect(name(String(repeating: "a", count: 65)) == .failure(.length))
    }

    @Test func displayNamesMustShowSomething() {
        for bad in [
            "\u{3164}", "Ann\u{3164}", "\u{2800}", "\u{FE0F}\u{FE0F}", "A\u{FE0F}\u{FE0F}", "a" + String(repeating: "\u{0301}", count: 200),
            "   ", "Ann\u{202E}", "\u{180E}x"
        ] {
            #expect(!DisplayNames.isAcceptable(bad), "\(bad.unicodeScalars.map { String($0.value, radix: 16) })")
        }
        for good in ["Dr Ann Example", "Zoë", "Nguyễn Thị Ánh", "👩🏽‍⚕️ Ward 3", "山田 太郎", "❤️ team"] {
            #expect(DisplayNames.isAcceptable(good), "\(good)")
        }
    }

    @Test func serverMessagesPrintAsText() {
        let error = WardClientError.server(
            .badRequest, "bad\u{1B}[2J\u{1B}]0;pwned\u{07}\n" + String(repeating: "x", count: 2_000), policies: ["p\u{1B}[31m"])
        let shown = error.description
        #expect(!shown.unicodeScalars.contains { $0.properties.generalCategory == .control })
        #expect(shown.count < 700)
    }

    @Test func aTOTPStepIsClaimedOnce() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let database = try WardDatabase(path: dir.path + "/ward.sqlite")
        let user = UserRecord(
            id: "user:a", username: "a", displayName: "A", role: .nurse, passwordHash: "x", mustChangePassword: false, createdAt: 0)
        try await database.insert(user)
        try await database.save(TOTPRecord(userID: user.id, sealedSecret: Data([1]), confirmed: true, lastStep: 10))
        #expect(try await database.claimTOTPStep(userID: user.id, step: 11))
        #expect(try await !database.claimTOTPStep(userID: user.id, step: 11), "the same code again")
        #expect(try await !database.claimTOTPStep(userID: user.id, step: 10), "an older code")
        #expect(try await database.claimTOTPStep(userID: user.id, step: 12))
    }

    /// Against a running server: one account per folded name; signing in works however the
    /// name is typed; names that break the rules are refused with the rule.
    @Test func theServerKeepsOneAccountPerName() async throws {
        let server = try await ServerHarness.start(connectionLimits: .unthrottled)
        defer { server.cleanup() }
        let (admin, _) = try await ConversationTests.accountsAndAdmin(server, [("dr.ann", "Doctor")])
        let oneTime = try await ErasureTests.signedIn(server, admin) { (x: WardConnection) async throws -> String in
            #expect(try await x.send(ClientRequest(id: 0, type: .userCreate, username: "DR.ANN", role: "Doctor")).code == .conflict)
            let mixed = try await x.send(ClientRequest(id: 0, type: .userCreate, username: "dr.\u{0430}nn", role: "Doctor"))
            #expect(mixed.code == .badRequest && mixed.message?.contains("mix scripts") == true)
            #expect(
                try await x.send(ClientRequest(id: 0, type: .userCreate, username: "pat.x", displayName: "\u{3164}", role: "Patient")).code
                    == .badRequest)
            let created = try await x.request(ClientRequest(id: 0, type: .userCreate, username: "Pat.Pia", role: "Patient"))
            #expect(try await x.request(ClientRequest(id: 0, type: .userShow, username: "PAT.PIA")).users?.first?.username == "pat.pia")
            return created.password ?? ""
        }
        try await server.connect { (c: WardConnection) async throws in
            #expect(try await c.login(username: "PAT.pia", password: oneTime).role == "Patient")
        }
        await server.stop()
    }
}
