import Foundation
import Testing
import WardCrypto
import WardTestSupport
#if canImport(Glibc)
import Glibc
#endif

/// ward-server and wardctl as an operator uses them: init, serve on loopback, sign in, manage
/// accounts, stop with SIGTERM, verify the audit log.
@Suite("ward-server and wardctl")
struct ServerCommandTests {
    static var wardServer: String { Binaries.directory.appendingPathComponent("ward-server").path }

    @Test func initServeAdministerStopAndVerify() async throws { try await ExclusiveSubprocesses.shared.run { try await self.initServeAdministerStopAndVerifyAlone() } }

    /// Run alone among the tests that keep child processes running (see ExclusiveSubprocesses).
    func initServeAdministerStopAndVerifyAlone() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let served = try ServedData.start(in: dir)
        let server = served.process
        defer { if server.isRunning { kill(server.processIdentifier, SIGKILL) } }
        let data = served.data, otp = served.oneTimePassword, port = served.port
        #expect(try runProcess(Self.wardServer, ["init", "--data", data]).status != 0, "init refuses to overwrite")
        let environment = ["WARD_CONFIG_DIR": dir.path + "/config", "WARD_PASSWORD": otp, "WARD_NEW_PASSWORD": "an administrator's long passphrase"]
        let wardctl = Binaries.wardctl
        let login = try runProcess(wardctl, ["login", "--server", "wss://127.0.0.1:\(port)/v1/ws", "--cert", data + "/tls/cert.pem"], environment: environment)
        #expect(login.status == 0, "\(login.stdout)\(login.stderr)")
        let mode = try FileManager.default.attributesOfItem(atPath: dir.path + "/config/wardctl-session.json")[.posixPermissions] as? Int
        #expect(mode == 0o600)
        // Staff administer only with a second factor.
        let early = try runProcess(wardctl, ["user", "list"], environment: environment)
        #expect(early.status == 2 && early.stderr.contains("staff-need-second-factor"), "\(early.stderr)")
        let enrol = try runProcess(wardctl, ["totp", "enroll"], environment: environment)
        let secret = try #require(enrol.stdout.split(separator: "\n").first { $0.hasPrefix("secret: ") }?.dropFirst(8))
        let totp = TOTP(secret: SecureBytes(Base32.decode(String(secret)) ?? []))
        let code = totp.code(counter: totp.counter(at: Int64(Date().timeIntervalSince1970)))
        let confirm = try runProcess(wardctl, ["totp", "confirm", code], environment: environment)
        #expect(confirm.status == 0, "\(confirm.stderr)")
        let add = try runProcess(wardctl, ["user", "add", "nurse.cat", "--role", "Nurse", "--name", "Cat Example"], environment: environment)
        #expect(add.status == 0, "\(add.stderr)")
        #expect(add.stdout.contains("one-time password"))
        _ = try runProcess(wardctl, ["user", "add", "pat.one", "--role", "Patient"], environment: environment)
        let team = try runProcess(wardctl, ["careteam", "add", "pat.one", "nurse.cat"], environment: environment)
        #expect(team.status == 0, "\(team.stderr)")
        let list = try runProcess(wardctl, ["user", "list"], environment: environment)
        #expect(list.stdout.contains("nurse.cat") && list.stdout.contains("Nurse"))
        let bad = try runProcess(wardctl, ["user", "add", "x", "--role", "Wizard"], environment: environment)
        #expect(bad.status == 2 && bad.stderr.contains("role must be one of"))

        kill(server.processIdentifier, SIGTERM)
        server.waitUntilExit()
        #expect(server.terminationStatus == 0)
        let verify = try runProcess(Binaries.auditctl, ["verify", data + "/audit", "--key", data + "/audit.vkey"])
        #expect(verify.status == 0, "\(verify.stdout)")
        let show = try runProcess(Binaries.auditctl, ["show", data + "/audit", "--event", "server.stop"])
        #expect(show.stdout.contains("server.stop"))
    }
}
