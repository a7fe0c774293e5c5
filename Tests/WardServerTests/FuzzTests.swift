import Foundation
import Testing
import WardAudit
import WardClient
import WardProtocol
import WardServer
import WardTestSupport

@Suite("Fuzzing the server", .serialized)
struct FuzzTests {
    static let valid = [
        #"{"id": 1, "type": "hello", "version": 1}"#,
        #"{"id": 2, "type": "login", "username": "admin", "password": "x"}"#,
        #"{"id": 3, "type": "password.change", "currentPassword": "a", "newPassword": "b"}"#,
        #"{"id": 4, "type": "user.create", "username": "u", "role": "Doctor"}"#,
        #"{"id": 5, "type": "careteam.add", "patientID": "p", "clinicianID": "c"}"#
    ]

    /// Random and mutated frames (seeded, bounded) never crash or hang the server: every
    /// well-formed-UTF-8 frame gets a reply on the same connection, each invalid-UTF-8 frame
    /// closes only its own connection, and afterwards the server still signs people in and its
    /// audit log verifies.
    @Test func randomAndMutatedFramesLeaveTheServerServing() async throws {
        // The fuzzing connection never signs in; on a busy machine its 400 frames (paced by the
        // rate limit) can take longer than the sign-in limit, which is not what this test is about.
        var limits = ConnectionLimits()
        limits.authenticationTimeout = .seconds(300)
        let server = try await ServerHarness.start(connectionLimits: limits)
        defer { server.cleanup() }
        var random = SeededRandom(seed: 0xF022)
        var frames: [[UInt8]] = []
        for i in 0..<400 {
            var bytes = Array(Self.valid[i % Self.valid.count].utf8)
            switch i % 5 {
            case 0: // replace random bytes with random ASCII
                for _ in 0..<Int.random(in: 1...4, using: &random) {
                    bytes[Int.random(in: 0..<bytes.count, using: &random)] = UInt8.random(in: 0x20...0x7E, using: &random)
                }
            case 1: // truncate
                bytes = Array(bytes.prefix(Int.random(in: 0..<bytes.count, using: &random)))
            case 2: // random ASCII, control characters included
                bytes = (0..<Int.random(in: 0..<200, using: &random)).map { _ in UInt8.random(in: 0...0x7F, using: &random) }
            case 3: // wrong types and deep nesting
                bytes = Array(
                    Self.pick(
                        [
                            #"{"id": [], "type": {}}"#, #"{"id": 1e309, "type": "ping"}"#, String(repeating: "[", count: 5000),
                            #"{"id": 1, "type": "login", "username": 5, "password": null}"#, #"{"id": -1, "type": "hello", "version": "1"}"#
                        ], &random
                    ).utf8)
            default: // duplicate and unknown fields, odd Unicode
                bytes = Array((#"{"id": 9, "type": "whoami", "type": "ping", "extra": "\u0000 \ud800 é 🩺"}"#).utf8)
            }
            frames.append(bytes)
        }
        let sendFrames = frames
        let replies = try await server.connect { connection -> Int in
            var replies = 0
            for frame in sendFrames {
                try await connection.sendTextBytes(frame)
                if try await connection.receiveReply().code == .rateLimited {
                    // Stay under the per-connection limit, as a well-behaved client does.
                    try await Task.sleep(for: .milliseconds(100))
                }
                replies += 1
            }
            return replies
        }
        #expect(replies == sendFrames.count, "every frame got a reply on one connection")

        // Invalid UTF-8: the connection is closed (1007), the server carries on.
        for invalid: [UInt8] in [[0xFF], [0x7B, 0xC3, 0x28, 0x7D], [0xED, 0xA0, 0x80], [0xF8, 0x88, 0x80, 0x80, 0x80]] {
            await #expect(throws: (any Error).self) {
                try await server.connect { connection in
                    try await connection.sendTextBytes(invalid)
                    _ = try await connection.receiveReply()
                    _ = try await connection.receiveReply()
                }
            }
        }
        // Still serving.
        try await server.connect { (connection: WardConnection) async throws -> Void in
            #expect(try await connection.send(ClientRequest(id: 0, type: .ping)).type == .pong)
            let session = try await connection.login(username: "admin", password: server.adminPassword)
            #expect(session.mustChangePassword == true)
        }
        await server.stop()
        let key = try NoteVerifier(vkey: String(contentsOfFile: server.data.auditVerifierKey, encoding: .utf8))
        #expect(try LogVerifier(key: key).verify(directory: server.data.auditLog).isValid)
    }

    @Test func floodsAreRateLimitedThenClosed() async throws {
        let server = try await ServerHarness.start()
        defer { server.cleanup() }
        let (limited, closed) = try await server.connect { connection -> (Int, Bool) in
            var limited = 0
            // Send without waiting for replies, then read them: far more than the burst.
            for _ in 0..<400 { try await connection.sendRaw(#"{"id": 1, "type": "ping"}"#) }
            do {
                for _ in 0..<400 where try await connection.receiveReply().code == .rateLimited { limited += 1 }
            } catch {
                return (limited, true)
            }
            return (limited, false)
        }
        #expect(limited > 100, "most of the flood is refused")
        #expect(closed, "a client that keeps flooding is disconnected")
        try await server.connect { (connection: WardConnection) async throws -> Void in
            #expect(try await connection.send(ClientRequest(id: 0, type: .ping)).type == .pong)
        }
        await server.stop()
    }

    @Test func oversizedFramesCloseTheConnectionAndOthersCarryOn() async throws {
        let server = try await ServerHarness.start()
        defer { server.cleanup() }
        await #expect(throws: (any Error).self) {
            try await server.connect { connection in
                try await connection.sendRaw("{\"id\": 1, \"type\": \"ping\", \"pad\": \"" + String(repeating: "x", count: 70_000) + "\"}")
                _ = try await connection.receiveReply()
                _ = try await connection.receiveReply()
            }
        }
        try await server.connect { (connection: WardConnection) async throws -> Void in
            #expect(try await connection.send(ClientRequest(id: 0, type: .ping)).type == .pong)
        }
        await server.stop()
    }

    static func pick(_ items: [String], _ random: inout SeededRandom) -> String { items[Int.random(in: 0..<items.count, using: &random)] }
}
