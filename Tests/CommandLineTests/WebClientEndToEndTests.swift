import Foundation
import Logging
import Synchronization
import Testing
import WardClient
import WardProtocol
import WardTestSupport

/// The web client in a real browser (headless Chromium, driven by Tests/Web/chat_scenario.py)
/// against the real server, with a nurse in `ward` under tmux: a patient on a phone and the
/// nurse exchange messages in the patient's care room, both ways, each decrypting the other's
/// (the browser with WebCrypto's ward-wc-1, the terminal with swift-crypto's); a second nurse
/// on a tablet; then the first nurse makes a phone hers with the recovery key `ward` showed her
/// and reads what she wrote and read at the terminal (identity and key backups across clients);
/// and a doctor new to Ward adds to the patient's record and answers her amendment request.
@Suite("The web client, end to end", .serialized)
struct WebClientEndToEndTests {
    /// Screenshots at the three sizes land here (and `failure.png` when a step fails).
    static let artifacts = Repository.root.appendingPathComponent(".build/web-client-screenshots").path
    static var quiet: Logger {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        return logger
    }

    @Test func aPatientOnAPhoneAndANurseAtATerminalTalk() async throws {
        try await ExclusiveSubprocesses.shared.run(within: .seconds(480)) { try await self.alone() }
    }

    func alone() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let served = try ServedData.start(in: dir)
        defer { served.stop() }
        let clinic = try await TwoNurses.make(served)
        #expect(try clinic.addToPiasCareTeam("nurse.ann", served: served, in: dir).status == 0)
        // Pia agrees to messaging with her care team (the clinic's policy asks it of care rooms).
        let tls = try WardConnection.pinnedTLS(certificatePEM: clinic.pem)
        try await WardConnection.withConnection(url: "wss://127.0.0.1:\(served.port)/v1/ws", tls: tls, serverName: "localhost", logger: Self.quiet) {
            connection in
            _ = try await connection.login(username: TwoNurses.patient, password: TwoNurses.password)
            var consent = ClientRequest(id: 0, type: .consentGrant)
            consent.purpose = "messaging"
            consent.consentVersion = "1"
            _ = try await connection.request(consent)
        }

        // Ann opens two hours tomorrow and writes a note in Pia's record (ward, without a screen).
        func ann(_ words: [String], _ arguments: [String]) async throws -> ProcessResult {
            try await runProcessInBackground(
                Binaries.ward, words + [clinic.target(0), "--trust-fingerprint", clinic.fingerprint] + arguments,
                environment: clinic.environment(0, in: dir))
        }
        let tomorrow = (Int64(Date().timeIntervalSince1970) / 3600 + 24) * 3600
        let iso = ISO8601DateFormatter()
        let opened = try await ann(
            ["availability", "add"],
            [
                "--open", iso.string(from: Date(timeIntervalSince1970: TimeInterval(tomorrow))),
                iso.string(from: Date(timeIntervalSince1970: TimeInterval(tomorrow + 7200)))
            ])
        #expect(opened.status == 0, "\(opened.stderr)")
        // Her first `ward` that reads messages makes her identity and shows its recovery key once.
        let listed = try await ann(["rooms"], [])
        let recoveryKey = try #require(
            listed.stderr.firstMatch(of: /[A-Z2-7]{4}(-[A-Z2-7]{4}){7}/).map { String($0.output.0) },
            "ward shows the recovery key: \(listed.stderr)")
        let noted = try await ann(["record", "add"], [TwoNurses.patient, "notes", "Slept well, no pain overnight"])
        #expect(noted.status == 0, "\(noted.stderr)")

        // Nurse Ann, in ward, opens a conversation with Pia: Pia's care room.
        let tmux = Tmux()
        defer { tmux.killServer() }
        // The codes of the steps up to a minute from now may have been used by Ann's `ward`s.
        let annsCodesFreeAt = Date().timeIntervalSince1970 + 61
        try tmux.start(
            "ann", width: 100, height: 30, environment: clinic.environment(0, in: dir),
            command: [Binaries.ward, clinic.target(0), "--trust-fingerprint", clinic.fingerprint])
        #expect(await tmux.wait("ann", seconds: 60) { $0.contains("Signed in to") && $0.contains("connected") }.0, "\(tmux.screen("ann"))")
        try tmux.type("ann", "/dm \(TwoNurses.patient)")
        try tmux.press("ann", "Enter")
        let (talking, talkingScreen) = await tmux.waitFor("ann", "A direct conversation with Pia")
        try #require(talking, "\(talkingScreen)")

        // Pia, on her phone; the nurse answers what she reads.
        try FileManager.default.createDirectory(atPath: Self.artifacts, withIntermediateDirectories: true)
        let script = Repository.root.appendingPathComponent("Tests/Web/chat_scenario.py").path
        let browserEnded = Mutex(false)
        let browser = Task {
            try await offThePool {
                defer { browserEnded.withLock { $0 = true } }
                return try runProcess(
                    "/usr/bin/timeout",
                    [
                        "420", "python3", script, "https://localhost:\(served.port)/", TwoNurses.patient,
                        TwoNurses.password, Self.artifacts
                    ])
            }
        }
        // Until the message shows, or the browser's side gave up.
        let (_, readScreen) = await tmux.wait("ann", seconds: 180) {
            $0.contains("Pia (Patient): Hello from the phone") || browserEnded.withLock { $0 }
        }
        let read = readScreen.contains("Pia (Patient): Hello from the phone")
        #expect(read, "the terminal decrypts the browser's message: \(readScreen)")
        if read {
            try tmux.type("ann", "Hello from the terminal")
            try tmux.press("ann", "Enter")
        }
        let result = try await browser.value
        #expect(result.status == 0, "the browser's side: \(result.stderr)\n\(result.stdout)")
        let load = result.stdout.split(separator: "\n").first { $0.contains("web-first-load") }
        #expect(load != nil, "the first load was measured: \(result.stdout)")

        // Nurse Bo, not on Pia's care team, signs in on a tablet with his second factor and opens
        // her record only through an emergency access.
        let clinicianScript = Repository.root.appendingPathComponent("Tests/Web/clinician_scenario.py").path
        let bo = try await runProcessInBackground(
            "/usr/bin/timeout",
            [
                "240", "python3", clinicianScript, "https://localhost:\(served.port)/",
                TwoNurses.usernames[1], TwoNurses.password, clinic.secrets[1], TwoNurses.patient, Self.artifacts
            ])
        #expect(bo.status == 0, "the clinician's side: \(bo.stderr)\n\(bo.stdout)")

        // Ann makes a phone hers with the recovery key `ward` showed, and reads the conversation
        // she had at the terminal, from the key backup her terminal kept.
        let secondDeviceScript = Repository.root.appendingPathComponent("Tests/Web/second_device_scenario.py").path
        let phone = try await runProcessInBackground(
            "/usr/bin/timeout",
            [
                "240", "python3", secondDeviceScript, "https://localhost:\(served.port)/",
                TwoNurses.usernames[0], TwoNurses.password, clinic.secrets[0], recoveryKey,
                String(annsCodesFreeAt), Self.artifacts,
                "Hello from the phone", "Hello from the terminal"
            ])
        #expect(phone.status == 0, "Ann's phone: \(phone.stderr)\n\(phone.stdout)")

        // Dr Dee joins Pia's care team, signs in for the first time on a desktop, adds to Pia's
        // record and accepts the change Pia asked for (in chat_scenario.py).
        // (Granting Doctor waits for a second person: the privacy officer approves.)
        let created = try clinic.wardctl(
            as: "admin", secret: clinic.adminSecret, ["user", "add", "dr.dee", "--role", "Doctor", "--name", "Dee"],
            served: served, in: dir)
        #expect(created.status == 0 && created.stdout.contains("approvals approve 1"), "\(created.stdout)\(created.stderr)")
        let approved = try clinic.wardctl(
            as: TwoNurses.privacyOfficer, secret: clinic.privacyOfficerSecret, ["approvals", "approve", "1"],
            served: served, in: dir)
        let oneTime = try #require(
            approved.stdout.split(separator: "\n").first { $0.contains("one-time password") }?.split(separator: " ").last.map(String.init),
            "\(approved.stdout)\(approved.stderr)")
        #expect(try clinic.addToPiasCareTeam("dr.dee", served: served, in: dir).status == 0)
        let doctorScript = Repository.root.appendingPathComponent("Tests/Web/doctor_scenario.py").path
        let dee = try await runProcessInBackground(
            "/usr/bin/timeout",
            [
                "240", "python3", doctorScript, "https://localhost:\(served.port)/", "dr.dee", oneTime,
                TwoNurses.password, TwoNurses.patient, Self.artifacts
            ])
        #expect(dee.status == 0, "the doctor's side: \(dee.stderr)\n\(dee.stdout)")
    }
}
