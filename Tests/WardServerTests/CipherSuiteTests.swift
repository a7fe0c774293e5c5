import Foundation
import Testing
import WardClient
import WardCrypto
import WardE2EE
import WardProtocol
import WardServer
import WardTestSupport

/// Two suites on one server (issue 17): each sender picks one every member device speaks, old
/// envelopes stay readable, and a device that learns a suite publishes it under the same keys.
@Suite("Cipher suites: ward-sk-1 and ward-wc-1")
struct CipherSuiteTests {
    /// A messenger for `member` whose device speaks only `suites`.
    static func messenger(_ member: ConversationTests.Member, suites: [String], on connection: WardConnection) async throws -> SecureMessenger {
        try await connection.request(ClientRequest(id: 0, type: .resume, token: member.token))
        var identity = member.identity
        identity.suites = suites
        let messenger = SecureMessenger(connection: connection, identity: identity, userID: member.userID)
        try await messenger.register()
        return messenger
    }

    @Test func eachSenderUsesASuiteEveryMemberDeviceSpeaks() async throws {
        let server = try await ServerHarness.start(connectionLimits: .unthrottled)
        defer { server.cleanup() }
        let (_, people) = try await ConversationTests.accountsAndAdmin(server, [("nurse.ann", "Nurse"), ("nurse.bo", "Nurse"), ("nurse.cy", "Nurse")])
        let (ann, bo, cy) = (people[0], people[1], people[2])
        let (sk, wc, both) = ([CipherSuite.senderKeysV1], [CipherSuite.webCryptoV1], CipherSuite.supported.sorted())
        // Bo's client is older (ward-sk-1 only), Cy's a browser's (ward-wc-1 only).
        try await server.connect { (b: WardConnection) async throws in _ = try await Self.messenger(bo, suites: sk, on: b) }
        try await server.connect { (c: WardConnection) async throws in _ = try await Self.messenger(cy, suites: wc, on: c) }
        let (withBo, withCy, withBoth) = try await server.connect { (a: WardConnection) async throws -> (MessageInfo, MessageInfo, MessageInfo) in
            let messenger = try await Self.messenger(ann, suites: both, on: a)
            func room(_ members: [String]) async throws -> String {
                try await a.request(
                    ConversationTests.request(.roomCreate) {
                        $0.kind = "staff"; $0.name = "Ward 3"; $0.members = members
                    }
                ).room?.roomID ?? ""
            }
            let withBo = try await messenger.send(MessageContent(body: "to Bo"), to: try await room([bo.userID]))
            let withCy = try await messenger.send(MessageContent(body: "to Cy"), to: try await room([cy.userID]))
            let bothRoom = try await room([bo.userID, cy.userID])
            // Bo and Cy share no suite: Ann is told, nothing is sent.
            await #expect(throws: WardClientError.self) { try await messenger.send(MessageContent(body: "to both"), to: bothRoom) }
            let annAndBoth = try await room([])
            return (withBo, withCy, try await messenger.send(MessageContent(body: "to myself"), to: annAndBoth))
        }
        #expect(withBo.envelope.suite == CipherSuite.senderKeysV1)
        #expect(withCy.envelope.suite == CipherSuite.webCryptoV1)
        #expect(withBoth.envelope.suite == CipherSuite.webCryptoV1, "devices that speak both prefer ward-wc-1")
        try await server.connect { (b: WardConnection) async throws in
            #expect(try await Self.messenger(bo, suites: sk, on: b).open(withBo).body == "to Bo")
        }
        try await server.connect { (c: WardConnection) async throws in
            #expect(try await Self.messenger(cy, suites: wc, on: c).open(withCy).body == "to Cy")
        }
        // Bo's client learns ward-wc-1: the same device, its new list signed; Ann's next key to
        // Bo uses it, and the ward-sk-1 message stays readable.
        try await server.connect { (b: WardConnection) async throws in
            let upgraded = try await Self.messenger(bo, suites: both, on: b)
            #expect(upgraded.identity.deviceID == bo.identity.deviceID)
            let keys = try await b.request(ConversationTests.request(.keysGet, room: withBo.roomID) { _ in }).devices ?? []
            #expect(keys.first { $0.deviceID == bo.identity.deviceID }?.suites == both)
            #expect(try await upgraded.open(withBo).body == "to Bo")
        }
    }
}
