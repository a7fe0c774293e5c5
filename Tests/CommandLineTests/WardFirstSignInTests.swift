import Foundation
import Logging
import Testing
import WardClient
import WardProtocol
import WardTestSupport

/// A person whose first sign-in is through `ward` sets up their second factor there: the session
/// that replaced the one-time password is the one place that needs no Admin's enrolment code
/// (issue 16, item 8).
@Suite("ward: the first sign-in")
struct WardFirstSignInTests {
    @Test func theFirstSignInOffersTheSecondFactor() async throws {
        try await ExclusiveSubprocesses.shared.run(within: .seconds(180)) { try await self.theFirstSignInOffersTheSecondFactorAlone() }
    }

    func theFirstSignInOffersTheSecondFactorAlone() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let served = try ServedData.start(in: dir)
        defer { served.stop() }
        let clinic = try await TwoNurses.make(served)
        let url = "wss://127.0.0.1:\(served.port)/v1/ws"
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let tls = try WardConnection.pinnedTLS(certificatePEM: clinic.pem)
        let oneTime = try await WardConnection.withConnection(url: url, tls: tls, serverName: "localhost", logger: logger) { connection in
            _ = try await connection.login(
                username: "admin", password: TwoNurses.password,
                totp: TwoNurses.code(clinic.adminSecret, at: Date().addingTimeInterval(30)))
            return try await connection.request(ClientRequest(id: 0, type: .userCreate, username: "nurse.cy", displayName: "Cy", role: "Nurse"))
                .password ?? ""
        }

        let tmux = Tmux()
        defer { tmux.killServer() }
        try tmux.start(
            "cy", width: 120, height: 40,
            environment: [
                "WARD_CONFIG_DIR": dir.path + "/config-cy", "WARD_PASSWORD": oneTime, "WARD_NEW_PASSWORD": TwoNurses.password
            ],
            command: [
                "/bin/bash", "-c", Tmux.reportingExit, Binaries.ward, "rooms", "nurse.cy@127.0.0.1:\(served.port)", "--trust-fingerprint",
                clinic.fingerprint
            ])
        let (offered, screen) = await tmux.waitFor("cy", "Code from your authenticator (empty to skip)", seconds: 60)
        #expect(offered, "\(screen)")
        let lines = screen.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        let secret = try #require(lines.firstIndex { $0.contains("authenticator app:") }.map { lines[$0 + 1] }, "\(screen)")
        try tmux.type("cy", TwoNurses.code(secret))
        try tmux.press("cy", "Enter")
        let (ended, last) = await tmux.endedCleanly("cy", seconds: 60)
        #expect(ended && last.contains("Recovery codes"), "\(last)")

        // The account now asks for the second factor, and the saved session carries one.
        let reply = try await WardConnection.withConnection(url: url, tls: tls, serverName: "localhost", logger: logger) { connection in
            try await connection.send(ClientRequest(id: 0, type: .login, username: "nurse.cy", password: TwoNurses.password))
        }
        #expect(reply.code == .secondFactorRequired)
    }

    @Test func aSecondDeviceIsThePersonsWithTheRecoveryKey() async throws {
        try await ExclusiveSubprocesses.shared.run(within: .seconds(180)) { try await self.aSecondDeviceIsThePersonsWithTheRecoveryKeyAlone() }
    }

    /// The recovery key `ward` shows when it makes a person's identity lets their next device be
    /// theirs to everyone who pinned them; without it, a new identity, and everyone is warned.
    func aSecondDeviceIsThePersonsWithTheRecoveryKeyAlone() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let served = try ServedData.start(in: dir)
        defer { served.stop() }
        let clinic = try await TwoNurses.make(served)
        let (ann, bo) = (clinic.target(0), clinic.target(1))
        let first = try runProcess(
            Binaries.ward, ["rooms", ann, "--trust-fingerprint", clinic.fingerprint], environment: clinic.environment(0, in: dir))
        let lines = first.stderr.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        let recoveryKey = try #require(lines.firstIndex { $0.hasPrefix("Your recovery key") }.map { lines[$0 + 1] }, "\(first.stderr)")
        #expect(first.status == 0 && recoveryKey.split(separator: "-").count == 8)
        let boFirst = try runProcess(
            Binaries.ward, ["rooms", bo, "--trust-fingerprint", clinic.fingerprint], environment: clinic.environment(1, in: dir))
        #expect(boFirst.status == 0, "\(boFirst.stderr)")
        // Bo meets Ann's identity first from her desk, and pins it.
        let desk = try runProcess(Binaries.ward, ["send", ann, "Handover", "from the desk"], environment: clinic.environment(0, in: dir))
        let met = try runProcess(Binaries.ward, ["read", bo, "Handover"], environment: clinic.environment(1, in: dir))
        #expect(desk.status == 0 && met.stdout.contains("from the desk"), "\(desk.stderr)\(met.stdout)\(met.stderr)")

        func phone(_ name: String, recoveryKey: String) throws -> ProcessResult {
            let config = dir.path + "/config-0-" + name
            try FileManager.default.createDirectory(atPath: config, withIntermediateDirectories: true)
            for file in ["ward-sessions.json", "known_servers.json"] {
                try FileManager.default.copyItem(atPath: dir.path + "/config-0/" + file, toPath: config + "/" + file)
            }
            var environment = clinic.environment(0, in: dir)
            environment["WARD_CONFIG_DIR"] = config
            environment["WARD_RECOVERY_KEY"] = recoveryKey
            return try runProcess(Binaries.ward, ["send", ann, "Handover", "from the \(name)"], environment: environment)
        }
        let withKey = try phone("phone", recoveryKey: recoveryKey)
        #expect(
            withKey.status == 0 && withKey.stderr.contains("vouched for by your identity") && !withKey.stderr.contains("WARNING"), "\(withKey.stderr)"
        )
        let withoutKey = try phone("tablet", recoveryKey: "")
        #expect(withoutKey.status == 0 && withoutKey.stderr.contains("starting a new identity"), "\(withoutKey.stderr)")

        // A clinic that holds sending after an identity change: Bo sends nothing to the room
        // while the tablet's identity is not confirmed.
        let held = try runProcess(
            Binaries.ward, ["send", bo, "Handover", "held", "--hold-after-identity-change"], environment: clinic.environment(1, in: dir))
        #expect(held.status != 0 && held.stderr.contains("changed"), "\(held.stderr)")
        let read = try runProcess(Binaries.ward, ["read", bo, "Handover"], environment: clinic.environment(1, in: dir))
        #expect(read.status == 0 && read.stdout.contains("from the phone"), "\(read.stdout)\(read.stderr)")
        #expect(
            !read.stdout.contains("from the tablet") && read.stdout.contains("cannot be read") && read.stderr.contains("WARNING"),
            "\(read.stdout)\(read.stderr)")
    }
}
