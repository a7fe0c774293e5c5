import Foundation
import Testing
import WardClient
import WardProtocol
import WardServer
import WardTestSupport

/// A client that stops reading must cost the server a bounded amount and nobody else any time.
/// The stalling client is slow_reader.py beside this file: it alone can pin its socket's receive buffer
/// small, so that what the server sends really waits on the server.
@Suite("Slow readers", .serialized)
struct SlowReaderTests {
    static let script = Repository.path("Tests/WardServerTests/slow_reader.py")
    /// 600 replies of about 30 KB: 18 MB, several times what the kernel buffers of one loopback
    /// connection hold (a 4 MiB send buffer at most with Linux's default tcp_wmem).
    static let requests = 600

    struct Outcome: Decodable {
        var replies: Int
        var closed: Bool
        var timedOut: Bool
    }

    /// Starts a server with `limits` (and no rate limit to speak of), makes 100 accounts with
    /// long display names so that each `user.list` reply is about 30 KB, and runs the stalling
    /// client against it while another client pings; returns what the stalling client saw and the
    /// slowest ping.
    static func stall(limits: ConnectionLimits, waitFor: String) async throws -> (Outcome, Duration) {
        try await ExclusiveSubprocesses.shared.run { try await stallAlone(limits: limits, waitFor: waitFor) }
    }

    static func stallAlone(limits: ConnectionLimits, waitFor: String) async throws -> (Outcome, Duration) {
        var limits = limits
        limits.requestsPerSecond = 100_000
        limits.requestBurst = 100_000
        let server = try await ServerHarness.start(connectionLimits: limits)
        defer { server.cleanup() }
        let password = "the administrator's passphrase"
        let token = try await server.connect { connection in
            let session = try await connection.login(username: "admin", password: server.adminPassword)
            try await connection.changePassword(current: server.adminPassword, new: password)
            _ = try await connection.confirmSecondFactor(code: ServerHarness.code(try await connection.enrollSecondFactor().secret))
            for n in 0..<100 {
                let name = "Staff member \(n) " + String(repeating: "x", count: 100)
                try await connection.request(ClientRequest(id: 0, type: .userCreate, username: "staff\(n)", displayName: name, role: "Nurse"))
            }
            return session.token ?? ""
        }
        let certificate = server.dir.path + "/ca.pem"
        try server.certificatePEM.write(toFile: certificate, atomically: true, encoding: .utf8)

        let port = server.port
        let metricsToken = try server.data.loadMetricsToken()
        let stalling = Task {
            try await runProcessInBackground(
                "/usr/bin/env", ["python3", script, "\(port)", certificate, "\(requests)", waitFor],
                environment: ["WARD_TOKEN": token, "WARD_METRICS_TOKEN": metricsToken])
        }
        // Meanwhile another signed-in client's requests are answered as quickly as ever.
        let slowest = try await server.connect { connection in
            _ = try await connection.request(ClientRequest(id: 0, type: .resume, token: token))
            var slowest = Duration.zero
            for _ in 0..<40 {
                let clock = ContinuousClock()
                let started = clock.now
                #expect(try await connection.send(ClientRequest(id: 0, type: .ping)).type == .pong)
                slowest = max(slowest, clock.now - started)
                try await Task.sleep(for: .milliseconds(50))
            }
            return slowest
        }
        let result = try await stalling.value
        #expect(result.status == 0, "\(result.stderr)")
        await server.stop()
        return (try JSONDecoder().decode(Outcome.self, from: Data(result.stdout.utf8)), slowest)
    }

    @Test func aClientWhoseUnreadRepliesOverflowItsOutboxIsDisconnected() async throws {
        var limits = ConnectionLimits()
        limits.outboxBytes = 256 * 1024
        limits.writeTimeout = .seconds(60)
        let (outcome, slowest) = try await Self.stall(limits: limits, waitFor: "overflow")
        #expect(outcome.closed && !outcome.timedOut, "\(outcome)")
        #expect(outcome.replies < Self.requests)
        #expect(slowest < .seconds(1), "others were slowed: \(slowest)")
    }

    @Test func aClientThatLeavesAReplyUnreadPastTheWriteLimitIsDisconnected() async throws {
        var limits = ConnectionLimits()
        limits.outboxBytes = 64 * 1024 * 1024
        limits.writeTimeout = .seconds(1)
        let (outcome, slowest) = try await Self.stall(limits: limits, waitFor: "timeout")
        #expect(outcome.closed && !outcome.timedOut, "\(outcome)")
        #expect(slowest < .seconds(1), "others were slowed: \(slowest)")
    }

    @Test func aClientThatCatchesUpWithinTheLimitsGetsEveryReply() async throws {
        var limits = ConnectionLimits()
        limits.outboxBytes = 64 * 1024 * 1024
        limits.writeTimeout = .seconds(60)
        let (outcome, _) = try await Self.stall(limits: limits, waitFor: "all")
        #expect(!outcome.closed && !outcome.timedOut)
        #expect(outcome.replies == Self.requests)
    }
}
