import Foundation
import Testing
import WardAudit
import WardClient
import WardE2EE
import WardProtocol
import WardCrypto
import WardServer
import WardPersonalData
import WardStore
import WardTestSupport

/// GDPR Art. 17 against a real server: requests, legal holds, the erasure and its receipt, and
/// what is left on disk afterwards.
@Suite("Erasure", .serialized)
struct ErasureTests {
    typealias Member = ConversationTests.Member

    @discardableResult
    static func signedIn<T: Sendable>(_ server: ServerHarness, _ member: Member, _ body: @escaping @Sendable (WardConnection) async throws -> T)
        async throws -> T
    {
        try await server.connect { c in
            try await c.request(ClientRequest(id: 0, type: .resume, token: member.token))
            return try await body(c)
        }
    }

    /// Every file of the data directory: the database, its WAL, the audit log and its texts, the keys.
    static func files(under directory: String) -> [String] {
        let enumerator = FileManager.default.enumerator(atPath: directory)
        var files: [String] = []
        while let next = enumerator?.nextObject() as? String {
            var isDirectory: ObjCBool = false
            let path = directory + "/" + next
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue { files.append(path) }
        }
        return files
    }

    static func occurrences(of texts: [String], under directory: String) -> [String] {
        var found: [String] = []
        for file in files(under: directory) {
            let bytes = (try? Data(contentsOf: URL(fileURLWithPath: file))) ?? Data()
            for text in texts where bytes.range(of: Data(text.utf8)) != nil { found.append("\(file): \(text)") }
        }
        return found
    }

    @Test func anErasureRemovesThePersonKeepsWhatIsHeldAndLeavesNoTrace() async throws {
        let limits = ConnectionLimits.unthrottled
        let server = try await ServerHarness.start(connectionLimits: limits)
        defer { server.cleanup() }
        let (admin, people) = try await ConversationTests.accountsAndAdmin(
            server, [("dr.ann", "Doctor"), ("zebulon.quillfeather", "Patient"), ("po.pat", "PrivacyOfficer"), ("pat.bo", "Patient")])
        let (ann, zeb, officer, bo) = (people[0], people[1], people[2], people[3])
        try await Self.signedIn(server, admin) { x in
            for patient in [zeb, bo] {
                try await x.request(ClientRequest(id: 0, type: .careTeamAdd, patientID: patient.userID, clinicianID: ann.userID))
            }
        }
        for patient in [zeb, bo] {
            try await Self.signedIn(server, patient) { p in
                try await p.request(
                    ConversationTests.request(.consentGrant) {
                        $0.purpose = "messaging"; $0.consentVersion = "1"
                    })
            }
        }
        // Ann opens two care rooms with Zebulon (one will be under a legal hold) and one with Bo.
        let (careRoom, heldRoom, boRoom) = try await server.connect { a in
            _ = try await ConversationTests.messenger(ann, on: a)
            func care(_ patient: Member, _ name: String) async throws -> String {
                try await a.request(
                    ConversationTests.request(.roomCreate) {
                        $0.kind = "care"; $0.name = name; $0.patientID = patient.userID; $0.members = [patient.userID]
                    }
                ).room?.roomID ?? ""
            }
            return (try await care(zeb, "Care of zebulon.quillfeather"), try await care(zeb, "Follow-up"), try await care(bo, "Bo's care"))
        }
        let zebTexts = (0..<30).map { "QUILLTEXT-\($0) my private symptoms" }
        let heldTexts = (0..<5).map { "HELDTEXT-\($0) kept for the court" }
        try await server.connect { p in
            let messenger = try await ConversationTests.messenger(zeb, on: p)
            for text in zebTexts { try await messenger.send(MessageContent(body: text), to: careRoom) }
            for text in heldTexts { try await messenger.send(MessageContent(body: text), to: heldRoom) }
        }
        try await server.connect { a in
            let messenger = try await ConversationTests.messenger(ann, on: a)
            try await messenger.send(MessageContent(body: "ANNTEXT reply"), to: careRoom)
            try await messenger.send(MessageContent(body: "ANNTEXT to Bo"), to: boRoom)
        }

        // Zebulon asks; the request is due a month later and waits for the privacy officer.
        let filed = try await Self.signedIn(server, zeb) { (p: WardConnection) async throws in
            let empty = ConversationTests.request(.gdprEraseRequest) { $0.note = "" }
            #expect(try await p.send(empty).code == .badRequest)
            let noted = ConversationTests.request(.gdprEraseRequest) { $0.note = "QUILLNOTE: also my photos, please" }
            return try await p.request(noted).erasureRequests?.first
        }
        let request = try #require(filed)
        #expect(request.userID == zeb.userID && request.requestedBy == zeb.userID && request.status == "open" && !request.overdue)
        #expect((28 * 86_400...31 * 86_400).contains(request.dueAt - request.requestedAt))
        let again = try await Self.signedIn(server, zeb) { p in try await p.request(ClientRequest(id: 0, type: .gdprEraseRequest)).erasureRequests }
        #expect(again?.map(\.requestID) == [request.requestID], "one pending request per person")

        try await Self.signedIn(server, officer) { o in
            let listed = try await o.request(ClientRequest(id: 0, type: .gdprRequests)).erasureRequests
            #expect(listed?.map(\.userID) == [zeb.userID] && listed?.first?.note == "QUILLNOTE: also my photos, please")
            // A hold on the conversation keeps its messages; a hold on the person stops the erasure.
            try await o.request(
                ConversationTests.request(.gdprHoldPlace) {
                    $0.roomID = heldRoom; $0.reference = "case 2026-114"
                })
            let personal = try await o.request(
                ConversationTests.request(.gdprHoldPlace) {
                    $0.userID = zeb.userID; $0.reference = "case 2026-115"
                })
            let personHold = try #require(personal.legalHolds?.first { $0.userID == zeb.userID })
            let refused = try await o.send(ClientRequest(id: 0, type: .gdprErase, userID: zeb.userID))
            #expect(refused.code == .legalHold && refused.message?.contains("\(personHold.holdID)") == true)
            try await o.request(ConversationTests.request(.gdprHoldRelease) { $0.holdID = personHold.holdID })
            // Bad input gets clear errors.
            #expect(try await o.send(ClientRequest(id: 0, type: .gdprErase)).code == .badRequest)
            #expect(try await o.send(ClientRequest(id: 0, type: .gdprErase, userID: officer.userID)).code == .badRequest)
            #expect(try await o.send(ClientRequest(id: 0, type: .gdprErase, userID: "user:nobody")).code == .notFound)
            #expect(try await o.send(ConversationTests.request(.gdprHoldRelease) { $0.holdID = 999 }).code == .notFound)
            #expect(try await o.send(ConversationTests.request(.gdprHoldPlace) { $0.reference = "x" }).code == .badRequest)
            #expect(
                try await o.send(
                    ConversationTests.request(.gdprHoldPlace) {
                        $0.userID = bo.userID; $0.roomID = boRoom; $0.reference = "x"
                    }
                ).code == .badRequest)
            #expect(
                try await o.send(
                    ConversationTests.request(.gdprHoldPlace) {
                        $0.roomID = boRoom; $0.reference = ""
                    }
                ).code == .badRequest)
        }
        // Nobody else executes erasures or lists requests.
        try await Self.signedIn(server, ann) { (a: WardConnection) async throws in
            #expect(try await a.send(ClientRequest(id: 0, type: .gdprErase, userID: zeb.userID)).code == .denied)
            #expect(try await a.send(ClientRequest(id: 0, type: .gdprRequests)).code == .denied)
            #expect(try await a.send(ClientRequest(id: 0, type: .gdprEraseRequest, userID: zeb.userID)).code == .denied)
        }
        try await Self.signedIn(server, zeb) { (p: WardConnection) async throws in
            #expect(try await p.send(ClientRequest(id: 0, type: .gdprErase, userID: bo.userID)).code == .denied)
        }

        let receipt = try #require(
            try await Self.signedIn(server, officer) { o in
                try await o.request(ClientRequest(id: 0, type: .gdprErase, userID: zeb.userID)).erasureReceipt
            })
        func item(_ table: String, _ action: String) -> ErasureItem? { receipt.items.first { $0.table == table && $0.action == action } }
        #expect(receipt.subjectID == zeb.userID && receipt.requestID == request.requestID && receipt.executedBy == officer.userID)
        #expect(item("message", "crypto-shredded")?.count == 30)
        #expect(item("message", "kept")?.count == 5 && item("message", "kept")?.legalBasis?.contains("legal hold") == true)
        #expect(item("user", "pseudonymised")?.count == 1 && item("user", "pseudonymised")?.legalBasis?.contains("HIPAA") == true)
        #expect(item("consent", "kept")?.count == 1 && item("device", "deleted")?.count == 1 && item("roomMember", "deleted")?.count == 2)
        #expect(item("careTeamMember", "deleted")?.count == 1 && item("session", "deleted")?.count ?? 0 >= 1)
        #expect(receipt.keysDestroyed == 1, "one key per conversation written in; the held one stays")
        // The receipt does what the registry says, kind by kind (what is kept is kept by a hold or the registry).
        let actions: [PersonalData.Erasure: String] = [
            .delete: "deleted", .cryptoShred: "crypto-shredded", .pseudonymise: "pseudonymised", .keep: "kept"
        ]
        for item in receipt.items where item.action != "kept" {
            #expect(
                PersonalData.kinds.first { $0.table == item.table }.flatMap { actions[$0.erasure] } == item.action, "\(item.table): \(item.action)")
        }
        #expect(receipt.items.filter { $0.action == "kept" }.allSatisfy { $0.legalBasis?.isEmpty == false }, "every kept item says why")
        #expect(receipt.auditTombstones == 1, "the note's text is erased from the audit log's store, with a tombstone")

        // Zebulon is gone: no session, no sign-in, not to be found; the request is done.
        try await server.connect { (p: WardConnection) async throws in
            #expect(try await p.send(ClientRequest(id: 0, type: .resume, token: zeb.token)).code == .sessionExpired)
            #expect(
                try await p.send(ClientRequest(id: 0, type: .login, username: "zebulon.quillfeather", password: ConversationTests.password)).code
                    == .invalidCredentials)
        }
        try await Self.signedIn(server, officer) { o in
            #expect(try await o.send(ClientRequest(id: 0, type: .userFind, username: "zebulon.quillfeather")).code == .notFound)
            #expect(try await o.request(ClientRequest(id: 0, type: .gdprRequests)).erasureRequests?.isEmpty == true)
            let everyRequest = ConversationTests.request(.gdprRequests) { $0.kind = "all" }
            let all = try await o.request(everyRequest).erasureRequests
            #expect(all?.first?.status == "done" && all?.first?.completedAt != nil)
        }
        // The care relationship ended with the erasure: Ann no longer reads Zebulon's rooms (the
        // renamed room shows in her list until she leaves it); Bo's room is untouched.
        try await server.connect { a in
            _ = try await ConversationTests.messenger(ann, on: a)
            #expect(try await a.send(ConversationTests.request(.messageHistory, room: careRoom)).code == .denied)
            #expect(try await a.request(ConversationTests.request(.messageHistory, room: boRoom)).messages?.count == 1)
            let rooms = try await a.request(ClientRequest(id: 0, type: .roomList)).rooms ?? []
            #expect(rooms.first { $0.roomID == careRoom }?.name == "Care conversation (name erased)")
            #expect(rooms.first { $0.roomID == boRoom }?.name == "Bo's care")
        }
        // What the hold keeps stays available to the privacy officer: the held messages, under the pseudonymised account.
        let remaining = try await Self.signedIn(server, officer) { o in try await o.exportSubject(userID: zeb.userID) }
        #expect(remaining.messages.count == 5 && remaining.messages.allSatisfy { $0.roomID == heldRoom })
        #expect(remaining.account.profile.displayName == "Erased account" && remaining.account.devices.isEmpty && remaining.rooms.isEmpty)

        // Nothing on disk names Zebulon or holds what they wrote, while the server runs and after it stops.
        let traces = ["zebulon.quillfeather", "zebulon", "QUILLTEXT", "HELDTEXT", "QUILLNOTE"]
        #expect(Self.occurrences(of: traces, under: server.data.path).isEmpty, "\(Self.occurrences(of: traces, under: server.data.path))")
        await server.stop()
        #expect(Self.occurrences(of: traces, under: server.data.path).isEmpty, "\(Self.occurrences(of: traces, under: server.data.path))")
        #expect(
            Self.occurrences(of: ["ANNTEXT", "Bo's care"], under: server.data.path) == [server.data.database + ": Bo's care"],
            "the check finds what is there: Bo's room name (message texts are never stored in clear)")

        // The audit log still verifies; the decision and the receipt's hash are in it, naming ids only.
        let key = try NoteVerifier(vkey: String(contentsOfFile: server.data.auditVerifierKey, encoding: .utf8))
        #expect(try LogVerifier(key: key).verify(directory: server.data.auditLog).isValid)
        let entries = try AuditLogReader(directory: server.data.auditLog).entries()
        #expect(entries.contains { $0.event.type == "gdpr.erase" && $0.event.decision == .allow && $0.event.subjectID == zeb.userID })
        #expect(entries.contains { $0.event.type == "gdpr.erase" && $0.event.outcome == .minorFailure && $0.event.details["reason"] == "legal-hold" })
        #expect(entries.contains { $0.event.type == "gdpr.erase.receipt" && $0.event.details["receipt-sha256"]?.count == 64 })
        let note = try #require(entries.first { $0.event.type == "gdpr.erase.request.note" }?.event.commitments.first)
        #expect(entries.contains { $0.event.type == "audit.erase" && $0.event.commitments == [note] && $0.event.subjectID == zeb.userID })
    }

    @Test func theRetentionJobRemovesWhatExpiredExceptWhatIsHeldAndSaysSoInTheLog() async throws {
        var retention = RetentionPeriods()
        retention.messageDays = 0 // every message from an earlier second has expired
        let server = try await ServerHarness.start(retention: retention)
        defer { server.cleanup() }
        let (_, people) = try await ConversationTests.accountsAndAdmin(
            server, [("dr.ann", "Doctor"), ("dr.bo", "Doctor"), ("po.pat", "PrivacyOfficer")])
        let (ann, bo, officer) = (people[0], people[1], people[2])
        let (kept, held, sent) = try await server.connect { a in
            let messenger = try await ConversationTests.messenger(ann, on: a)
            func room(_ name: String) async throws -> String {
                try await a.request(
                    ConversationTests.request(.roomCreate) {
                        $0.kind = "staff"; $0.name = name; $0.members = [bo.userID]
                    }
                ).room?.roomID ?? ""
            }
            let (kept, held) = (try await room("Rota"), try await room("Incident 12"))
            var sent: [String] = []
            for n in 0..<3 {
                sent.append(try await messenger.send(MessageContent(body: "rota \(n)"), to: kept).messageID)
                _ = try await messenger.send(MessageContent(body: "incident \(n)"), to: held)
            }
            return (kept, held, sent)
        }
        try await Task.sleep(for: .milliseconds(1100))
        let receipt = try #require(
            try await Self.signedIn(server, officer) { o in
                try await o.request(
                    ConversationTests.request(.gdprHoldPlace) {
                        $0.roomID = held; $0.reference = "incident 12"
                    })
                return try await o.request(ClientRequest(id: 0, type: .gdprPurge)).purgeReceipt
            })
        let messages = try #require(receipt.items.first { $0.table == "message" })
        #expect(messages.purged == 3 && receipt.remaining == 0)
        #expect(messages.sha256 == Hex.encode(SHA256Hash.digest(Array(sent.sorted().map { $0 + "\n" }.joined().utf8))), "the hash of what went")
        #expect(receipt.items.map(\.table) == ["session", "message", "consent", "erasureRequest", "legalHold", "notification"])
        try await server.connect { a in
            _ = try await ConversationTests.messenger(ann, on: a)
            #expect(try await a.request(ConversationTests.request(.messageHistory, room: kept)).messages?.isEmpty == true)
            #expect(
                try await a.request(ConversationTests.request(.messageHistory, room: held)).messages?.count == 3, "the held room keeps its messages")
        }
        // Nobody but the privacy officer runs it.
        try await Self.signedIn(server, ann) { (a: WardConnection) async throws in
            #expect(try await a.send(ClientRequest(id: 0, type: .gdprPurge)).code == .denied)
        }
        await server.stop()
        let purges = try AuditLogReader(directory: server.data.auditLog).entries().filter { $0.event.type == "retention.purge" }
        #expect(purges.first?.event.actorID == "system:retention", "the job runs by itself when the server starts")
        #expect(
            purges.contains {
                $0.event.actorID == officer.userID && $0.event.details["message"] == "3"
                    && $0.event.details["message-sha256"] == messages.sha256 && $0.event.details["remaining"] == "0" && $0.event.outcome == .success
            })
    }
}
