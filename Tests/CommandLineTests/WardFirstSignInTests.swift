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
    @Test(.timeLimit(.minutes(3))) func theFirstSignInOffersTheSecondFactor() async throws {
        try await ExclusiveSubprocesses.shared.run { try await self.theFirstSignInOffersTheSecondFactorAlone() }
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
            _ = try await connection.login(username: "admin", password: TwoNurses.password,
                                           totp: TwoNurses.code(clinic.adminSecret, at: Date().addingTimeInterval(30)))
            return try await connection.request(ClientRequest(id: 0, type: "user.create", username: "nurse.cy", displayName: "Cy", role: "Nurse")).password ?? ""
        }

        let tmux = Tmux()
        defer { tmux.killServer() }
        try tmux.start("cy", width: 120, height: 40, environment: [
            "WARD_CONFIG_DIR": dir.path + "/config-cy", "WARD_PASSWORD": oneTime, "WARD_NEW_PASSWORD": TwoNurses.password,
        ], command: ["/bin/bash", "-c", Tmux.reportingExit, Binaries.ward, "rooms", "nurse.cy@127.0.0.1:\(served.port)", "--trust-fingerprint", clinic.fingerprint])
        let (offered, screen) = tmux.waitFor("cy", "Code from your authenticator (empty to skip)", seconds: 60)
        #expect(offered, "\(screen)")
        let lines = screen.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        let secret = try #require(lines.firstIndex { $0.contains("authenticator app:") }.map { lines[$0 + 1] }, "\(screen)")
        try tmux.type("cy", TwoNurses.code(secret))
        try tmux.press("cy", "Enter")
        let (ended, last) = tmux.endedCleanly("cy", seconds: 60)
        #expect(ended && last.contains("Recovery codes"), "\(last)")

        // The account now asks for the second factor, and the saved session carries one.
        let reply = try await WardConnection.withConnection(url: url, tls: tls, serverName: "localhost", logger: logger) { connection in
            try await connection.send(ClientRequest(id: 0, type: "login", username: "nurse.cy", password: TwoNurses.password))
        }
        #expect(reply.code == .secondFactorRequired)
    }
}
