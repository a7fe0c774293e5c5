import Foundation
import Testing
import WardAudit
import WardClient
import WardCrypto
import WardE2EE
import WardProtocol
import WardServer
import WardTestSupport

/// What a server that lies, or a thief holding only a session token, can no longer do with
/// envelopes (issue 17): replay one, or show one under another sender's name. The messages a
/// hostile server would send are built here and handed to a real client's `SecureMessenger`.
@Suite("Hostile server: envelopes")
struct HostileServerTests {
    typealias Member = ConversationTests.Member

    /// A server with two nurses, Ann and Bo; Bo's device is registered first, so that Ann's
    /// sender keys are sealed to it.
    static func annAndBo() async throws -> (server: ServerHarness, ann: Member, bo: Member) {
        let server = try await ServerHarness.start(connectionLimits: .unthrottled)
        let (_, people) = try await ConversationTests.accountsAndAdmin(server, [("nurse.ann", "Nurse"), ("nurse.bo", "Nurse")])
        try await server.connect { (b: WardConnection) async throws in _ = try await ConversationTests.messenger(people[1], on: b) }
        return (server, people[0], people[1])
    }

    /// `member` signed in on `connection` as the device `identity` (their own by default), with
    /// these pins and choices.
    static func messenger(
        _ member: Member, _ identity: DeviceIdentity? = nil, pins: any IdentityPins = MemoryIdentityPins(),
        holdAfterIdentityChange: Bool = false, rotation: SecureMessenger.KeyRotation = .init(),
        on connection: WardConnection
    ) async throws -> SecureMessenger {
        try await connection.request(ClientRequest(id: 0, type: .resume, token: member.token))
        let messenger = SecureMessenger(
            connection: connection, identity: identity ?? member.identity, userID: member.userID, pins: pins,
            holdAfterIdentityChange: holdAfterIdentityChange, rotation: rotation)
        try await messenger.register()
        return messenger
    }

    /// A new staff room with `members` besides the one asking; its id.
    static func room(_ members: [String], on connection: WardConnection) async throws -> String {
        try await connection.request(
            ConversationTests.request(.roomCreate) {
                $0.kind = "staff"; $0.name = "Ward 3"; $0.members = members
            }
        )
        .room?.roomID ?? ""
    }

    @Test func aReplayedEnvelopeIsRefusedByTheServerAndByTheReader() async throws {
        let (server, ann, bo) = try await Self.annAndBo()
        defer { server.cleanup() }
        let (roomID, first) = try await server.connect { (a: WardConnection) async throws -> (String, MessageInfo) in
            let messenger = try await ConversationTests.messenger(ann, on: a)
            let create = ConversationTests.request(.roomCreate) {
                $0.kind = "staff"; $0.name = "Handover"; $0.members = [bo.userID]
            }
            let roomID = try await a.request(create).room?.roomID ?? ""
            let first = try await messenger.send(MessageContent(body: "bed 4 needs fluids"), to: roomID, clientMessageID: "first")
            // The same envelope again under a new clientMessageID, as a thief with the session
            // token could send it: refused. The same clientMessageID is a resend: answered with
            // the stored message, not stored twice.
            var replay = ConversationTests.request(.messageSend, room: roomID) {
                $0.clientMessageID = "second"; $0.envelope = first.envelope
            }
            #expect(try await a.send(replay).code == .replayed)
            replay.clientMessageID = "first"
            let resent = try await a.request(replay).messageInfo
            #expect(resent?.seq == first.seq && resent?.messageID == first.messageID)
            // The sender's next message still goes through.
            _ = try await messenger.send(MessageContent(body: "done"), to: roomID)
            return (roomID, first)
        }
        let refusals = try AuditLogReader(directory: server.data.auditLog).entries().filter {
            $0.event.type == "message.send" && $0.event.outcome != .success && $0.event.actorID == ann.userID
        }
        #expect(refusals.count == 1, "the refused replay is audited")
        try await server.connect { (b: WardConnection) async throws in
            let messenger = try await ConversationTests.messenger(bo, on: b)
            let history = try await b.request(ConversationTests.request(.messageHistory, room: roomID) { _ in }).messages ?? []
            #expect(history.count == 2, "one stored message per position")
            #expect(try await messenger.open(first).body == "bed 4 needs fluids")
            #expect(try await messenger.open(first).body == "bed 4 needs fluids", "reading the same message again is no replay")
            // A server that stores the envelope twice and relays it as a second message.
            var copy = first
            copy.seq = 99
            copy.messageID = "msg:replayed"
            await #expect(throws: E2EEError.replayed(keyID: first.envelope.keyID, iteration: first.envelope.iteration)) {
                try await messenger.open(copy)
            }
        }
    }

    @Test func aMessageIsShownOnlyUnderTheOwnerOfTheDeviceThatSignedIt() async throws {
        let server = try await ServerHarness.start(connectionLimits: .unthrottled)
        defer { server.cleanup() }
        let (_, people) = try await ConversationTests.accountsAndAdmin(server, [("nurse.ann", "Nurse"), ("nurse.bo", "Nurse"), ("nurse.cy", "Nurse")])
        let (ann, bo, cy) = (people[0], people[1], people[2])
        try await server.connect { (b: WardConnection) async throws in _ = try await ConversationTests.messenger(bo, on: b) }
        let (roomID, sent) = try await server.connect { (a: WardConnection) async throws -> (String, MessageInfo) in
            let messenger = try await ConversationTests.messenger(ann, on: a)
            let create = ConversationTests.request(.roomCreate) {
                $0.kind = "staff"; $0.name = "Handover"; $0.members = [bo.userID, cy.userID]
            }
            let roomID = try await a.request(create).room?.roomID ?? ""
            return (roomID, try await messenger.send(MessageContent(body: "from Ann"), to: roomID))
        }
        try await server.connect { (b: WardConnection) async throws in
            let messenger = try await ConversationTests.messenger(bo, on: b)
            #expect(try await messenger.open(sent).body == "from Ann")
            // The server names Cy as the sender of Ann's signed envelope.
            var forged = sent
            forged.senderID = cy.userID
            forged.messageID = "msg:forged"
            await #expect(throws: E2EEError.senderMismatch(deviceID: sent.senderDevice)) { try await messenger.open(forged) }
            _ = roomID
        }
    }

    /// The server adds devices to a member: one no identity signed, one signed by another
    /// identity. Neither gets a sender key, neither's messages are shown, the person is told; a
    /// clinic may hold sending until the change is confirmed, and confirming lets the new key in.
    @Test func devicesTheirOwnersPinnedIdentityDoesNotVouchForGetNothing() async throws {
        let (server, ann, bo) = try await Self.annAndBo()
        defer { server.cleanup() }
        let pins = MemoryIdentityPins()
        let roomID = try await server.connect { (a: WardConnection) async throws -> String in
            let messenger = try await Self.messenger(ann, pins: pins, on: a)
            let create = ConversationTests.request(.roomCreate) {
                $0.kind = "staff"; $0.name = "Handover"; $0.members = [bo.userID]
            }
            let roomID = try await a.request(create).room?.roomID ?? ""
            _ = try await messenger.send(MessageContent(body: "first"), to: roomID)
            return roomID
        }
        #expect(pins.pinned(bo.userID)?.key == Base64.encode(try #require(bo.identity.person).publicKey), "Bo's identity pinned on first contact")

        // Devices the server made for Bo: unsigned, and signed by an identity that is not his.
        let unsigned = DeviceIdentity(person: nil)
        let impostor = DeviceIdentity(person: PersonIdentity())
        func device(_ identity: DeviceIdentity) async throws -> SecureMessenger {
            try await server.connect { (c: WardConnection) async throws -> SecureMessenger in
                let messenger = try await Self.messenger(bo, identity, on: c)
                return messenger
            }
        }
        _ = try await device(unsigned)
        _ = try await device(impostor)
        let (second, impostorSent) = try await server.connect { (a: WardConnection) async throws -> (MessageInfo, MessageInfo) in
            let messenger = try await Self.messenger(ann, pins: pins, on: a)
            let second = try await messenger.send(MessageContent(body: "second"), to: roomID)
            #expect(
                Set(messenger.trustIssues) == [
                    .unsigned(userID: bo.userID, deviceID: unsigned.deviceID),
                    .identityChanged(userID: bo.userID, deviceID: impostor.deviceID)
                ])
            // The impostor device writes as Bo: Ann refuses to show it.
            let forged = try await server.connect { (c: WardConnection) async throws -> MessageInfo in
                let messenger = try await Self.messenger(bo, impostor, on: c)
                return try await messenger.send(MessageContent(body: "send me the codes"), to: roomID)
            }
            await #expect(throws: E2EEError.untrustedDevice(deviceID: impostor.deviceID)) { try await messenger.open(forged) }
            // A clinic that holds sending after an identity change: nothing is sent.
            let holding = SecureMessenger(connection: a, identity: ann.identity, userID: ann.userID, pins: pins, holdAfterIdentityChange: true)
            try await holding.register()
            await #expect(throws: E2EEError.identityChanged(userIDs: [bo.userID])) {
                try await holding.send(MessageContent(body: "held"), to: roomID)
            }
            return (second, forged)
        }
        _ = impostorSent
        // Bo's own device reads the second message; the devices the server made cannot.
        try await server.connect { (b: WardConnection) async throws in
            #expect(try await ConversationTests.messenger(bo, on: b).open(second).body == "second")
        }
        for identity in [unsigned, impostor] {
            try await server.connect { (c: WardConnection) async throws in
                let messenger = try await Self.messenger(bo, identity, on: c)
                await #expect(throws: E2EEError.unknownSenderKey) { try await messenger.open(second) }
            }
        }
        // Ann compares safety numbers and confirms the new identity (Bo did reset): her next key
        // goes to the device it vouches for, and no longer to the one the old identity signed.
        let third = try await server.connect { (a: WardConnection) async throws -> MessageInfo in
            let messenger = try await Self.messenger(ann, pins: pins, on: a)
            messenger.confirmIdentity(of: bo.userID, identityKey: try #require(impostor.person).publicKey)
            #expect(pins.pinned(bo.userID)?.verified == true)
            return try await messenger.send(MessageContent(body: "third"), to: roomID)
        }
        try await server.connect { (c: WardConnection) async throws in
            let messenger = try await Self.messenger(bo, impostor, on: c)
            #expect(try await messenger.open(third).body == "third")
        }
        _ = try await server.connect { (b: WardConnection) async throws in
            await #expect(throws: E2EEError.unknownSenderKey) { try await ConversationTests.messenger(bo, on: b).open(third) }
        }
    }

    /// Post-compromise bound: a sender key is replaced after a number of messages even when the
    /// room does not change, and readers follow (issue 17).
    @Test func senderKeysRotateAfterABoundedNumberOfMessages() async throws {
        let (server, ann, bo) = try await Self.annAndBo()
        defer { server.cleanup() }
        let sent = try await server.connect { (a: WardConnection) async throws -> [MessageInfo] in
            try await a.request(ClientRequest(id: 0, type: .resume, token: ann.token))
            let messenger = SecureMessenger(connection: a, identity: ann.identity, userID: ann.userID, rotation: .init(messages: 2))
            try await messenger.register()
            let roomID = try await Self.room([bo.userID], on: a)
            var sent: [MessageInfo] = []
            for n in 0..<5 { sent.append(try await messenger.send(MessageContent(body: "note \(n)"), to: roomID)) }
            return sent
        }
        let keys = sent.map(\.envelope.keyID)
        #expect(keys[0] == keys[1] && keys[1] != keys[2] && keys[2] == keys[3] && keys[3] != keys[4], "\(keys)")
        #expect(sent.map(\.envelope.iteration) == [0, 1, 0, 1, 0])
        try await server.connect { (b: WardConnection) async throws in
            let messenger = try await ConversationTests.messenger(bo, on: b)
            for (n, message) in sent.enumerated() { #expect(try await messenger.open(message).body == "note \(n)") }
        }
    }

    /// A person's new device, opened with their recovery key, is vouched for by the identity
    /// their contacts pinned: it gets keys, no warning (issue 17). The server holds only the
    /// sealed backup.
    @Test func aNewDeviceWithTheRecoveryKeyIsThePersons() async throws {
        let server = try await ServerHarness.start(connectionLimits: .unthrottled)
        defer { server.cleanup() }
        let (_, people) = try await ConversationTests.accountsAndAdmin(server, [("nurse.ann", "Nurse"), ("nurse.bo", "Nurse")])
        let (ann, bo) = (people[0], people[1])
        let recoveryKey = IdentityBackup.makeRecoveryKey()
        let bosIdentity = try #require(bo.identity.person)
        try await server.connect { (b: WardConnection) async throws in
            _ = try await ConversationTests.messenger(bo, on: b)
            #expect(try await b.send(ClientRequest(id: 0, type: .identityBackup)).code == .notFound)
            var store = ClientRequest(id: 0, type: .identityBackup)
            store.backup = try IdentityBackup.seal(bosIdentity, userID: bo.userID, recoveryKey: recoveryKey, iterations: 100_000)
            _ = try await b.request(store)
            store.backup = String(repeating: "x", count: 5000)
            #expect(try await b.send(store).code == .badRequest)
            // Key backups: a key id that is not one, an empty or oversized item, too many at once.
            for items in [
                [SealedKeyBackup(keyID: "not-a-key-id", sealed: "x")], [SealedKeyBackup(keyID: SenderKeyShare.makeKeyID(), sealed: "")],
                [SealedKeyBackup(keyID: SenderKeyShare.makeKeyID(), sealed: String(repeating: "x", count: 3000))],
                (0..<101).map { _ in SealedKeyBackup(keyID: SenderKeyShare.makeKeyID(), sealed: "x") }, []
            ] {
                #expect(try await b.send(ConversationTests.request(.keysBackup) { $0.keyBackups = items }).code == .badRequest)
            }
        }
        #expect(ErasureTests.occurrences(of: [Base64.encode(bosIdentity.signing.seed.copyBytes())], under: server.data.path).isEmpty)
        let pins = MemoryIdentityPins()
        let roomID = try await server.connect { (a: WardConnection) async throws -> String in
            let messenger = try await Self.messenger(ann, pins: pins, on: a)
            let roomID = try await Self.room([bo.userID], on: a)
            _ = try await messenger.send(MessageContent(body: "first"), to: roomID)
            return roomID
        }
        // Bo's first device reads the first message (and keeps its key in his key backup).
        try await server.connect { (b: WardConnection) async throws in
            let messenger = try await ConversationTests.messenger(bo, on: b)
            let history = try await b.request(ConversationTests.request(.messageHistory, room: roomID) { _ in }).messages ?? []
            #expect(try await messenger.open(try #require(history.first)).body == "first")
        }
        // Bo's phone: new device keys, the identity from the backup (typed with spaces and in
        // small letters, as people do).
        let phone = try await server.connect { (c: WardConnection) async throws -> DeviceIdentity in
            try await c.request(ClientRequest(id: 0, type: .resume, token: bo.token))
            let backup = try #require(try await c.request(ClientRequest(id: 0, type: .identityBackup)).backup)
            #expect(throws: IdentityBackup.Failure.wrongRecoveryKey) {
                try IdentityBackup.open(backup, userID: bo.userID, recoveryKey: IdentityBackup.makeRecoveryKey())
            }
            #expect(throws: IdentityBackup.Failure.malformed) { try IdentityBackup.open(backup, userID: ann.userID, recoveryKey: recoveryKey) }
            let person = try IdentityBackup.open(
                backup, userID: bo.userID, recoveryKey: recoveryKey.lowercased().replacingOccurrences(of: "-", with: " "))
            let phone = DeviceIdentity(person: person)
            try await SecureMessenger(connection: c, identity: phone, userID: bo.userID).register()
            return phone
        }
        let second = try await server.connect { (a: WardConnection) async throws -> MessageInfo in
            let messenger = try await Self.messenger(ann, pins: pins, on: a)
            let second = try await messenger.send(MessageContent(body: "second"), to: roomID)
            #expect(messenger.trustIssues.isEmpty)
            return second
        }
        try await server.connect { (c: WardConnection) async throws in
            let messenger = try await Self.messenger(bo, phone, on: c)
            #expect(try await messenger.open(second).body == "second")
            // The history from before the phone: the key Bo's first device kept in his key backup.
            let history = try await c.request(ConversationTests.request(.messageHistory, room: roomID) { _ in }).messages ?? []
            #expect(try await messenger.open(try #require(history.first)).body == "first")
        }
        // A device of another identity finds nothing it can open in Bo's backup.
        try await server.connect { (c: WardConnection) async throws in
            try await c.request(ClientRequest(id: 0, type: .resume, token: bo.token))
            let stranger = SecureMessenger(connection: c, identity: DeviceIdentity(person: PersonIdentity()), userID: bo.userID)
            try await stranger.register()
            let history = try await c.request(ConversationTests.request(.messageHistory, room: roomID) { _ in }).messages ?? []
            await #expect(throws: E2EEError.unknownSenderKey) { try await stranger.open(try #require(history.first)) }
        }
    }

    /// At first contact a person shows two identities (the server added one): nothing can tell
    /// which is theirs, so neither is pinned and neither gets the key until the person confirms.
    @Test func twoIdentitiesAtFirstContactPinNeither() async throws {
        let server = try await ServerHarness.start(connectionLimits: .unthrottled)
        defer { server.cleanup() }
        let (_, people) = try await ConversationTests.accountsAndAdmin(server, [("nurse.ann", "Nurse"), ("nurse.bo", "Nurse")])
        let (ann, bo) = (people[0], people[1])
        let other = DeviceIdentity(person: PersonIdentity())
        for identity in [bo.identity, other] {
            try await server.connect { (c: WardConnection) async throws in
                try await c.request(ClientRequest(id: 0, type: .resume, token: bo.token))
                try await SecureMessenger(connection: c, identity: identity, userID: bo.userID).register()
            }
        }
        let pins = MemoryIdentityPins()
        try await server.connect { (a: WardConnection) async throws in
            let messenger = try await Self.messenger(ann, pins: pins, on: a)
            let roomID = try await Self.room([bo.userID], on: a)
            _ = try await messenger.send(MessageContent(body: "for Bo"), to: roomID)
            #expect(pins.pinned(bo.userID) == nil)
            #expect(
                Set(messenger.trustIssues) == [
                    .identityChanged(userID: bo.userID, deviceID: bo.identity.deviceID),
                    .identityChanged(userID: bo.userID, deviceID: other.deviceID)
                ])
        }
    }

    /// A server that withholds a message or relays two out of order cannot hide it: each sender
    /// key numbers its messages, and the reader says what it saw. A message the server refused
    /// leaves no gap: its position goes to the next message (issue 17).
    @Test func aWithheldOrReorderedMessageIsSurfaced() async throws {
        let (server, ann, bo) = try await Self.annAndBo()
        defer { server.cleanup() }
        let sent = try await server.connect { (a: WardConnection) async throws -> [MessageInfo] in
            let messenger = try await ConversationTests.messenger(ann, on: a)
            let roomID = try await Self.room([bo.userID], on: a)
            var sent = [try await messenger.send(MessageContent(body: "m0"), to: roomID)]
            await #expect(throws: WardClientError.self) {
                try await messenger.send(MessageContent(body: "refused"), to: roomID, clientMessageID: "not valid!")
            }
            for n in 1..<4 { sent.append(try await messenger.send(MessageContent(body: "m\(n)"), to: roomID)) }
            return sent
        }
        #expect(sent.map(\.envelope.iteration) == [0, 1, 2, 3], "the refused message's position went to the next one")
        try await server.connect { (b: WardConnection) async throws in
            let messenger = try await ConversationTests.messenger(bo, on: b)
            // The server withholds m1, then relays it after m2.
            _ = try await messenger.open(sent[0])
            _ = try await messenger.open(sent[2])
            #expect(messenger.takeDeliveryIssues() == [.missing(roomID: sent[0].roomID, senderID: ann.userID, count: 1)])
            #expect(try await messenger.open(sent[1]).body == "m1")
            #expect(messenger.takeDeliveryIssues() == [.reordered(roomID: sent[0].roomID, senderID: ann.userID)])
            _ = try await messenger.open(sent[3])
            _ = try await messenger.open(sent[2])
            #expect(messenger.takeDeliveryIssues().isEmpty, "in order, and reading a message again, say nothing")
        }
    }
}
