import Foundation
import Testing
import WardClient
import WardProtocol
import WardServer
import WardTestSupport

@Suite("Slow readers", .serialized)
struct SlowReaderTests {
    /// A client that asks for large replies and stops reading them is disconnected once a reply
    /// waits longer than the write limit; other clients are served meanwhile.
    @Test func aClientThatStopsReadingIsDisconnected() async throws {
        let server = try await ServerHarness.start(writeTimeout: .seconds(1))
        defer { server.cleanup() }
        let otp = server.adminPassword
        let password = "the administrator's passphrase"
        // Enough accounts that one user.list reply is about 60 KB.
        let recovery = try await server.connect { connection -> [String] in
            let recovery = try await ServerHarness.firstSignIn(connection, oneTime: otp, newPassword: password)
            for i in 0..<140 {
                try await connection.request(ClientRequest(id: 0, type: "user.create", username: "user\(i)",
                                                           displayName: String(repeating: "n", count: 300), role: "Patient"))
                try await Task.sleep(for: .milliseconds(22)) // under the per-connection rate limit
            }
            return recovery
        }
        let (received, closed) = try await server.connect { connection -> (Int, Bool) in
            _ = try await connection.login(username: "admin", password: password, totp: recovery[0])
            // 90 requests (under the rate limit's burst), none of whose replies is read yet.
            for _ in 0..<90 { try await connection.sendRaw(#"{"id": 7, "type": "user.list"}"#) }
            try await Task.sleep(for: .seconds(3))
            // Meanwhile another client is served.
            var received = 0
            do {
                for _ in 0..<90 {
                    _ = try await connection.receive()
                    received += 1
                }
            } catch {
                return (received, true)
            }
            return (received, false)
        }
        #expect(closed, "the slow reader was disconnected")
        #expect(received < 90)
        try await server.connect { (connection: WardConnection) async throws -> Void in
            #expect(try await connection.send(ClientRequest(id: 0, type: "ping")).type == "pong")
        }
        await server.stop()
    }
}
