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

    @Test func initServeAdministerStopAndVerify() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let data = dir.path + "/data"
        let made = try runProcess(Self.wardServer, ["init", "--data", data, "--argon2-memory", "1024"])
        #expect(made.status == 0, "\(made.stderr)")
        let otp = try #require(made.stdout.split(separator: "\n").first { $0.hasPrefix("one-time password") }?.split(separator: " ").last.map(String.init))
        #expect(try runProcess(Self.wardServer, ["init", "--data", data]).status != 0, "init refuses to overwrite")

        let server = Process()
        server.executableURL = URL(fileURLWithPath: Self.wardServer)
        server.arguments = ["serve", "--data", data, "--listen", "127.0.0.1:0", "--policies", Repository.root.appendingPathComponent("policies").path,
                            "--argon2-memory", "1024"]
        let out = Pipe()
        server.standardOutput = out
        server.standardError = FileHandle.nullDevice
        try server.run()
        defer { if server.isRunning { kill(server.processIdentifier, SIGKILL) } }
        // Bounded: the first line names the port.
        var port = ""
        var buffer = Data()
        let deadline = Date().addingTimeInterval(30)
        while port.isEmpty && Date() < deadline {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            buffer.append(chunk)
            if let line = String(decoding: buffer, as: UTF8.self).split(separator: "\n").first(where: { $0.contains("listening on https://127.0.0.1:") }) {
                port = String(line.split(separator: ":")[2].prefix { $0.isNumber })
            }
        }
        #expect(!port.isEmpty, "the server printed its address")
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
