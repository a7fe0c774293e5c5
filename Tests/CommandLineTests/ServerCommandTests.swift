import Foundation
import Testing
import WardAudit
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
        try await ExclusiveSubprocesses.shared.run { try await self.initServeAdministerStopAndVerifyAlone() }
    }

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
        // By address, as a newcomer types it: TLS checks a name the certificate lists instead.
        let login = try runProcess(
            wardctl, ["login", "--server", "wss://127.0.0.1:\(port)/v1/ws", "--cert", data + "/tls/cert.pem", "--server-name", "127.0.0.1"],
            environment: environment)
        #expect(login.status == 0, "\(login.stdout)\(login.stderr)")
        #expect(try String(contentsOfFile: dir.path + "/config/wardctl-session.json", encoding: .utf8).contains("\"serverName\":\"localhost\""))
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
        let approvals = try runProcess(wardctl, ["approvals"], environment: environment)
        #expect(approvals.status == 0 && approvals.stdout.contains("nothing waits for approval"), "\(approvals.stderr)")
        let monitoring = try runProcess(wardctl, ["security", "signins", "--since-days", "1"], environment: environment)
        #expect(
            monitoring.status == 0 && monitoring.stdout.contains("by account") && monitoring.stdout.contains("by source address"),
            "\(monitoring.stderr)")
        let bad = try runProcess(wardctl, ["user", "add", "x", "--role", "Wizard"], environment: environment)
        #expect(bad.status == 2 && bad.stderr.contains("'Wizard' is invalid for '--role <role>'") && bad.stderr.contains("PrivacyOfficer"))

        // Recovering an Admin is offline: refused while the server holds the audit log.
        #expect(try runProcess(Self.wardServer, ["recover-admin", "--data", data, "--argon2-memory", "1024"]).status != 0)

        kill(server.processIdentifier, SIGTERM)
        server.waitUntilExit()
        #expect(server.terminationStatus == 0)
        let errors = served.log.split(separator: "\n").filter { $0.contains(" error ") || $0.contains(" critical ") }
        #expect(errors.isEmpty, "a clean stop logs no error: \(errors)")
        // Every Admin lost: a new one, or the old one restored, each audited (issue 16, item 3).
        let made = try runProcess(Self.wardServer, ["recover-admin", "--data", data, "--argon2-memory", "1024"])
        #expect(
            made.status == 0 && made.stdout.contains("Admin account: admin-recovery") && made.stdout.contains("one-time password"), "\(made.stderr)")
        let restored = try runProcess(Self.wardServer, ["recover-admin", "--data", data, "--username", "admin", "--argon2-memory", "1024"])
        #expect(restored.status == 0 && restored.stdout.contains("Admin account: admin"), "\(restored.stderr)")
        let notAdmin = try runProcess(Self.wardServer, ["recover-admin", "--data", data, "--username", "nurse.cat", "--argon2-memory", "1024"])
        #expect(notAdmin.status != 0 && notAdmin.stderr.contains("no Admin account has that username") && !notAdmin.stderr.contains("nurse.cat"))
        let recovered = try runProcess(Binaries.auditctl, ["show", data + "/audit", "--event", "account.recover"])
        #expect(recovered.stdout.components(separatedBy: "account.recover").count - 1 == 2, "\(recovered.stdout)")
        let verify = try runProcess(Binaries.auditctl, ["verify", data + "/audit", "--key", data + "/audit.vkey"])
        #expect(verify.status == 0, "\(verify.stdout)")
        let show = try runProcess(Binaries.auditctl, ["show", data + "/audit", "--event", "server.stop"])
        #expect(show.stdout.contains("server.stop"))
    }
}

/// The backup commands as an operator runs them (docs/OPERATIONS.md): a recovery key, a backup
/// while the server serves, its check, a restore into a new directory, served again.
@Suite("ward-server backup, verify-backup, restore")
struct BackupCommandTests {
    @Test func anOperatorBacksUpChecksAndRestores() async throws {
        try await ExclusiveSubprocesses.shared.run(within: .seconds(180)) { try await self.anOperatorBacksUpChecksAndRestoresAlone() }
    }

    func anOperatorBacksUpChecksAndRestoresAlone() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        var served = try ServedData.start(in: dir)
        defer { served.stop() }
        let key = dir.path + "/recovery.key"
        let made = try runProcess(Binaries.wardServer, ["recovery-key", "--data", served.data, "--out", key])
        #expect(made.status == 0 && made.stdout.contains("fingerprint SHA256:"), "\(made.stderr)")
        #expect(try FileManager.default.attributesOfItem(atPath: key)[.posixPermissions] as? Int == 0o600)
        let policies = Repository.root.appendingPathComponent("policies").path
        let taken = try runProcess(Binaries.wardServer, ["backup", "--data", served.data, "--to", dir.path + "/backups", "--policies", policies])
        #expect(taken.status == 0, "\(taken.stderr)")
        let line = try JSONSerialization.jsonObject(with: Data(taken.stdout.utf8)) as? [String: Any] ?? [:]
        let backup = try #require(line["backup"] as? String)
        let checked = try runProcess(Binaries.wardServer, ["verify-backup", backup, "--recovery-key", key, "--data", served.data])
        #expect(checked.status == 0 && checked.stdout.contains("is whole"), "\(checked.stderr)")
        // The result is noted beside the backup, for a server watching the directory to audit.
        #expect(try FileManager.default.contentsOfDirectory(atPath: backup).contains { $0.hasPrefix("verified-") && $0.hasSuffix("-whole") })
        let wrong = dir.path + "/wrong.key"
        try "ward-backup-recovery-key-1\nnot a key\n".write(toFile: wrong, atomically: true, encoding: .utf8)
        let refused = try runProcess(Binaries.wardServer, ["verify-backup", backup, "--recovery-key", wrong])
        #expect(refused.status != 0 && refused.stderr.contains("not a Ward backup recovery key"), "\(refused.stderr)")

        // The running server records both in its audit log (the commands leave it notes).
        let notes = served.data + "/audit-notes"
        for _ in 0..<300 where !((try? FileManager.default.contentsOfDirectory(atPath: notes)) ?? []).isEmpty {
            try await Task.sleep(for: .milliseconds(100))
        }
        served.stop()
        let recorded = try AuditLogReader(directory: served.data + "/audit").entries().map(\.event).filter {
            $0.objectType == "backup" && $0.actorID == "system:operator"
        }
        let name = (backup as NSString).lastPathComponent
        #expect(
            recorded.map(\.type).sorted() == ["backup.take", "backup.verify"]
                && recorded.allSatisfy { $0.objectID == name && $0.outcome == .success },
            "\(recorded)")
        let target = dir.path + "/restored"
        let restored = try runProcess(Binaries.wardServer, ["restore", "--from", backup, "--data", target, "--recovery-key", key])
        #expect(restored.status == 0 && restored.stdout.contains("restored"), "\(restored.stderr)")
        let again = try runProcess(Binaries.wardServer, ["restore", "--from", backup, "--data", target, "--recovery-key", key])
        #expect(again.status != 0 && again.stderr.contains("exists"), "\(again.stderr)")
        let verified = try runProcess(Binaries.auditctl, ["verify", target + "/audit", "--key", target + "/audit.vkey"])
        #expect(verified.status == 0, "\(verified.stdout)\(verified.stderr)")
        served = try ServedData.serving(target)
        #expect(served.process.isRunning)
    }

    /// kill -9 at random moments of `ward-server backup`: whatever it leaves, `verify-backup`
    /// (everything `restore` checks) accepts only a whole backup under its final name.
    @Test func aBackupKilledAnywhereLeavesNothingARestoreAccepts() async throws {
        try await ExclusiveSubprocesses.shared.run(within: .seconds(180)) {
            let dir = try TemporaryDirectory()
            defer { dir.cleanup() }
            let served = try ServedData.start(in: dir)
            defer { served.stop() }
            let key = dir.path + "/recovery.key"
            #expect(try runProcess(Binaries.wardServer, ["recovery-key", "--data", served.data, "--out", key]).status == 0)
            let policies = Repository.root.appendingPathComponent("policies").path
            var cutShort = 0
            for attempt in 0..<12 {
                let destination = dir.path + "/backups-\(attempt)"
                let backup = Process()
                backup.executableURL = URL(fileURLWithPath: Binaries.wardServer)
                backup.arguments = ["backup", "--data", served.data, "--to", destination, "--policies", policies]
                backup.standardOutput = FileHandle.nullDevice
                backup.standardError = FileHandle.nullDevice
                try backup.run()
                try await Task.sleep(for: .milliseconds(Int.random(in: 0...120)))
                kill(backup.processIdentifier, SIGKILL)
                backup.waitUntilExit()
                for left in (try? FileManager.default.contentsOfDirectory(atPath: destination)) ?? [] {
                    let verified = try runProcess(Binaries.wardServer, ["verify-backup", destination + "/" + left, "--recovery-key", key])
                    if left.hasPrefix("ward-backup-") {
                        #expect(verified.status == 0, "a backup under its final name is whole: \(verified.stderr)")
                    } else {
                        cutShort += 1
                        #expect(verified.status != 0, "\(left) was accepted")
                    }
                }
            }
            print("backups cut short by kill -9: \(cutShort) of 12")
            // What the killed ones left of their plaintext staging in the data directory goes with
            // the next backup once it is old (six hours: no live backup's).
            let fm = FileManager.default
            let staging = { (try fm.contentsOfDirectory(atPath: served.data)).filter { $0.hasPrefix(".backup-staging-") } }
            for name in try staging() {
                try fm.setAttributes([.modificationDate: Date().addingTimeInterval(-7 * 3600)], ofItemAtPath: served.data + "/" + name)
            }
            #expect(
                try runProcess(Binaries.wardServer, ["backup", "--data", served.data, "--to", dir.path + "/final", "--policies", policies]).status
                    == 0)
            #expect(try staging().isEmpty, "stale staging copies are removed")
        }
    }
}

/// `--keys-dir` (issue 19): the master key and the audit signing key live outside the data
/// directory from `init` on; the server serves with them there, a backup takes them from there
/// (sealed like everything else), and a restore puts them back there, not into the data directory.
@Suite("ward-server --keys-dir")
struct KeysDirectoryTests {
    @Test func theKeysLiveOutsideTheDataDirectoryThroughBackupAndRestore() async throws {
        try await ExclusiveSubprocesses.shared.run(within: .seconds(180)) { try await self.alone() }
    }

    func alone() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let keys = dir.path + "/keys"
        var served = try ServedData.start(in: dir, keysDir: keys)
        defer { served.stop() }
        let fm = FileManager.default
        for file in ["master.key", "audit.key"] {
            #expect(!fm.fileExists(atPath: served.data + "/" + file), "\(file) is not in the data directory")
            #expect(try fm.attributesOfItem(atPath: keys + "/" + file)[.posixPermissions] as? Int == 0o600, "\(file) is in the keys directory, 0600")
        }
        // Served with the keys there: the Admin signs in (the master key seals the second factor).
        _ = try await TwoNurses.make(served)
        let key = dir.path + "/recovery.key"
        #expect(try runProcess(Binaries.wardServer, ["recovery-key", "--data", served.data, "--out", key]).status == 0)
        let policies = Repository.root.appendingPathComponent("policies").path
        let taken = try runProcess(
            Binaries.wardServer, ["backup", "--data", served.data, "--keys-dir", keys, "--to", dir.path + "/backups", "--policies", policies])
        #expect(taken.status == 0, "\(taken.stderr)")
        let backup = try #require((try JSONSerialization.jsonObject(with: Data(taken.stdout.utf8)) as? [String: Any])?["backup"] as? String)
        served.stop()
        let target = dir.path + "/restored", targetKeys = dir.path + "/restored-keys"
        let restored = try runProcess(
            Binaries.wardServer, ["restore", "--from", backup, "--data", target, "--keys-dir", targetKeys, "--recovery-key", key])
        #expect(restored.status == 0, "\(restored.stderr)")
        for file in ["master.key", "audit.key"] {
            #expect(
                !fm.fileExists(atPath: target + "/" + file) && fm.fileExists(atPath: targetKeys + "/" + file),
                "\(file) restored into the keys directory")
            #expect(fm.contents(atPath: targetKeys + "/" + file) == fm.contents(atPath: keys + "/" + file), "\(file) is the same key")
        }
        // Without the keys directory the restored data cannot be served; with it, it is.
        let without = try runProcess(Binaries.wardServer, ["serve", "--data", target, "--policies", policies, "--listen", "127.0.0.1:0"])
        #expect(without.status != 0 && without.stderr.contains("audit.key"), "\(without.stderr)")
        served = try ServedData.serving(target, keysDir: targetKeys)
        #expect(served.process.isRunning)
    }
}
