import Foundation
import Logging
import NIOSSL
import Testing
import SwiftASN1
import X509
import WardAudit
import WardClient
import WardProtocol
import WardServer
import WardStore
import WardTestSupport

/// Who gets into a room, how long a session lasts after its password changes, and that every
/// refusal of a signed-in request is audited (issue 16, items 4, 5 and 7).
@Suite("Access hardening", .serialized)
struct AccessHardeningTests {
    typealias Member = ConversationTests.Member

    static func request(_ type: RequestType, room: String? = nil, _ configure: (inout ClientRequest) -> Void = { _ in }) -> ClientRequest {
        ConversationTests.request(type, room: room, configure)
    }

    /// Knowing a room's id is not a way in: joining needs an invitation unless the owner opened
    /// the room; direct conversations are never joined; a removal lasts; only the owner (or an
    /// Admin, in staff rooms) removes others.
    @Test func roomsAreJoinedByInvitationAndRemovalsLast() async throws {
        let server = try await ServerHarness.start(connectionLimits: .unthrottled)
        defer { server.cleanup() }
        let (admin, people) = try await ConversationTests.accountsAndAdmin(
            server, [("dr.ann", "Doctor"), ("nurse.bo", "Nurse"), ("desk.cy", "Other"), ("dr.dee", "Doctor")])
        let (ann, bo, cy, dee) = (people[0], people[1], people[2], people[3])
        let (doctorsOnly, direct, channel) = try await ErasureTests.signedIn(server, ann) { a -> (String, String, String) in
            let closed = try await a.request(
                Self.request(.roomCreate) {
                    $0.kind = "staff"; $0.name = "Doctors only"; $0.members = [dee.userID]
                })
            let direct = try await a.request(
                Self.request(.roomCreate) {
                    $0.kind = "staff"; $0.direct = true; $0.members = [bo.userID]
                })
            let open = try await a.request(
                Self.request(.roomCreate) {
                    $0.kind = "staff"; $0.name = "Ward 3"; $0.open = true
                })
            #expect(open.room?.open == true && closed.room?.open == nil)
            #expect(
                try await a.send(
                    Self.request(.roomCreate) {
                        $0.kind = "staff"; $0.direct = true; $0.open = true; $0.members = [bo.userID]
                    }
                ).code
                    == .badRequest, "a direct conversation cannot be open")
            return (closed.room?.roomID ?? "", direct.room?.roomID ?? "", open.room?.roomID ?? "")
        }
        // The front desk knows the ids (as from an audit proof) and gets into none but the open channel.
        try await ErasureTests.signedIn(server, cy) { (c: WardConnection) async throws in
            #expect(try await c.send(Self.request(.roomJoin, room: doctorsOnly)).code == .invitationRequired)
            #expect(try await c.send(Self.request(.roomJoin, room: direct)).code == .invitationRequired)
            #expect(try await c.send(Self.request(.messageHistory, room: doctorsOnly)).code == .notAMember)
            #expect(try await c.request(Self.request(.roomJoin, room: channel)).room?.roomID == channel)
        }
        // Nobody is invited into a direct conversation; a member other than the owner removes nobody.
        try await ErasureTests.signedIn(server, bo) { (b: WardConnection) async throws in
            #expect(try await b.send(Self.request(.roomInvite, room: direct) { $0.userID = cy.userID }).code == .invitationRequired)
        }
        try await ErasureTests.signedIn(server, dee) { (d: WardConnection) async throws in
            #expect(try await d.send(Self.request(.roomRemove, room: doctorsOnly) { $0.userID = ann.userID }).code == .notOwner)
        }
        // The owner removes the front desk from the channel: it does not walk back in.
        try await ErasureTests.signedIn(server, ann) { (a: WardConnection) async throws in
            try await a.request(Self.request(.roomRemove, room: channel) { $0.userID = cy.userID })
        }
        try await ErasureTests.signedIn(server, cy) { (c: WardConnection) async throws in
            #expect(try await c.send(Self.request(.roomJoin, room: channel)).code == .invitationRequired, "a removal lasts")
        }
        // An Admin removes from a staff room; an invitation lifts a removal.
        try await ErasureTests.signedIn(server, admin) { (x: WardConnection) async throws in
            try await x.request(Self.request(.roomJoin, room: channel))
            try await x.request(Self.request(.roomInvite, room: channel) { $0.userID = cy.userID })
            try await x.request(Self.request(.roomRemove, room: channel) { $0.userID = ann.userID })
        }
        await server.stop()
        // The probes are in the audit log, each naming the room refused and the refusal.
        let entries = try AuditLogReader(directory: server.data.auditLog).entries()
        let refusals = entries.filter { $0.event.actorID == cy.userID && $0.event.details["refused"] != nil }
        #expect(
            refusals.contains {
                $0.event.type == "room.join" && $0.event.objectID == doctorsOnly && $0.event.details["refused"] == "invitation_required"
            })
        #expect(
            refusals.contains {
                $0.event.type == "message.history" && $0.event.objectID == doctorsOnly && $0.event.details["refused"] == "not_a_member"
            })
        #expect(entries.contains { $0.event.actorID == dee.userID && $0.event.type == "room.remove" && $0.event.details["refused"] == "not_owner" })
    }

    /// A patient probing another patient's care room is refused before any decision, and every
    /// probe is an audit entry naming the room and the patient whose room it is.
    @Test func probingAnotherPatientsCareRoomIsAudited() async throws {
        let server = try await ServerHarness.start(connectionLimits: .unthrottled)
        defer { server.cleanup() }
        let (admin, people) = try await ConversationTests.accountsAndAdmin(
            server, [("dr.ann", "Doctor"), ("pat.pia", "Patient"), ("pat.max", "Patient")])
        let (ann, pia, max) = (people[0], people[1], people[2])
        try await ErasureTests.signedIn(server, admin) { (x: WardConnection) async throws in
            try await x.request(ClientRequest(id: 0, type: .careTeamAdd, patientID: pia.userID, clinicianID: ann.userID))
        }
        try await ErasureTests.signedIn(server, pia) { (p: WardConnection) async throws in
            try await p.request(
                Self.request(.consentGrant) {
                    $0.purpose = "messaging"; $0.consentVersion = "1"
                })
        }
        let careRoom = try await ErasureTests.signedIn(server, ann) { (a: WardConnection) async throws in
            try await a.request(
                Self.request(.roomCreate) {
                    $0.kind = "care"; $0.name = "Pia's care"; $0.patientID = pia.userID; $0.members = [pia.userID]
                }
            )
            .room?.roomID ?? ""
        }
        let probes: [RequestType] = [
            .messageHistory, .keysGet, .keysFetch, .roomMembers, .messageSend, .receipt, .roomInvite, .roomRemove,
            .roomLeave, .keysDistribute
        ]
        try await ErasureTests.signedIn(server, max) { (m: WardConnection) async throws in
            for type in probes {
                let reply = try await m.send(
                    Self.request(type, room: careRoom) {
                        $0.userID = pia.userID; $0.kind = "read"; $0.seq = 1; $0.keyID = String(repeating: "a", count: 32); $0.suite = "ward-sk-1";
                        $0.keys = []
                    })
                #expect(reply.type == .error, "\(type)")
            }
            // An id the client made up names nothing: refused and audited, without the id.
            #expect(try await m.send(Self.request(.messageHistory, room: "room:JaneDoe")).code == .notFound)
        }
        await server.stop()
        let refused = try AuditLogReader(directory: server.data.auditLog).entries().filter {
            $0.event.actorID == max.userID && $0.event.details["refused"] != nil
        }
        #expect(refused.count >= probes.count + 1, "every probe is an entry: \(refused.map(\.event.type))")
        #expect(
            refused.filter { $0.event.objectID == careRoom && $0.event.subjectID == pia.userID }.count >= 6,
            "the entries name the room and the patient whose room it is")
        #expect(ErasureTests.occurrences(of: ["JaneDoe"], under: server.data.auditLog).isEmpty)
    }

    /// A password change ends every other session of the account; an Admin's reset ends them
    /// all; logout ends every connection of the session.
    @Test func sessionsDoNotOutliveAPasswordChangeOrReset() async throws {
        let server = try await ServerHarness.start(connectionLimits: .unthrottled)
        defer { server.cleanup() }
        let (admin, _) = try await ConversationTests.accountsAndAdmin(server, [])
        let oneTime = try await ErasureTests.signedIn(server, admin) { (x: WardConnection) async throws in
            try await x.request(ClientRequest(id: 0, type: .userCreate, username: "pat.pia", displayName: "Pia", role: "Patient")).password ?? ""
        }
        let first = "the patient's own passphrase", second = "a completely new passphrase"
        func signIn(_ password: String) async throws -> String {
            try await server.connect { c in try await c.login(username: "pat.pia", password: password).token ?? "" }
        }
        // Pia sets her password; then a second session is opened with it (a thief who read it, say).
        let own = try await server.connect { c -> String in
            let token = try await c.login(username: "pat.pia", password: oneTime).token ?? ""
            try await c.changePassword(current: oneTime, new: first)
            return token
        }
        let thief = try await signIn(first)
        // Pia changes her password: her session stays, the thief's ends.
        try await server.connect { (c: WardConnection) async throws in
            try await c.request(ClientRequest(id: 0, type: .resume, token: own))
            try await c.changePassword(current: first, new: second)
            #expect(try await c.send(ClientRequest(id: 0, type: .whoami)).type == .user, "the changing session stays")
        }
        try await server.connect { (c: WardConnection) async throws in
            #expect(try await c.send(ClientRequest(id: 0, type: .resume, token: thief)).code == .sessionExpired)
            #expect(try await c.request(ClientRequest(id: 0, type: .resume, token: own)).type == .session)
        }
        // An Admin's reset ends every session of the account.
        let patientID = try await server.connect { c in try await c.login(username: "pat.pia", password: second).userID }
        try await ErasureTests.signedIn(server, admin) { (x: WardConnection) async throws in
            try await x.request(ClientRequest(id: 0, type: .userResetPassword, userID: patientID))
        }
        try await server.connect { (c: WardConnection) async throws in
            #expect(try await c.send(ClientRequest(id: 0, type: .resume, token: own)).code == .sessionExpired)
        }
        // Logout on one connection: another connection of the same session is told it ended.
        try await server.connect { (first: WardConnection) async throws in
            try await first.request(ClientRequest(id: 0, type: .resume, token: admin.token))
            try await server.connect { (second: WardConnection) async throws in
                try await second.request(ClientRequest(id: 0, type: .resume, token: admin.token))
                try await first.logout()
                #expect(try await second.send(ClientRequest(id: 0, type: .whoami)).code == .sessionExpired)
            }
        }
        await server.stop()
    }

    /// TLS 1.3 only: a client that offers at most TLS 1.2 gets no connection (issue 16, item 10).
    @Test func tls12IsRefused() async throws {
        let server = try await ServerHarness.start()
        defer { server.cleanup() }
        var old = try WardConnection.pinnedTLS(certificatePEM: server.certificatePEM)
        old.minimumTLSVersion = .tlsv12
        old.maximumTLSVersion = .tlsv12
        var logger = Logger(label: "ward.test.client")
        logger.logLevel = .critical
        await #expect(throws: (any Error).self) {
            try await WardConnection.withConnection(url: server.url, tls: old, serverName: "localhost", greet: true, logger: logger) { connection in
                _ = try await connection.send(ClientRequest(id: 0, type: .ping))
            }
        }
        try await server.connect { (connection: WardConnection) async throws in
            #expect(try await connection.send(ClientRequest(id: 0, type: .ping)).type == .pong)
        }
        await server.stop()
    }

    /// The appliance serves a leaf, not a CA, under a CA made for it alone that may name only the
    /// appliance; clients pin that CA (issue 16, item 10).
    @Test func theAppliancePresentsALeafUnderACAThatNamesOnlyIt() async throws {
        let server = try await ServerHarness.start()
        defer { server.cleanup() }
        let ders = try NIOSSLCertificate.fromPEMBytes(Array(server.certificatePEM.utf8)).map { try $0.toDERBytes() }
        let chain = try ders.map { try Certificate(derEncoded: $0) }
        #expect(chain.count == 2)
        let (leaf, ca) = (chain[0], chain[chain.count - 1])
        #expect(try leaf.extensions.basicConstraints == .notCertificateAuthority)
        #expect(try leaf.extensions.keyUsage?.keyCertSign != true)
        #expect(try leaf.extensions.subjectAlternativeNames?.contains(.dnsName("localhost")) == true)
        #expect(leaf.issuer == ca.subject && ca.issuer == ca.subject)
        #expect(try ca.extensions.basicConstraints == .isCertificateAuthority(maxPathLength: 0))
        let constraints = try #require(try ca.extensions.nameConstraints)
        #expect(Array(constraints.permittedDNSDomains) == ["localhost"])
        // What a person confirms on first contact is the CA's fingerprint, as ward-server prints it.
        let caFingerprint = ServerCertificate.fingerprint(der: try #require(ders.last))
        let port = try #require(Int(server.url.split(separator: ":")[2].prefix { $0.isNumber }))
        #expect(try await ServerCertificate.fetch(host: "127.0.0.1", port: port).fingerprint == caFingerprint)
        #expect(try ServerCertificate.fingerprint(pem: server.certificatePEM) == caFingerprint)
        // Pinned, the CA verifies the leaf for the appliance's name; pinning the leaf instead
        // fails (a leaf is no trust anchor).
        var logger = Logger(label: "ward.test.client")
        logger.logLevel = .critical
        let pong = try await WardConnection.withConnection(
            url: server.url, tls: try WardConnection.pinnedTLS(certificatePEM: server.certificatePEM),
            serverName: "localhost", logger: logger
        ) { c in try await c.send(ClientRequest(id: 0, type: .ping)).type }
        #expect(pong == .pong)
        let leafPEM = try #require(server.certificatePEM.components(separatedBy: "-----END CERTIFICATE-----").first) + "-----END CERTIFICATE-----\n"
        await #expect(throws: (any Error).self) {
            try await WardConnection.withConnection(
                url: server.url, tls: try WardConnection.pinnedTLS(certificatePEM: leafPEM),
                serverName: "localhost", logger: logger
            ) { c in try await c.send(ClientRequest(id: 0, type: .ping)).type }
        }
        // The CA's key signed the leaf and was not kept: the data directory holds one private key.
        let keys = try FileManager.default.subpathsOfDirectory(atPath: server.data.path).filter { path in
            (try? String(contentsOfFile: server.data.path + "/" + path, encoding: .utf8))?.contains("PRIVATE KEY") == true
        }
        #expect(keys == ["tls/key.pem"])
        await server.stop()
    }

    /// Log-in monitoring: failed sign-ins by account and by source, bursts flagged; the source
    /// address is kept erasable outside the log (issue 16, item 3).
    @Test func failedSignInsAreReportedByAccountAndSource() async throws {
        var rules = SignInThrottle.Rules()
        (rules.freeFailuresPerAccount, rules.freeFailuresPerSource) = (100, 100)
        let server = try await ServerHarness.start(connectionLimits: .unthrottled, signInThrottle: rules)
        defer { server.cleanup() }
        let (admin, people) = try await ConversationTests.accountsAndAdmin(server, [("pat.pia", "Patient")])
        let pia = people[0]
        try await server.connect { (c: WardConnection) async throws in
            for _ in 0..<11 {
                #expect(try await c.send(ClientRequest(id: 0, type: .login, username: "pat.pia", password: "guess")).code == .invalidCredentials)
            }
            for _ in 0..<2 {
                #expect(try await c.send(ClientRequest(id: 0, type: .login, username: "nobody", password: "guess")).code == .invalidCredentials)
            }
        }
        let report = try await ErasureTests.signedIn(server, admin) { (x: WardConnection) async throws -> SignInReport? in
            try await x.request(Self.request(.securitySignIns)).signInReport
        }
        let accounts = Dictionary(uniqueKeysWithValues: (report?.accounts ?? []).map { ($0.key, $0) })
        #expect(accounts[pia.userID]?.failures == 11 && accounts[pia.userID]?.burst == true)
        #expect(accounts["unknown"]?.failures == 2 && accounts["unknown"]?.burst == false)
        let source = report?.sources.first { $0.key == "127.0.0.1" }
        #expect(source?.failures == 13 && source?.accounts == 2 && source?.burst == true)
        try await ErasureTests.signedIn(server, pia) { (p: WardConnection) async throws in
            #expect(try await p.send(Self.request(.securitySignIns)).code == .denied)
        }
        await server.stop()
        #expect(ErasureTests.occurrences(of: ["127.0.0.1"], under: server.data.auditLog).isEmpty, "the address is only in the erasable store")
    }

    /// A first second factor is bound only by the session that replaced the one-time password,
    /// or with the code an Admin's reset gave, not by whoever next holds the password
    /// (issue 16, item 8).
    @Test func aSecondFactorIsEnrolledOnlyWhereItIsSafe() async throws {
        let server = try await ServerHarness.start(connectionLimits: .unthrottled)
        defer { server.cleanup() }
        let (admin, _) = try await ConversationTests.accountsAndAdmin(server, [])
        let (nurseID, oneTime) = try await ErasureTests.signedIn(server, admin) { (x: WardConnection) async throws -> (String, String) in
            let made = try await x.request(ClientRequest(id: 0, type: .userCreate, username: "nurse.bo", role: "Nurse"))
            return (made.userID ?? "", made.password ?? "")
        }
        let password = "the nurse's own passphrase"
        try await server.connect { (own: WardConnection) async throws in
            _ = try await own.login(username: "nurse.bo", password: oneTime)
            try await own.changePassword(current: oneTime, new: password)
            // Someone else who learnt the new password signs in elsewhere and tries first.
            try await server.connect { (other: WardConnection) async throws in
                _ = try await other.login(username: "nurse.bo", password: password)
                #expect(try await other.send(ClientRequest(id: 0, type: .totpEnroll)).code == .enrolmentCodeRequired)
            }
            let secret = try await own.enrollSecondFactor().secret
            #expect(try await own.confirmSecondFactor(code: ServerHarness.code(secret)).count == 10)
        }
        // The authenticator is lost: the Admin resets it and gets a code for the nurse.
        let code = try await ErasureTests.signedIn(server, admin) { (x: WardConnection) async throws -> String in
            try await x.request(ClientRequest(id: 0, type: .userResetSecondFactor, userID: nurseID)).enrolmentCode ?? ""
        }
        #expect(code.count == 12)
        try await server.connect { (c: WardConnection) async throws in
            _ = try await c.login(username: "nurse.bo", password: password)
            #expect(try await c.send(ClientRequest(id: 0, type: .totpEnroll)).code == .enrolmentCodeRequired)
            var enrol = ClientRequest(id: 0, type: .totpEnroll)
            enrol.enrolmentCode = "wrong-code-1"
            #expect(try await c.send(enrol).code == .enrolmentCodeRequired)
            enrol.enrolmentCode = code
            let secret = try #require(try await c.request(enrol).secret)
            #expect(try await c.confirmSecondFactor(code: ServerHarness.code(secret)).count == 10)
        }
        await server.stop()
    }

    /// One privileged person does not act alone: a Doctor account, a clinician's password reset
    /// and an erasure nobody asked for wait for a second person, who cannot be the one who asked;
    /// the person whose password was reset is told (issue 16, item 8).
    @Test func privilegedChangesWaitForASecondPerson() async throws {
        let server = try await ServerHarness.start(connectionLimits: .unthrottled)
        defer { server.cleanup() }
        let (admin, people) = try await ConversationTests.accountsAndAdmin(
            server,
            [("admin.two", "Admin"), ("po.one", "PrivacyOfficer"), ("po.two", "PrivacyOfficer"), ("nurse.bo", "Nurse"), ("pat.pia", "Patient")])
        let (secondAdmin, officer, secondOfficer, nurse, patient) = (people[0], people[1], people[2], people[3], people[4])
        // A Doctor account waits: it exists, disabled, with no password anyone knows.
        let (doctorID, approvalID) = try await ErasureTests.signedIn(server, admin) { (x: WardConnection) async throws -> (String, Int) in
            let made = try await x.request(ClientRequest(id: 0, type: .userCreate, username: "dr.new", role: "Doctor"))
            #expect(made.password == nil && made.approvals?.first?.status == "pending")
            #expect(try await x.send(ClientRequest(id: 0, type: .userEnable, userID: made.userID)).code == .conflict)
            var own = ClientRequest(id: 0, type: .approvalDecide)
            own.approvalID = made.approvals?.first?.approvalID
            own.verdict = "approved"
            #expect(try await x.send(own).code == .denied, "nobody approves their own request")
            return (made.userID ?? "", made.approvals?.first?.approvalID ?? 0)
        }
        let password = try await ErasureTests.signedIn(server, secondAdmin) { (y: WardConnection) async throws -> String in
            #expect(try await y.request(ClientRequest(id: 0, type: .approvalList)).approvals?.map(\.approvalID) == [approvalID])
            var approve = ClientRequest(id: 0, type: .approvalDecide)
            approve.approvalID = approvalID
            approve.verdict = "approved"
            let approved = try await y.request(approve)
            #expect(approved.userID == doctorID && approved.approvals?.first?.status == "approved")
            #expect(try await y.send(approve).code == .notFound, "an approval runs once")
            return approved.password ?? ""
        }
        try await server.connect { (c: WardConnection) async throws in
            #expect(try await c.login(username: "dr.new", password: password).mustChangePassword == true)
        }
        // A nurse's second-factor reset waits; once approved, the nurse is told.
        let resetID = try await ErasureTests.signedIn(server, admin) { (x: WardConnection) async throws -> Int in
            let reset = try await x.request(ClientRequest(id: 0, type: .userResetSecondFactor, userID: nurse.userID))
            #expect(reset.enrolmentCode == nil)
            return reset.approvals?.first?.approvalID ?? 0
        }
        let code = try await ErasureTests.signedIn(server, officer) { (o: WardConnection) async throws -> String in
            var approve = ClientRequest(id: 0, type: .approvalDecide)
            approve.approvalID = resetID
            approve.verdict = "approved"
            return try await o.request(approve).enrolmentCode ?? ""
        }
        #expect(code.count == 12)
        try await server.connect { (c: WardConnection) async throws in
            _ = try await c.login(username: "nurse.bo", password: ConversationTests.password)
            let told = try await c.request(ClientRequest(id: 0, type: .notificationList)).notifications ?? []
            #expect(told.contains { $0.kind == "account" && $0.text.contains("second factor was reset") })
        }
        // A patient's reset needs nobody else, but the patient is told all the same.
        try await ErasureTests.signedIn(server, admin) { (x: WardConnection) async throws in
            #expect(try await x.request(ClientRequest(id: 0, type: .userResetPassword, userID: patient.userID)).password != nil)
        }
        let told = try WardDatabase(path: server.data.database).notifications(userID: patient.userID, unreadOnly: true)
        #expect(told.contains { $0.kind == .account && $0.text.contains("password was reset") })
        // An erasure the patient did not ask for waits for a second privacy officer; an Admin cannot approve it.
        let erasureID = try await ErasureTests.signedIn(server, officer) { (o: WardConnection) async throws -> Int in
            let waiting = try await o.request(ClientRequest(id: 0, type: .gdprErase, userID: patient.userID))
            #expect(waiting.erasureReceipt == nil && waiting.approvals?.first?.action == "gdpr.erase")
            return waiting.approvals?.first?.approvalID ?? 0
        }
        var approveErasure = ClientRequest(id: 0, type: .approvalDecide)
        approveErasure.approvalID = erasureID
        approveErasure.verdict = "approved"
        let erasureByAdmin = approveErasure
        try await ErasureTests.signedIn(server, secondAdmin) { (y: WardConnection) async throws in
            #expect(try await y.send(erasureByAdmin).code == .denied)
        }
        let erasureBySecondOfficer = approveErasure
        let receipt = try await ErasureTests.signedIn(server, secondOfficer) { (p: WardConnection) async throws -> ErasureReceipt? in
            try await p.request(erasureBySecondOfficer).erasureReceipt
        }
        #expect(receipt?.subjectID == patient.userID && receipt?.executedBy == secondOfficer.userID)
        await server.stop()
        let entries = try AuditLogReader(directory: server.data.auditLog).entries()
        #expect(entries.filter { $0.event.type == "approval.request" }.count == 3)
        #expect(entries.contains { $0.event.type == "approval.decide" && $0.event.decision == .deny && $0.event.actorID == admin.userID })
    }
}
