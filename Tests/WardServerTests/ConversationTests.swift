import Foundation
import Testing
import WardAudit
import WardStore
import WardClient
import WardCrypto
import WardE2EE
import WardProtocol
import WardServer
import WardTestSupport

/// Rooms and end-to-end encrypted messages between real clients over TLS.
@Suite("Conversations", .serialized)
struct ConversationTests {
    static let password = "a long enough passphrase"

    /// An account made by the Admin, signed in for the first time (new password, second factor).
    struct Member {
        var userID: String
        var username: String
        var token: String
        let identity = DeviceIdentity()
    }

    /// Creates the accounts (as the Admin) and signs each in once, so their sessions carry a second factor.
    static func accounts(_ server: ServerHarness, _ people: [(String, String)]) async throws -> [Member] {
        try await accountsAndAdmin(server, people).people
    }

    /// The same, with the Admin's session (second factor included).
    static func accountsAndAdmin(_ server: ServerHarness, _ people: [(String, String)]) async throws -> (admin: Member, people: [Member]) {
        let (adminToken, adminID, created) = try await server.connect { connection -> (String, String, [(String, String, String)]) in
            let session = try await connection.login(username: "admin", password: server.adminPassword)
            try await connection.changePassword(current: server.adminPassword, new: password)
            _ = try await connection.confirmSecondFactor(code: ServerHarness.code(try await connection.enrollSecondFactor().secret))
            var created: [(String, String, String)] = []
            for (username, role) in people {
                let reply = try await connection.request(
                    ClientRequest(id: 0, type: .userCreate, username: username, displayName: username, role: role))
                created.append((username, reply.userID ?? "", reply.password ?? ""))
            }
            return (session.token ?? "", session.userID, created)
        }
        var members: [Member] = []
        for (username, userID, oneTime) in created {
            let token = try await server.connect { connection -> String in
                let session = try await connection.login(username: username, password: oneTime)
                try await connection.changePassword(current: oneTime, new: password)
                _ = try await connection.confirmSecondFactor(code: ServerHarness.code(try await connection.enrollSecondFactor().secret))
                return session.token ?? ""
            }
            members.append(Member(userID: userID, username: username, token: token))
        }
        return (Member(userID: adminID, username: "admin", token: adminToken), members)
    }

    /// Resumes the member's session on `connection` and registers their device.
    static func messenger(_ member: Member, on connection: WardConnection) async throws -> SecureMessenger {
        try await connection.request(ClientRequest(id: 0, type: .resume, token: member.token))
        let messenger = SecureMessenger(connection: connection, identity: member.identity, userID: member.userID)
        try await messenger.register()
        return messenger
    }

    /// The texts of the next `count` messages pushed to this client, decrypted, taking in the
    /// sender keys that arrive meanwhile; gives up after a few seconds.
    static func receive(_ count: Int, on messenger: SecureMessenger) async throws -> [String] {
        try await withThrowingTaskGroup(of: [String].self) { group in
            group.addTask {
                var texts: [String] = []
                while texts.count < count {
                    let event = try await messenger.connection.nextEvent()
                    switch event {
                    case let .key(deliveries): for delivery in deliveries { try await messenger.accept(delivery) }
                    case let .message(message): texts.append(try await messenger.open(message).body)
                    default: break
                    }
                }
                return texts
            }
            group.addTask {
                try await Task.sleep(for: .seconds(5))
                throw WardClientError.unexpectedReply("no message within 5 seconds")
            }
            let texts = try await group.next() ?? []
            group.cancelAll()
            return texts
        }
    }

    static func request(_ type: RequestType, room: String? = nil, _ configure: (inout ClientRequest) -> Void = { _ in }) -> ClientRequest {
        var request = ClientRequest(id: 0, type: type)
        request.roomID = room
        configure(&request)
        return request
    }

    @Test func membersGetEveryMessageInOrderAndNobodyElseCanRead() async throws {
        let server = try await ServerHarness.start()
        defer { server.cleanup() }
        let people = try await Self.accounts(server, [("dr.ann", "Doctor"), ("nurse.bo", "Nurse"), ("clerk.cy", "Other"), ("dr.dee", "Doctor")])
        let (ann, bo, cy, dee) = (people[0], people[1], people[2], people[3])
        let texts = ["handover at seven", "bed 4 needs a review", "é 🩺 漢字 — fine"]
        let later = ["after Cy left", "second after Cy left"]

        let (roomID, envelopeForCy) = try await server.connect { a in
            try await server.connect { b in
                try await server.connect { c in
                    try await server.connect { d in
                        let annM = try await Self.messenger(ann, on: a)
                        let boM = try await Self.messenger(bo, on: b)
                        let cyM = try await Self.messenger(cy, on: c)
                        _ = try await Self.messenger(dee, on: d)
                        var create = Self.request(.roomCreate) {
                            $0.kind = "staff"; $0.name = "Ward 3"; $0.members = [bo.userID, cy.userID]
                        }
                        let room = try #require(try await a.request(create).room)
                        create.members = nil
                        for text in texts { try await annM.send(MessageContent(body: text), to: room.roomID) }
                        #expect(try await Self.receive(3, on: boM) == texts)
                        #expect(try await Self.receive(3, on: cyM) == texts)

                        // Cy leaves; what follows goes under a new key Cy never gets.
                        try await c.request(Self.request(.roomLeave, room: room.roomID))
                        for text in later { try await annM.send(MessageContent(body: text), to: room.roomID) }
                        #expect(try await Self.receive(2, on: boM) == later)
                        let history = try await b.request(Self.request(.messageHistory, room: room.roomID))
                        #expect(history.messages?.map(\.seq) == [1, 2, 3, 4, 5])
                        let afterLeaving = try #require(history.messages?.last)
                        #expect(afterLeaving.envelope.keyID != history.messages?.first?.envelope.keyID, "a new sender key after the member left")
                        #expect(try await c.send(Self.request(.messageHistory, room: room.roomID)).code == .notAMember)
                        return (room.roomID, afterLeaving)
                    }
                }
            }
        }
        // Cy holds the later envelope (say, from a backup) but has no key for it.
        try await server.connect { c in
            let cyM = try await Self.messenger(cy, on: c)
            await #expect(throws: (any Error).self) { _ = try await cyM.open(envelopeForCy) }
        }
        // Dee was never a member: no history, no keys, no members list.
        try await server.connect { d in
            _ = try await Self.messenger(dee, on: d)
            #expect(try await d.send(Self.request(.messageHistory, room: roomID)).code == .notAMember)
            #expect(try await d.send(Self.request(.keysGet, room: roomID)).code == .notAMember)
        }
        await server.stop()

        // Neither the database nor the audit log holds any text that was sent.
        let files = [server.data.database, server.data.database + "-wal", server.data.auditLog + "/entries"]
        for file in files {
            let bytes = (try? Data(contentsOf: URL(fileURLWithPath: file))) ?? Data()
            for text in texts + later { #expect(bytes.range(of: Data(text.utf8)) == nil, "\(file) holds a message text") }
        }
        let entries = try AuditLogReader(directory: server.data.auditLog).entries()
        let sends = entries.filter { $0.event.type == "message.send" && $0.event.decision == .allow }
        #expect(sends.count == 5)
        #expect(sends.allSatisfy { $0.event.objectID == roomID && $0.event.actorID == ann.userID && $0.event.details["size"] != nil })
        let key = try NoteVerifier(vkey: String(contentsOfFile: server.data.auditVerifierKey, encoding: .utf8))
        #expect(try LogVerifier(key: key).verify(directory: server.data.auditLog).isValid)
    }

    @Test func anOfflineMemberCatchesUpExactlyOnce() async throws {
        let server = try await ServerHarness.start()
        defer { server.cleanup() }
        let people = try await Self.accounts(server, [("dr.ann", "Doctor"), ("nurse.bo", "Nurse")])
        let (ann, bo) = (people[0], people[1])
        let roomID = try await server.connect { a in
            try await server.connect { b in
                let annM = try await Self.messenger(ann, on: a)
                let boM = try await Self.messenger(bo, on: b)
                let room = try await a.request(
                    Self.request(.roomCreate) {
                        $0.kind = "staff"; $0.name = "Nights"; $0.members = [bo.userID]
                    })
                let roomID = room.room?.roomID ?? ""
                try await annM.send(MessageContent(body: "one"), to: roomID)
                #expect(try await Self.receive(1, on: boM) == ["one"])
                try await b.request(
                    Self.request(.receipt, room: roomID) {
                        $0.kind = "read"; $0.seq = 1
                    })
                return roomID
            }
        }
        // Bo is offline while Ann writes twice, and Ann resends one message whose acknowledgement she lost.
        try await server.connect { a in
            let annM = try await Self.messenger(ann, on: a)
            let first = try await annM.send(MessageContent(body: "two"), to: roomID, clientMessageID: "ann-2")
            let again = try await annM.send(MessageContent(body: "two"), to: roomID, clientMessageID: "ann-2")
            #expect(first.seq == again.seq && first.messageID == again.messageID, "a resend is stored once")
            try await annM.send(MessageContent(body: "three"), to: roomID)
        }
        try await server.connect { b in
            let boM = try await Self.messenger(bo, on: b)
            let rooms = try await b.request(ClientRequest(id: 0, type: .roomList)).rooms ?? []
            #expect(rooms.map(\.roomID) == [roomID])
            #expect(rooms.first?.unread == 2 && rooms.first?.readSeq == 1 && rooms.first?.lastSeq == 3)
            let missed = try await b.request(Self.request(.messageHistory, room: roomID) { $0.after = 1 }).messages ?? []
            var texts: [String] = []
            for message in missed { texts.append(try await boM.open(message).body) }
            #expect(texts == ["two", "three"])
            try await b.request(
                Self.request(.receipt, room: roomID) {
                    $0.kind = "read"; $0.seq = 3
                })
            #expect(try await b.request(ClientRequest(id: 0, type: .roomList)).rooms?.first?.unread == 0)
        }
        await server.stop()
    }

    @Test func tamperedMisSealedAndMalformedEnvelopesAreRejected() async throws {
        let server = try await ServerHarness.start()
        defer { server.cleanup() }
        let people = try await Self.accounts(server, [("dr.ann", "Doctor"), ("nurse.bo", "Nurse")])
        let (ann, bo) = (people[0], people[1])
        try await server.connect { a in
            try await server.connect { b in
                let annM = try await Self.messenger(ann, on: a)
                let boM = try await Self.messenger(bo, on: b)
                let roomID =
                    try await a.request(
                        Self.request(.roomCreate) {
                            $0.kind = "staff"; $0.name = "Day"; $0.members = [bo.userID]
                        }
                    ).room?.roomID ?? ""
                let sent = try await annM.send(MessageContent(body: "genuine"), to: roomID)
                #expect(try await Self.receive(1, on: boM) == ["genuine"])

                // A changed ciphertext (the server cannot tell) fails the signature at the receiver.
                var tampered = sent
                var bytes = Base64.decode(tampered.envelope.ciphertext) ?? []
                bytes[0] ^= 1
                tampered.envelope.ciphertext = Base64.encode(bytes)
                await #expect(throws: E2EEError.badSignature("message")) { _ = try await boM.open(tampered) }
                // Another room's id in the header: the signature does not cover this room.
                var moved = sent
                moved.roomID = "room:elsewhere"
                await #expect(throws: (any Error).self) { _ = try await boM.open(moved) }

                // A key sealed to the wrong device, or garbage, does not open.
                let garbage = KeyDelivery(
                    roomID: roomID, keyID: SenderKeyShare.makeKeyID(), senderID: ann.userID, senderDevice: ann.identity.deviceID,
                    suite: CipherSuite.senderKeysV1, sealed: Base64.encode(SecureRandom.bytes(120)))
                await #expect(throws: E2EEError.undecryptable) { try await boM.accept(garbage) }

                // The server refuses envelopes of the wrong shape and keys for the wrong devices.
                var envelope = sent.envelope
                envelope.nonce = Base64.encode([1, 2, 3])
                let malformed = Self.request(.messageSend, room: roomID) {
                    $0.clientMessageID = "bad-1"; $0.envelope = envelope
                }
                #expect(try await a.send(malformed).code == .badRequest)
                envelope = sent.envelope
                envelope.suite = "rot13"
                #expect(
                    try await a.send(
                        Self.request(.messageSend, room: roomID) {
                            $0.clientMessageID = "bad-2"; $0.envelope = envelope
                        }
                    ).code == .badRequest)
                let wrongDevices = Self.request(.keysDistribute, room: roomID) {
                    $0.keyID = SenderKeyShare.makeKeyID(); $0.suite = CipherSuite.senderKeysV1
                    $0.keys = [SealedKey(deviceID: "dev-00000000000000000000000000000000", sealed: Base64.encode(SecureRandom.bytes(100)))]
                }
                #expect(try await a.send(wrongDevices).code == .wrongRecipients)
                #expect(
                    try await a.send(
                        Self.request(.keysDistribute, room: roomID) {
                            $0.keyID = SenderKeyShare.makeKeyID(); $0.suite = CipherSuite.senderKeysV1; $0.keys = []
                        }
                    ).code == .wrongRecipients)
                #expect(
                    try await a.send(
                        Self.request(.keysDistribute, room: roomID) {
                            $0.keyID = SenderKeyShare.makeKeyID(); $0.suite = "rot13"; $0.keys = []
                        }
                    ).code == .badRequest)
                // A key id this device never distributed in this room is refused.
                envelope = sent.envelope
                envelope.keyID = SenderKeyShare.makeKeyID()
                #expect(
                    try await a.send(
                        Self.request(.messageSend, room: roomID) {
                            $0.clientMessageID = "bad-3"; $0.envelope = envelope
                        }
                    ).code == .staleKey)
            }
        }
        await server.stop()
    }

    @Test func theClinicsRoomRulesApply() async throws {
        let server = try await ServerHarness.start()
        defer { server.cleanup() }
        let (admin, people) = try await Self.accountsAndAdmin(server, [("dr.ann", "Doctor"), ("clerk.cy", "Other"), ("pat.pia", "Patient")])
        let (ann, cy, pia) = (people[0], people[1], people[2])
        try await server.connect { a in
            _ = try await Self.messenger(ann, on: a)
            // Other staff never join a patient's care room; patients are not in staff rooms.
            let care = Self.request(.roomCreate) {
                $0.kind = "care"; $0.name = "Care"; $0.patientID = pia.userID; $0.members = [cy.userID]
            }
            let refused = try await a.send(care)
            #expect(refused.code == .denied && refused.policies == ["other-staff-not-in-care-rooms"])
            let staff = Self.request(.roomCreate) {
                $0.kind = "staff"; $0.name = "Staff"; $0.members = [pia.userID]
            }
            #expect(try await a.send(staff).code == .denied)
            // Names are checked like display names.
            #expect(
                try await a.send(
                    Self.request(.roomCreate) {
                        $0.kind = "staff"; $0.name = "bad\u{202E}name"
                    }
                ).code == .badRequest)
            #expect(
                try await a.send(
                    Self.request(.roomCreate) {
                        $0.kind = "lounge"; $0.name = "x"
                    }
                ).code == .badRequest)
        }
        // Without a registered device no keys are fetched or sent.
        try await server.connect { a in
            try await a.request(ClientRequest(id: 0, type: .resume, token: ann.token))
            let roomID =
                try await a.request(
                    Self.request(.roomCreate) {
                        $0.kind = "staff"; $0.name = "Solo"
                    }
                ).room?.roomID ?? ""
            #expect(try await a.send(Self.request(.keysFetch, room: roomID)).code == .deviceRequired)
        }
        // A clinician on the patient's care team opens a care room with the patient; taken off
        // the care team, the clinician is out of the room.
        try await server.connect { x in
            try await x.request(ClientRequest(id: 0, type: .resume, token: admin.token))
            try await x.request(ClientRequest(id: 0, type: .careTeamAdd, patientID: pia.userID, clinicianID: ann.userID))
        }
        let careRoom = try await server.connect { a in
            _ = try await Self.messenger(ann, on: a)
            let care = Self.request(.roomCreate) {
                $0.kind = "care"; $0.name = "Pia's care"; $0.patientID = pia.userID; $0.members = [pia.userID]
            }
            return try await a.request(care).room?.roomID ?? ""
        }
        try await server.connect { x in
            try await x.request(ClientRequest(id: 0, type: .resume, token: admin.token))
            try await x.request(ClientRequest(id: 0, type: .careTeamRemove, patientID: pia.userID, clinicianID: ann.userID))
        }
        try await server.connect { a in
            _ = try await Self.messenger(ann, on: a)
            #expect(try await a.request(ClientRequest(id: 0, type: .roomList)).rooms?.contains { $0.roomID == careRoom } == false)
            #expect(try await a.send(Self.request(.messageHistory, room: careRoom)).code == .notAMember)
            #expect(try await a.send(Self.request(.roomJoin, room: careRoom)).code == .invitationRequired)
        }
        try await server.connect { p in
            _ = try await Self.messenger(pia, on: p)
            #expect(try await p.request(Self.request(.roomMembers, room: careRoom)).roomMembers?.map(\.userID) == [pia.userID])
        }
        await server.stop()
    }

    @Test func aSubjectsExportHoldsTheirDataAndWhoAccessedIt() async throws {
        var limits = ConnectionLimits.unthrottled
        // Small pages, so that the test crosses page boundaries in both paged sections.
        limits.exportItemsPerPage = 40
        let server = try await ServerHarness.start(connectionLimits: limits)
        defer { server.cleanup() }
        let (admin, people) = try await Self.accountsAndAdmin(server, [("dr.ann", "Doctor"), ("pat.pia", "Patient"), ("po.pat", "PrivacyOfficer")])
        let (ann, pia, officer) = (people[0], people[1], people[2])
        try await server.connect { x in
            try await x.request(ClientRequest(id: 0, type: .resume, token: admin.token))
            try await x.request(ClientRequest(id: 0, type: .careTeamAdd, patientID: pia.userID, clinicianID: ann.userID))
        }
        // Pia consents, Ann opens Pia's care room and writes 230 messages (several export pages).
        try await server.connect { p in
            _ = try await Self.messenger(pia, on: p)
            try await p.request(
                Self.request(.consentGrant) {
                    $0.purpose = "messaging"; $0.consentVersion = "1"
                })
        }
        let roomID = try await server.connect { a in
            let messenger = try await Self.messenger(ann, on: a)
            let care = Self.request(.roomCreate) {
                $0.kind = "care"; $0.name = "Pia's care"; $0.patientID = pia.userID; $0.members = [pia.userID]
            }
            let roomID = try await a.request(care).room?.roomID ?? ""
            for n in 0..<230 { try await messenger.send(MessageContent(body: "note \(n) " + String(repeating: "x", count: 300)), to: roomID) }
            return roomID
        }
        func export(_ who: Member, of subject: String?) async throws -> ExportDocument {
            try await server.connect { c in
                try await c.request(ClientRequest(id: 0, type: .resume, token: who.token))
                return try await c.exportSubject(userID: subject)
            }
        }
        // Her own export: her account, consents, care team, room, every message, and who acted on her data.
        let own = try await export(pia, of: nil)
        #expect(own.subjectID == pia.userID && own.account.profile.username == "pat.pia" && own.account.careTeam == [ann.userID])
        #expect(own.account.consents.map(\.purpose) == ["messaging"] && own.account.devices.count == 1 && !own.account.sessions.isEmpty)
        #expect(own.rooms.map(\.room.roomID) == [roomID])
        #expect(own.messages.count == 230 && Set(own.messages.map(\.seq)).count == 230 && own.messages.allSatisfy { $0.senderID == ann.userID })
        #expect(
            own.access.contains {
                $0.event == "careteam.add" && $0.actorID == admin.userID && $0.actorName == "Administrator" && $0.decision == "allow"
                    && !$0.policies.isEmpty
            })
        #expect(own.access.contains { $0.event == "message.send" && $0.actorName == "dr.ann" }, "who wrote in her care room is named")
        #expect(own.access.contains { $0.event == "consent.grant" && $0.actorID == pia.userID })
        // The access section is every entry naming her, whether the subject index had read it
        // or the export read the log's tail (issue 16, item 6): once more after the index has
        // read the whole log, and both agree with a read of the whole log.
        func entriesNaming(_ subject: String, before end: Int) throws -> [Int] {
            try AuditLogReader(directory: server.data.auditLog).entries().filter { $0.event.subjectID == subject && Int($0.seq) < end }.map {
                Int($0.seq)
            }
        }
        let firstExport = try #require(own.access.first { $0.event == "gdpr.export" }?.seq)
        #expect(own.access.map(\.seq).filter { $0 < firstExport } == (try entriesNaming(pia.userID, before: firstExport)))
        let database = try WardDatabase(path: server.data.database)
        let logSize = try AuditLogReader(directory: server.data.auditLog).entries().count
        for _ in 0..<300 where try database.auditSubjectsIndexedUpTo() < Int64(logSize) { try await Task.sleep(for: .milliseconds(100)) }
        #expect(try database.auditSubjectsIndexedUpTo() >= Int64(logSize), "the index reads the log within seconds")
        #expect(
            try database.auditEntries(naming: pia.userID, from: 0, limit: 10_000).seqs.map(Int.init)
                == (try entriesNaming(pia.userID, before: logSize)))
        let again = try await export(pia, of: nil)
        #expect(again.access.map(\.seq).filter { $0 < logSize } == (try entriesNaming(pia.userID, before: logSize)))
        #expect(again.access.count > own.access.count, "the second export also holds the first export's pages")
        // The document is what docs/export.schema.json says.
        let schemaURL = Repository.root.appendingPathComponent("docs/export.schema.json")
        let schema = try JSONSerialization.jsonObject(with: Data(contentsOf: schemaURL)) as? [String: Any] ?? [:]
        let document = try JSONSerialization.jsonObject(with: JSONEncoder().encode(own))
        let problems = SchemaCheck(schema: schema).problems(document)
        #expect(problems.isEmpty, "\(problems.prefix(10))")
        var tampered = document as? [String: Any] ?? [:]
        tampered["format"] = "other"
        tampered["extra"] = 1
        tampered["messages"] = [["seq": "one"]]
        #expect(SchemaCheck(schema: schema).problems(tampered).count >= 4, "the check itself finds mistakes")
        // The privacy officer exports it too; a clinician may not.
        let byOfficer = try await export(officer, of: pia.userID)
        #expect(byOfficer.messages.count == 230 && byOfficer.account.profile.userID == pia.userID)
        let refused = try await server.connect { c in
            try await c.request(ClientRequest(id: 0, type: .resume, token: ann.token))
            return try await c.send(
                Self.request(.gdprExport) {
                    $0.userID = pia.userID; $0.section = "account"
                })
        }
        #expect(refused.code == .denied)
        // Bad input: an unknown section, a negative cursor.
        try await server.connect { c in
            try await c.request(ClientRequest(id: 0, type: .resume, token: pia.token))
            #expect(try await c.send(Self.request(.gdprExport) { $0.section = "everything" }).code == .badRequest)
            #expect(
                try await c.send(
                    Self.request(.gdprExport) {
                        $0.section = "messages"; $0.after = -1
                    }
                ).code == .badRequest)
        }
        // Every page was decided and audited before anything was read.
        // (Refusals before a decision, such as a malformed section, are audited apart: `refused`.)
        let pages = try AuditLogReader(directory: server.data.auditLog).entries().filter {
            $0.event.type == "gdpr.export" && $0.event.decision != .none
        }
        #expect(pages.count >= 2 * 12 && pages.allSatisfy { $0.event.subjectID == pia.userID && $0.event.details["section"] != nil })
        await server.stop()
    }

    @Test func peopleAreFoundByExactUsernameAsThePoliciesAllow() async throws {
        let server = try await ServerHarness.start()
        defer { server.cleanup() }
        let (admin, people) = try await Self.accountsAndAdmin(
            server, [("dr.ann", "Doctor"), ("clerk.cy", "Other"), ("pat.pia", "Patient"), ("dr.bo", "Doctor")])
        let (ann, cy, pia, bo) = (people[0], people[1], people[2], people[3])
        try await server.connect { x in
            try await x.request(ClientRequest(id: 0, type: .resume, token: admin.token))
            try await x.request(ClientRequest(id: 0, type: .careTeamAdd, patientID: pia.userID, clinicianID: ann.userID))
        }
        func find(_ who: Member, _ username: String) async throws -> ServerReply {
            try await server.connect { c in
                try await c.request(ClientRequest(id: 0, type: .resume, token: who.token))
                return try await c.send(ClientRequest(id: 0, type: .userFind, username: username))
            }
        }
        // Staff find anyone; the answer is the account's id, name and role, and nothing else.
        let found = try await find(ann, "pat.pia")
        #expect(found.users?.map(\.userID) == [pia.userID] && found.users?.first?.role == "Patient")
        // A patient finds their care team, and no one else; Other staff find no patients.
        #expect(try await find(pia, "dr.ann").users?.first?.userID == ann.userID)
        let outsider = try await find(pia, "dr.bo")
        #expect(outsider.code == .denied && outsider.policies == [])
        #expect(try await find(pia, "clerk.cy").code == .denied)
        let clerk = try await find(cy, "pat.pia")
        #expect(clerk.code == .denied && clerk.policies == ["other-staff-do-not-find-patients"])
        #expect(try await find(cy, "dr.bo").users?.first?.userID == bo.userID)
        // Exact names only: no prefix search, no listing.
        #expect(try await find(ann, "pat").code == .notFound)
        #expect(try await find(ann, "").code == .notFound)
        // Each lookup is audited with ids only.
        let entries = try AuditLogReader(directory: server.data.auditLog).entries().filter { $0.event.type == "user.find" }
        let decided = entries.filter { $0.event.decision != .none }
        #expect(decided.count == 6 && decided.allSatisfy { $0.event.objectID.hasPrefix("user:") && $0.event.details.isEmpty })
        // The look-ups that found nobody are audited too, as refusals naming no one.
        #expect(entries.filter { $0.event.details["refused"] == "not_found" }.allSatisfy { $0.event.objectID == "ward" })
        await server.stop()
    }

    @Test func careRoomMessagesFollowThePatientsConsentFromTheNextRequest() async throws {
        let server = try await ServerHarness.start()
        defer { server.cleanup() }
        let (admin, people) = try await Self.accountsAndAdmin(server, [("dr.ann", "Doctor"), ("pat.pia", "Patient")])
        let (ann, pia) = (people[0], people[1])
        try await server.connect { x in
            try await x.request(ClientRequest(id: 0, type: .resume, token: admin.token))
            try await x.request(ClientRequest(id: 0, type: .careTeamAdd, patientID: pia.userID, clinicianID: ann.userID))
        }
        try await server.connect { a in
            try await server.connect { p in
                let annM = try await Self.messenger(ann, on: a)
                let piaM = try await Self.messenger(pia, on: p)
                let care = Self.request(.roomCreate) {
                    $0.kind = "care"; $0.name = "Pia and Dr Ann"; $0.patientID = pia.userID; $0.members = [pia.userID]
                }
                let roomID = try await a.request(care).room?.roomID ?? ""
                // No consent to messaging yet: the policy refuses, naming itself.
                do {
                    try await piaM.send(MessageContent(body: "hello doctor"), to: roomID)
                    Issue.record("sent without consent")
                } catch let WardClientError.server(code, _, policies) {
                    #expect(code == .denied && policies == ["care-messaging-needs-consent"])
                }
                // Wrong version or unknown purpose: a clear error.
                #expect(
                    try await p.send(
                        Self.request(.consentGrant) {
                            $0.purpose = "messaging"; $0.consentVersion = "0"
                        }
                    ).code == .badRequest)
                #expect(
                    try await p.send(
                        Self.request(.consentGrant) {
                            $0.purpose = "marketing"; $0.consentVersion = "1"
                        }
                    ).code == .badRequest)
                let granted = try await p.request(
                    Self.request(.consentGrant) {
                        $0.purpose = "messaging"; $0.consentVersion = "1"
                    })
                #expect(granted.consents?.map(\.purpose) == ["messaging"] && granted.consents?.first?.withdrawnAt == nil)
                try await piaM.send(MessageContent(body: "hello doctor"), to: roomID)
                #expect(try await Self.receive(1, on: annM) == ["hello doctor"])
                try await annM.send(MessageContent(body: "hello Pia"), to: roomID)
                #expect(try await Self.receive(1, on: piaM) == ["hello Pia"])
                // Withdrawn: the very next message is refused, for the doctor too.
                let withdrawn = try await p.request(Self.request(.consentWithdraw) { $0.purpose = "messaging" })
                #expect(withdrawn.consents?.first?.withdrawnAt != nil)
                await #expect(throws: WardClientError.self) { try await annM.send(MessageContent(body: "still there?"), to: roomID) }
                #expect(try await p.send(Self.request(.consentWithdraw) { $0.purpose = "messaging" }).code == .notFound)
                #expect(try await p.request(ClientRequest(id: 0, type: .consentList)).consents?.count == 1)
            }
        }
        await server.stop()
        let entries = try AuditLogReader(directory: server.data.auditLog).entries()
        #expect(entries.contains { $0.event.type == "consent.grant" && $0.event.actorID == pia.userID && $0.event.details["purpose"] == "messaging" })
        #expect(entries.contains { $0.event.type == "consent.withdraw" && $0.event.actorID == pia.userID })
        #expect(
            entries.contains {
                $0.event.type == "message.send" && $0.event.decision == .deny && $0.event.policyIDs == ["care-messaging-needs-consent"]
            })
    }

    /// True when no message event reaches the connection within `time`.
    static func noMessage(on connection: WardConnection, within time: Duration) async -> Bool {
        let watching = Task { () -> Bool in
            while true {
                if case .message = try await connection.nextEvent() { return false }
            }
        }
        try? await Task.sleep(for: time)
        watching.cancel()
        return (try? await watching.value) ?? true
    }

    @Test func aConnectionWhoseSessionEndedGetsNoMoreMessages() async throws {
        // Sessions are timed in whole seconds, so a 4 s limit ends a session idle for 3–4 s: room
        // enough for the three sign-ins (Argon2id each, slow on a loaded CI runner) before Ann's
        // token is first used, which a 2 s limit was not.
        let server = try await ServerHarness.start(idleSeconds: 4)
        defer { server.cleanup() }
        let (admin, people) = try await Self.accountsAndAdmin(server, [("dr.ann", "Doctor"), ("nurse.bo", "Nurse"), ("nurse.cy", "Nurse")])
        let (ann, bo, cy) = (people[0], people[1], people[2])
        try await server.connect { a in
            try await server.connect { b in
                try await server.connect { c in
                    let annM = try await Self.messenger(ann, on: a)
                    let boM = try await Self.messenger(bo, on: b)
                    let cyM = try await Self.messenger(cy, on: c)
                    let roomID =
                        try await a.request(
                            Self.request(.roomCreate) {
                                $0.kind = "staff"; $0.name = "Late"; $0.members = [bo.userID, cy.userID]
                            }
                        ).room?.roomID ?? ""
                    try await annM.send(MessageContent(body: "first"), to: roomID)
                    #expect(try await Self.receive(1, on: boM) == ["first"])
                    #expect(try await Self.receive(1, on: cyM) == ["first"])
                    // Cy's account is disabled while connected: nothing more reaches Cy.
                    try await server.connect { x in
                        try await x.request(ClientRequest(id: 0, type: .resume, token: admin.token))
                        try await x.request(ClientRequest(id: 0, type: .userDisable, userID: cy.userID))
                    }
                    // Bo stays connected but idle past the limit (4 s); Ann keeps her session alive.
                    for _ in 0..<5 {
                        try await Task.sleep(for: .milliseconds(900))
                        _ = try await a.request(ClientRequest(id: 0, type: .whoami))
                    }
                    try await annM.send(MessageContent(body: "after Bo's session ended"), to: roomID)
                    #expect(await Self.noMessage(on: b, within: .milliseconds(500)), "an ended session's connection got a message")
                    #expect(await Self.noMessage(on: c, within: .milliseconds(100)), "a disabled account's connection got a message")
                    #expect(try await b.send(ClientRequest(id: 0, type: .whoami)).code == .sessionExpired)
                    #expect(try await c.send(ClientRequest(id: 0, type: .whoami)).code == .sessionExpired)
                }
            }
        }
        await server.stop()
    }

    @Test func badConversationInputGetsClearErrors() async throws {
        let server = try await ServerHarness.start()
        defer { server.cleanup() }
        let people = try await Self.accounts(server, [("dr.ann", "Doctor"), ("nurse.bo", "Nurse")])
        let (ann, bo) = (people[0], people[1])
        try await server.connect { a in
            try await a.request(ClientRequest(id: 0, type: .resume, token: ann.token))
            // Device keys for another account, or with a broken signature.
            var register = ClientRequest(id: 0, type: .deviceRegister)
            register.device = ann.identity.publicKeys(userID: bo.userID)
            #expect(try await a.send(register).code == .badRequest)
            var forged = ann.identity.publicKeys(userID: ann.userID)
            forged.signature = Base64.encode(SecureRandom.bytes(64))
            register.device = forged
            #expect(try await a.send(register).code == .badRequest)
            #expect(try await a.send(ClientRequest(id: 0, type: .deviceRegister)).code == .badRequest)
            // A field missing inside another is named by its path.
            try await a.sendRaw(
                #"{"id": 31, "type": "message.send", "roomID": "room:x", "clientMessageID": "m1", "envelope": {"suite": "s", "keyID": "k", "iteration": 0}}"#
            )
            #expect(try await a.receiveReply().message == "envelope.nonce is required")
            let annM = try await Self.messenger(ann, on: a)
            // The same device id cannot be taken by another account.
            try await server.connect { b in
                try await b.request(ClientRequest(id: 0, type: .resume, token: bo.token))
                var stolen = ClientRequest(id: 0, type: .deviceRegister)
                stolen.device = ann.identity.publicKeys(userID: ann.userID)
                #expect(try await b.send(stolen).code == .badRequest)
            }
            let roomID =
                try await a.request(
                    Self.request(.roomCreate) {
                        $0.kind = "staff"; $0.name = "Checks"; $0.members = [bo.userID]
                    }
                ).room?.roomID ?? ""
            let sent = try await annM.send(MessageContent(body: "ok"), to: roomID)
            let cases: [(ClientRequest, ErrorCode)] = [
                (
                    Self.request(.messageSend, room: roomID) {
                        $0.clientMessageID = "has space"; $0.envelope = sent.envelope
                    }, .badRequest
                ),
                (
                    Self.request(.messageSend, room: roomID) {
                        $0.clientMessageID = String(repeating: "x", count: 65); $0.envelope = sent.envelope
                    }, .badRequest
                ),
                (Self.request(.messageSend, room: roomID) { $0.clientMessageID = "no-envelope" }, .badRequest),
                (
                    Self.request(.messageSend, room: "room:none") {
                        $0.clientMessageID = "x"; $0.envelope = sent.envelope
                    }, .notFound
                ),
                (Self.request(.messageHistory, room: roomID) { $0.limit = 0 }, .badRequest),
                (Self.request(.messageHistory, room: roomID) { $0.limit = 201 }, .badRequest),
                (
                    Self.request(.messageHistory, room: roomID) {
                        $0.after = 1; $0.before = 3
                    }, .badRequest
                ),
                (Self.request(.messageHistory), .badRequest),
                (
                    Self.request(.receipt, room: roomID) {
                        $0.kind = "seen"; $0.seq = 1
                    }, .badRequest
                ),
                (
                    Self.request(.receipt, room: roomID) {
                        $0.kind = "read"; $0.seq = -1
                    }, .badRequest
                ),
                (Self.request(.presenceSet) { $0.status = "invisible" }, .badRequest),
                (
                    Self.request(.keysDistribute, room: roomID) {
                        $0.keyID = "short"; $0.suite = CipherSuite.senderKeysV1; $0.keys = []
                    }, .badRequest
                ),
                (
                    Self.request(.keysDistribute, room: roomID) {
                        $0.keyID = SenderKeyShare.makeKeyID(); $0.suite = CipherSuite.senderKeysV1
                        $0.keys = [SealedKey(deviceID: "dev-1", sealed: "AA=="), SealedKey(deviceID: "dev-1", sealed: "AA==")]
                    }, .badRequest
                ),
                (
                    Self.request(.keysDistribute, room: roomID) {
                        $0.keyID = SenderKeyShare.makeKeyID(); $0.suite = CipherSuite.senderKeysV1
                        $0.keys = [SealedKey(deviceID: "dev-1", sealed: Base64.encode(SecureRandom.bytes(2000)))]
                    }, .badRequest
                ),
                (Self.request(.roomInvite, room: roomID) { $0.userID = "user:nobody" }, .notFound),
                (Self.request(.roomJoin, room: "room:none"), .notFound),
                (Self.request(.roomJoin, room: roomID), .invitationRequired),
                (
                    Self.request(.roomCreate) {
                        $0.kind = "staff"; $0.name = "Direct"; $0.direct = true
                    }, .badRequest
                ),
                (
                    Self.request(.roomCreate) {
                        $0.kind = "care"; $0.name = "No patient"
                    }, .badRequest
                ),
                (Self.request(.consentGrant) { $0.purpose = "messaging" }, .badRequest)
            ]
            for (request, code) in cases {
                let reply = try await a.send(request)
                #expect(reply.code == code, "\(request.type): \(reply.code?.rawValue ?? reply.type.rawValue)")
            }
            // And the connection is still fine.
            #expect(try await a.request(ClientRequest(id: 0, type: .ping)).type == .pong)
        }
        await server.stop()
    }
}

/// A check of a JSON document against the parts of JSON Schema that docs/export.schema.json uses:
/// `$ref` to `$defs`, `type`, `const`, `enum`, `required`, `properties`, `additionalProperties`
/// (false or a schema) and `items`.
struct SchemaCheck {
    let schema: [String: Any]

    func problems(_ value: Any, against node: [String: Any]? = nil, at path: String = "$") -> [String] {
        var node = node ?? schema
        if let reference = node["$ref"] as? String, reference.hasPrefix("#/$defs/") {
            node = ((schema["$defs"] as? [String: Any])?[String(reference.dropFirst(8))] as? [String: Any]) ?? [:]
        }
        var found: [String] = []
        if let constant = node["const"] as? String, value as? String != constant { found.append("\(path): not \(constant)") }
        if let choices = node["enum"] as? [String], !(value is String && choices.contains(value as? String ?? "")) {
            found.append("\(path): \(value) not one of \(choices)")
        }
        switch node["type"] as? String {
        case "integer": if !(value is NSNumber) || "\(value)".contains(".") { found.append("\(path): not an integer") }
        case "string": if !(value is String) { found.append("\(path): not a string") }
        case "boolean": if !(value is NSNumber) { found.append("\(path): not a boolean") }
        case "array":
            guard let items = value as? [Any] else { return found + ["\(path): not an array"] }
            for (index, item) in items.enumerated() {
                found += problems(item, against: node["items"] as? [String: Any] ?? [:], at: "\(path)[\(index)]")
            }
        case "object":
            guard let object = value as? [String: Any] else { return found + ["\(path): not an object"] }
            for key in node["required"] as? [String] ?? [] where object[key] == nil { found.append("\(path): \(key) is missing") }
            let properties = node["properties"] as? [String: Any] ?? [:]
            for (key, member) in object {
                if let property = properties[key] as? [String: Any] {
                    found += problems(member, against: property, at: "\(path).\(key)")
                } else if let additional = node["additionalProperties"] as? [String: Any] {
                    found += problems(member, against: additional, at: "\(path).\(key)")
                } else if node["additionalProperties"] as? Bool == false {
                    found.append("\(path): \(key) is not in the schema")
                }
            }
        default: break
        }
        return found
    }
}
