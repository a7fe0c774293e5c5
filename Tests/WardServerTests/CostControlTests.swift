import Foundation
import Testing
import WardClient
import WardCrypto
import WardAudit
import WardProtocol
import WardServer
import WardTestSupport

/// What a connection, or a flood of them, may cost the server (issue 16, item 6).
@Suite("Cost control", .serialized)
struct CostControlTests {
    /// A TCP connection to the server that sends nothing (no TLS, no upgrade).
    final class SilentSocket {
        let descriptor: Int32

        init(port: Int) throws {
            descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(port).bigEndian)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard connected == 0 else { throw HarnessError.serverDidNotStart }
            var timeout = timeval(tv_sec: 20, tv_usec: 0)
            setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        }

        /// True when the server closed the connection (a read ends with 0 bytes or a reset).
        func closedByServer() -> Bool {
            var byte: UInt8 = 0
            let got = recv(descriptor, &byte, 1, 0)
            return got == 0 || (got < 0 && errno == ECONNRESET)
        }

        deinit { close(descriptor) }
    }

    /// Sockets that never finish TLS or the upgrade are closed after the upgrade timeout; past
    /// the cap per address a new connection is refused at once; once the silent ones are gone,
    /// clients connect again.
    @Test func silentConnectionsAreClosedAndCapped() async throws {
        var caps = ConnectionCaps()
        caps.perAddress = 4
        // Long enough that the fifth connection is tried while the four still hold their places,
        // even on a loaded machine.
        caps.upgradeTimeout = .seconds(4)
        let server = try await ServerHarness.start(connectionCaps: caps)
        defer { server.cleanup() }
        let silent = try (0..<4).map { _ in try SilentSocket(port: server.port) }
        // The fifth, from the same address, is refused while the four hold their places.
        try await Task.sleep(for: .milliseconds(100))
        await #expect(throws: (any Error).self) {
            try await server.connect { (c: WardConnection) async throws in _ = try await c.send(ClientRequest(id: 0, type: .ping)) }
        }
        #expect(silent.allSatisfy { $0.closedByServer() }, "silent sockets are closed after the upgrade timeout")
        try await Task.sleep(for: .milliseconds(100))
        // A client that upgrades in time stays, past the timeout.
        try await server.connect { (c: WardConnection) async throws in
            try await Task.sleep(for: .milliseconds(4_500))
            #expect(try await c.send(ClientRequest(id: 0, type: .ping)).type == .pong)
        }
        await server.stop()
    }

    /// The line of password checks is bounded: past it, `Busy` at once instead of a wait that
    /// outlasts the attack.
    @Test func passwordChecksBeyondTheLineAreRefusedAtOnce() async throws {
        let checker = try PasswordChecker(hasher: try Argon2id(parameters: .rfc9106SecondRecommended), concurrent: 1, maxWaiting: 2)
        let hash = try await checker.hash("a long enough passphrase")
        let outcomes = await withTaskGroup(of: String.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    do { return try await checker.verify("a long enough passphrase", against: hash) ? "match" : "mismatch" } catch is PasswordChecker
                        .Busy
                    {
                        return "busy"
                    } catch { return "error" }
                }
            }
            return await group.reduce(into: [String]()) { $0.append($1) }
        }
        #expect(outcomes.filter { $0 == "match" }.count >= 3, "\(outcomes)")
        #expect(outcomes.filter { $0 == "busy" }.count >= 1, "\(outcomes)")
        #expect(!outcomes.contains("error"))
    }

    /// Below the free-space watermark, writes that can wait are refused with `storage_low`
    /// while reading, signing in and everything's audit entries go on.
    @Test func lowDiskRefusesNewDataButKeepsServing() async throws {
        let server = try await ServerHarness.start(connectionLimits: .unthrottled, minimumFreeBytes: Int64.max / 2)
        defer { server.cleanup() }
        let (admin, _) = try await ConversationTests.accountsAndAdmin(server, [])
        try await ErasureTests.signedIn(server, admin) { (x: WardConnection) async throws in
            let refused = try await x.send(ClientRequest(id: 0, type: .userCreate, username: "nurse.bo", role: "Nurse"))
            #expect(refused.code == .storageLow && refused.message?.contains("low on disk space") == true)
            #expect(
                try await x.send(
                    ConversationTests.request(.roomCreate) {
                        $0.kind = "staff"; $0.name = "Ward 3"
                    }
                ).code == .storageLow)
            #expect(try await x.request(ClientRequest(id: 0, type: .userList)).users?.isEmpty == false, "reading goes on")
        }
        await server.stop()
        let entries = try AuditLogReader(directory: server.data.auditLog).entries()
        #expect(entries.filter { $0.event.details["refused"] == "storage_low" }.count == 2, "the refusals are audited")
    }
}
