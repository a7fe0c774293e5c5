import Foundation
import Testing
import WardAudit
import WardClient
import WardE2EE
import WardPolicy
import WardProtocol
import WardServer
import WardTestSupport
#if canImport(Glibc)
    import Glibc
#endif

@Suite("ward-server over TLS", .serialized)
struct ServerIntegrationTests {
    @Test func firstSignInChangePasswordWhoamiLogout() async throws {
        let server = try await ServerHarness.start()
        let otp = server.adminPassword
        let newPassword = "a much longer passphrase"
        let token = try await server.connect { connection -> String in
            #expect(connection.serverID.hasPrefix("server:"))
            let session = try await connection.login(username: "admin", password: otp)
            #expect(session.mustChangePassword == true)
            #expect(session.role == "Admin")
            #expect(session.token?.count ?? 0 >= 43)
            await #expect(throws: WardClientError.self) { try await connection.changePassword(current: otp, new: "short") }
            await #expect(throws: WardClientError.self) { try await connection.changePassword(current: otp, new: otp) }
            try await connection.changePassword(current: otp, new: newPassword)
            let me = try await connection.whoami()
            #expect(me.role == "Admin" && me.mustChangePassword == false)
            try await connection.logout()
            let after = try await connection.send(ClientRequest(id: 0, type: .whoami))
            #expect(after.code == .notAuthenticated)
            // A token replayed after logout is refused.
            #expect(try await connection.send(ClientRequest(id: 0, type: .resume, token: session.token)).code == .sessionExpired)
            return session.token ?? ""
        }
        // The old one-time password no longer works; the new one does.
        try await server.connect { connection in
            let old = try await connection.send(ClientRequest(id: 0, type: .login, username: "admin", password: otp))
            #expect(old.code == .invalidCredentials)
            let session = try await connection.login(username: "admin", password: newPassword)
            #expect(session.mustChangePassword == false)
        }
        await server.stop()
        defer { server.cleanup() }

        // The log verifies, records every decided request type, and holds no secret.
        let key = try NoteVerifier(vkey: String(contentsOfFile: server.data.auditVerifierKey, encoding: .utf8))
        let report = try LogVerifier(key: key).verify(directory: server.data.auditLog)
        #expect(report.isValid, "\(report.findings)")
        let entries = try AuditLogReader(directory: server.data.auditLog).entries()
        #expect(entries.contains { $0.event.type == "policy.load" })
        #expect(entries.last?.event.type == "audit.stop")
        for file in [server.data.database, server.data.auditLog + "/entries"] {
            let bytes = try Data(contentsOf: URL(fileURLWithPath: file))
            for secret in [otp, newPassword, token, "admin"] where file.hasSuffix("entries") || secret != "admin" {
                #expect(bytes.range(of: Data(secret.utf8)) == nil, "\(file) holds \(secret)")
            }
        }
    }

    /// Every request type of the protocol is exercised; each one that touches data leaves an
    /// audit entry with a policy decision. A new request type fails here until it is gated.
    @Test func everyRequestTypeIsDecidedAndAudited() async throws {
        let server = try await ServerHarness.start()
        defer { server.cleanup() }
        let otp = server.adminPassword
        let done = try await server.connect { connection -> Set<String> in
            var done: Set<String> = ["hello"]
            func run(_ request: ClientRequest) async throws -> ServerReply {
                done.insert(request.type)
                return try await connection.request(request)
            }
            _ = try await run(ClientRequest(id: 0, type: .ping))
            let session = try await run(ClientRequest(id: 0, type: .login, username: "admin", password: otp))
            _ = try await run(ClientRequest(id: 0, type: .resume, token: session.token))
            _ = try await run(ClientRequest(id: 0, type: .passwordChange, currentPassword: otp, newPassword: "a much longer passphrase"))
            let enrolment = try await run(ClientRequest(id: 0, type: .totpEnroll))
            let adminRecovery = try await run(ClientRequest(id: 0, type: .totpConfirm, totp: ServerHarness.code(enrolment.secret ?? "")))
                .recoveryCodes?.first
            _ = try await run(ClientRequest(id: 0, type: .whoami))
            let patientAccount = try await run(ClientRequest(id: 0, type: .userCreate, username: "p", role: "Patient"))
            let patient = patientAccount.userID
            let nurse = try await run(ClientRequest(id: 0, type: .userCreate, username: "n", role: "Nurse")).userID
            let doctorAccount = try await run(ClientRequest(id: 0, type: .userCreate, username: "d", role: "Doctor"))
            _ = try await run(ClientRequest(id: 0, type: .careTeamAdd, patientID: patient, clinicianID: doctorAccount.userID))
            let officerAccount = try await run(ClientRequest(id: 0, type: .userCreate, username: "po", role: "PrivacyOfficer"))
            _ = try await run(ClientRequest(id: 0, type: .userList))
            _ = try await run(ClientRequest(id: 0, type: .securitySignIns))
            _ = try await run(ClientRequest(id: 0, type: .backupStatus))
            var announce = ClientRequest(id: 0, type: .notificationAnnounce)
            announce.text = "Fire drill at ten"
            _ = try await run(announce)
            _ = try await run(ClientRequest(id: 0, type: .userShow, username: "n"))
            _ = try await run(ClientRequest(id: 0, type: .userFind, username: "n"))
            _ = try await run(ClientRequest(id: 0, type: .userDisable, userID: nurse))
            _ = try await run(ClientRequest(id: 0, type: .userEnable, userID: nurse))
            let nurseOTP = try await run(ClientRequest(id: 0, type: .userResetPassword, userID: nurse)).password ?? ""
            _ = try await run(ClientRequest(id: 0, type: .userResetSecondFactor, userID: nurse))
            _ = try await run(ClientRequest(id: 0, type: .careTeamAdd, patientID: patient, clinicianID: nurse))
            _ = try await run(ClientRequest(id: 0, type: .careTeamList, patientID: patient))
            _ = try await run(ClientRequest(id: 0, type: .careTeamRemove, patientID: patient, clinicianID: nurse))
            _ = try await run(ClientRequest(id: 0, type: .careTeamAdd, patientID: patient, clinicianID: nurse))

            // Conversations: a device, a staff room with the nurse, a sender key, a message.
            let device = DeviceIdentity()
            var register = ClientRequest(id: 0, type: .deviceRegister)
            register.device = device.publicKeys(userID: session.userID ?? "")
            _ = try await run(register)
            var backup = ClientRequest(id: 0, type: .identityBackup)
            backup.backup = "sealed elsewhere"
            _ = try await run(backup)
            _ = try await run(ClientRequest(id: 0, type: .keysBackup))
            var create = ClientRequest(id: 0, type: .roomCreate)
            create.kind = "staff"
            create.name = "Ward 3 handover"
            create.members = [nurse ?? ""]
            // Open, so that its owner can leave and join again by themselves.
            create.open = true
            let roomID = try await run(create).room?.roomID ?? ""
            var inRoom = ClientRequest(id: 0, type: .roomMembers)
            inRoom.roomID = roomID
            _ = try await run(inRoom)
            _ = try await run(ClientRequest(id: 0, type: .roomList))
            inRoom.type = "keys.get"
            _ = try await run(inRoom)
            let keyID = SenderKeyShare.makeKeyID()
            var distribute = ClientRequest(id: 0, type: .keysDistribute)
            distribute.roomID = roomID
            distribute.keyID = keyID
            distribute.suite = CipherSuite.senderKeysV1
            // The nurse has no device yet: the key goes to this device alone.
            let own = try DeviceKeysCheck.verify(device.publicKeys(userID: session.userID ?? ""))
            distribute.keys = [
                try SenderKeyShare(
                    roomID: roomID, keyID: keyID, senderDevice: device.deviceID, recipientDevice: device.deviceID,
                    chain: SenderChain()
                ).seal(to: own, signer: device)
            ]
            _ = try await run(distribute)
            inRoom.type = "keys.fetch"
            _ = try await run(inRoom)
            var chain = SenderChain()
            var send = ClientRequest(id: 0, type: .messageSend)
            send.roomID = roomID
            send.clientMessageID = "m1"
            send.envelope = try EnvelopeCrypto.seal(
                MessageContent(body: "handover at seven"), roomID: roomID, keyID: keyID, chain: &chain, device: device)
            let sent = try await run(send)
            inRoom.type = "message.history"
            _ = try await run(inRoom)
            var receipt = ClientRequest(id: 0, type: .receipt)
            receipt.roomID = roomID
            receipt.kind = "read"
            receipt.seq = sent.messageInfo?.seq
            _ = try await run(receipt)
            var presence = ClientRequest(id: 0, type: .presenceSet)
            presence.status = "away"
            _ = try await run(presence)
            var member = ClientRequest(id: 0, type: .roomRemove)
            member.roomID = roomID
            member.userID = nurse
            _ = try await run(member)
            member.type = "room.invite"
            _ = try await run(member)
            inRoom.type = "room.leave"
            _ = try await run(inRoom)
            inRoom.type = "room.join"
            _ = try await run(inRoom)
            var consent = ClientRequest(id: 0, type: .consentGrant)
            consent.purpose = "research"
            consent.consentVersion = "1"
            _ = try await run(consent)
            consent.type = "consent.withdraw"
            _ = try await run(consent)
            _ = try await run(ClientRequest(id: 0, type: .consentList))
            _ = try await run(ClientRequest(id: 0, type: .logout))
            // The nurse publishes when she sees patients.
            let nurseToken = try await connection.login(username: "n", password: nurseOTP).token
            try await connection.changePassword(current: nurseOTP, new: "the nurse's long passphrase")
            _ = try await connection.confirmSecondFactor(code: ServerHarness.code(try await connection.enrollSecondFactor().secret))
            let slotStart = (Int64(Date().timeIntervalSince1970) / 3600 + 24) * 3600
            var open = ClientRequest(id: 0, type: .availabilityAdd)
            open.kind = "open"
            open.startsAt = slotStart
            open.endsAt = slotStart + 7200
            _ = try await run(open)
            var weekly = ClientRequest(id: 0, type: .availabilityAdd)
            weekly.kind = "weekly"
            weekly.weekday = 3
            weekly.startMinute = 540
            weekly.endMinute = 720
            var remove = ClientRequest(id: 0, type: .availabilityRemove)
            remove.availabilityID = try await run(weekly).availability?.last?.availabilityID
            _ = try await run(remove)
            _ = try await run(ClientRequest(id: 0, type: .availabilityList, clinicianID: nurse))
            // The nurse, on the patient's care team, adds a note and reads the record; she also declares an emergency.
            var note = ClientRequest(id: 0, type: .recordWrite, patientID: patient)
            note.section = "notes"
            note.resource = #"{"resourceType": "DocumentReference", "description": "observation"}"#
            let noteEntry = try await run(note).recordEntries?.first?.entryID
            _ = try await run(ClientRequest(id: 0, type: .recordRead, patientID: patient))
            var emergency = ClientRequest(id: 0, type: .breakGlassOpen, patientID: patient)
            emergency.reason = "Testing the emergency procedure during the drill"
            let emergencyID = try await run(emergency).breakGlassUses?.first?.breakGlassID
            // (No logout: the nurse's session is resumed later.)
            // The patient exports their own data.
            _ = try await connection.login(username: "p", password: patientAccount.password ?? "")
            try await connection.changePassword(current: patientAccount.password ?? "", new: "the patient's long passphrase")
            var export = ClientRequest(id: 0, type: .gdprExport)
            export.section = "account"
            _ = try await run(export)
            // The patient asks for the note to be amended.
            var amend = ClientRequest(id: 0, type: .recordAmend, patientID: patient)
            amend.entryID = noteEntry
            amend.text = "I slept badly, not well"
            let amendmentID = try await run(amend).amendments?.first?.amendmentID
            _ = try await run(ClientRequest(id: 0, type: .recordAmendments, patientID: patient))
            // The patient books with the nurse, moves it, cancels it, books again; the nurse confirms.
            _ = try await run(ClientRequest(id: 0, type: .availabilityClinicians))
            var slots = ClientRequest(id: 0, type: .appointmentSlots)
            slots.clinicianID = nurse
            _ = try await run(slots)
            var book = ClientRequest(id: 0, type: .appointmentBook)
            book.clinicianID = nurse
            book.startsAt = slotStart
            let appointmentID = try await run(book).appointment?.appointmentID
            var change = ClientRequest(id: 0, type: .appointmentReschedule)
            change.appointmentID = appointmentID
            change.startsAt = slotStart + 1800
            _ = try await run(change)
            change.type = "appointment.show"
            _ = try await run(change)
            _ = try await run(ClientRequest(id: 0, type: .appointmentList))
            change.type = "appointment.cancel"
            _ = try await run(change)
            change.appointmentID = try await run(book).appointment?.appointmentID
            _ = try await run(ClientRequest(id: 0, type: .notificationList))
            _ = try await run(ClientRequest(id: 0, type: .notificationRead))
            var mute = ClientRequest(id: 0, type: .notificationSettings)
            mute.kind = "announcement"
            mute.enabled = false
            _ = try await run(mute)
            _ = try await run(ClientRequest(id: 0, type: .gdprEraseRequest))
            _ = try await run(ClientRequest(id: 0, type: .logout))
            _ = try await run(ClientRequest(id: 0, type: .resume, token: nurseToken))
            change.type = "appointment.update"
            change.status = "confirmed"
            _ = try await run(change)
            // The doctor on the care team answers the amendment request.
            _ = try await run(ClientRequest(id: 0, type: .logout))
            _ = try await connection.login(username: "d", password: doctorAccount.password ?? "")
            try await connection.changePassword(current: doctorAccount.password ?? "", new: "the doctor's long passphrase")
            _ = try await connection.confirmSecondFactor(code: ServerHarness.code(try await connection.enrollSecondFactor().secret))
            var answer = ClientRequest(id: 0, type: .recordAmendDecide)
            answer.amendmentID = amendmentID
            answer.verdict = "denied"
            answer.reason = "The note records what was observed"
            _ = try await run(answer)
            // The patient files a statement of disagreement.
            _ = try await run(ClientRequest(id: 0, type: .logout))
            _ = try await connection.login(username: "p", password: "the patient's long passphrase")
            var disagree = ClientRequest(id: 0, type: .recordAmendDisagree)
            disagree.amendmentID = amendmentID
            disagree.text = "I remember the pain clearly"
            _ = try await run(disagree)
            // The patient asked to be erased; the privacy officer holds, releases and erases.
            _ = try await run(ClientRequest(id: 0, type: .logout))
            _ = try await connection.login(username: "po", password: officerAccount.password ?? "")
            try await connection.changePassword(current: officerAccount.password ?? "", new: "the officer's long passphrase")
            let officerRecovery = try await connection.confirmSecondFactor(code: ServerHarness.code(try await connection.enrollSecondFactor().secret))
                .first
            _ = try await run(ClientRequest(id: 0, type: .gdprRequests))
            _ = try await run(ClientRequest(id: 0, type: .breakGlassList))
            var review = ClientRequest(id: 0, type: .breakGlassReview)
            review.breakGlassID = emergencyID
            review.verdict = "justified"
            _ = try await run(review)
            var hold = ClientRequest(id: 0, type: .gdprHoldPlace, userID: patient)
            hold.reference = "file 7"
            let held = try await run(hold).legalHolds?.first?.holdID
            _ = try await run(ClientRequest(id: 0, type: .gdprHolds))
            var release = ClientRequest(id: 0, type: .gdprHoldRelease)
            release.holdID = held
            _ = try await run(release)
            _ = try await run(ClientRequest(id: 0, type: .gdprErase, userID: patient))
            _ = try await run(ClientRequest(id: 0, type: .gdprPurge))
            var proof = ClientRequest(id: 0, type: .auditProof)
            proof.seq = 1
            _ = try await run(proof)
            // With a privacy officer who has a second factor, the Admin's reset of the doctor's
            // password waits for them (a second person), and the officer approves it.
            _ = try await run(ClientRequest(id: 0, type: .logout))
            _ = try await connection.login(username: "admin", password: "a much longer passphrase", totp: adminRecovery)
            let waiting = try await run(ClientRequest(id: 0, type: .userResetPassword, userID: doctorAccount.userID))
            _ = try await run(ClientRequest(id: 0, type: .logout))
            _ = try await connection.login(username: "po", password: "the officer's long passphrase", totp: officerRecovery)
            _ = try await run(ClientRequest(id: 0, type: .approvalList))
            var approve = ClientRequest(id: 0, type: .approvalDecide)
            approve.approvalID = waiting.approvals?.first?.approvalID
            approve.verdict = "approved"
            _ = try await run(approve)
            return done
        }
        await server.stop()
        #expect(done == Set(RequestType.allCases.map(\.rawValue)), "the scenario exercises every request type")
        let entries = try AuditLogReader(directory: server.data.auditLog).entries()
        for type in RequestType.allCases {
            guard let event = type.auditEvent else {
                #expect(type.action == nil, "\(type.rawValue) has an action but no audit event")
                continue
            }
            #expect(
                entries.contains { $0.event.type == event && $0.event.decision == .allow && $0.event.policySetHash != nil },
                "\(type.rawValue) is decided and audited")
        }
    }

    @Test func badInputGetsClearErrorsAndTheConnectionSurvives() async throws {
        let server = try await ServerHarness.start()
        defer { server.cleanup() }
        try await server.connect { connection in
            try await connection.sendRaw("{not json")
            #expect(try await connection.receiveReply().code == .badRequest)
            try await connection.sendRaw("{\"id\": \"seven\", \"type\": \"ping\"}")
            #expect(try await connection.receiveReply().code == .badRequest)
            try await connection.sendRaw("[1, 2, 3]")
            #expect(try await connection.receiveReply().code == .badRequest)
            #expect(try await connection.send(ClientRequest(id: 0, unlistedType: "frobnicate")).code == .unknownType)
            #expect(try await connection.send(ClientRequest(id: 0, type: .login)).message == "username is required")
            // A field of another JSON type is named, with the type it must have; the reply keeps the id.
            try await connection.sendRaw(#"{"id": 5, "type": "login", "username": 7, "password": "x"}"#)
            let mistyped = try await connection.receiveReply()
            #expect(mistyped.id == 5 && mistyped.code == .badRequest && mistyped.message == "username must be a string")
            try await connection.sendRaw(#"{"id": 6, "type": "hello", "version": 1.5}"#)
            let fraction = try await connection.receiveReply()
            #expect(fraction.id == 6 && fraction.code == .badRequest && fraction.message?.hasPrefix("a value does not fit its field") == true)
            // A field the request does not use is ignored, whatever it holds.
            try await connection.sendRaw(#"{"id": 7, "type": "ping", "roomID": [5]}"#)
            #expect(try await connection.receiveReply().type == .pong)
            try await connection.sendBinary([0, 1, 2])
            #expect(try await connection.receiveReply().code == .badRequest)
            #expect(try await connection.send(ClientRequest(id: 0, type: .whoami)).code == .notAuthenticated)
            #expect(try await connection.send(ClientRequest(id: 0, type: .hello, version: 99)).code == .unsupportedVersion)
            #expect(try await connection.send(ClientRequest(id: 0, type: .resume, token: "not-a-token")).code == .sessionExpired)
            // Still serving.
            #expect(try await connection.send(ClientRequest(id: 0, type: .ping)).type == .pong)
        }
        await server.stop()
    }

    /// Failed sign-ins block further attempts for a while, per account name and per source
    /// address, and the block ends by itself; while blocked, a right password gets the same
    /// answer as a wrong one; an existing session still resumes (issue 16, item 3).
    @Test func failedSignInsAreThrottledAndTheBlockEnds() async throws {
        var rules = SignInThrottle.Rules()
        // Long enough that the attempts below fall inside a block on a loaded machine.
        rules.firstBlock = 5
        rules.freeFailuresPerSource = 8
        let server = try await ServerHarness.start(signInThrottle: rules)
        defer { server.cleanup() }
        let password = "the administrator's passphrase"
        let token = try await server.connect { connection -> String in
            let session = try await connection.login(username: "admin", password: server.adminPassword)
            try await connection.changePassword(current: server.adminPassword, new: password)
            return session.token ?? ""
        }
        func login(_ username: String, _ password: String) async throws -> ServerReply {
            try await server.connect { c in try await c.send(ClientRequest(id: 0, type: .login, username: username, password: password)) }
        }
        #expect(try await login("nobody", "x").code == .invalidCredentials)
        for _ in 0..<6 { #expect(try await login("admin", "wrong").code == .invalidCredentials) }
        // Blocked: right and wrong passwords get the same answer, with how long to wait.
        let right = try await login("ADMIN", password), wrong = try await login("admin", "wrong")
        #expect(right.code == .signInThrottled && wrong.code == .signInThrottled)
        #expect((1...5).contains(right.retryAfter ?? 0) && [right, wrong].allSatisfy { $0.message?.hasPrefix("too many failed sign-ins") == true })
        // The session opened before still resumes.
        try await server.connect { (c: WardConnection) async throws in
            #expect(try await c.send(ClientRequest(id: 0, type: .resume, token: token)).type == .session)
        }
        // The block ends by itself.
        try await Task.sleep(for: .milliseconds(5_200))
        #expect(try await login("admin", password).type == .session)
        // Guessing at many names from one address blocks the address (9 failures here, 8 free).
        for name in ["x1", "x2"] { #expect(try await login(name, "x").code == .invalidCredentials) }
        #expect(try await login("admin", password).code == .signInThrottled, "the address is blocked for every name")
        try await Task.sleep(for: .milliseconds(5_200))
        #expect(try await login("admin", password).type == .session)
        await server.stop()
        let throttled = try AuditLogReader(directory: server.data.auditLog).entries().filter { $0.event.details["reason"] == "throttled" }
        #expect(throttled.count == 3, "every blocked attempt is audited")
    }

    @Test func theThrottleCountsWithoutOverflowAndForgets() {
        var rules = SignInThrottle.Rules()
        rules.freeFailuresPerAccount = 1
        rules.maxTracked = 10
        let throttle = SignInThrottle(rules: rules)
        let keys = SignInThrottle.keys(username: " Dr.Ann ", source: "127.0.0.1")
        #expect(keys.first == .account("dr.ann"))
        for _ in 0..<200 { throttle.failed(keys, now: 1_000) }
        #expect(throttle.wait(keys, now: 1_000) == rules.longestBlock, "doubling stops at the longest block, without overflow")
        #expect(throttle.wait(keys, now: 1_000 + rules.longestBlock) == 0, "and ends")
        throttle.succeeded(keys)
        #expect(throttle.wait([keys[0]], now: 1_000) == 0, "success clears the account name")
        #expect(throttle.wait([keys[1]], now: 1_000) > 0, "but not the address")
        for n in 0..<50 { for _ in 0..<2 { throttle.failed([.account("name\(n)")], now: 2_000 + Int64(n)) } }
        #expect(throttle.wait([.account("name49")], now: 2_049) > 0, "a flood of names is bounded and the newest are kept")
    }

    @Test func requestsBeforeHelloAreRefused() async throws {
        let server = try await ServerHarness.start()
        defer { server.cleanup() }
        try await server.connect(greet: false) { (connection: WardConnection) async throws -> Void in
            #expect(try await connection.send(ClientRequest(id: 0, type: .login, username: "admin", password: "x")).code == .helloRequired)
            #expect(try await connection.send(ClientRequest(id: 0, type: .hello)).code == .badRequest)
            #expect(try await connection.send(ClientRequest(id: 0, type: .hello, version: 1)).type == ReplyType(answering: .hello))
        }
        await server.stop()
    }

    @Test func clientsThatDoNotSignInAreDisconnected() async throws {
        var limits = ConnectionLimits()
        limits.authenticationTimeout = .milliseconds(500)
        let server = try await ServerHarness.start(connectionLimits: limits)
        defer { server.cleanup() }
        await #expect(throws: (any Error).self) {
            try await server.connect { connection in
                try await Task.sleep(for: .seconds(2))
                _ = try await connection.send(ClientRequest(id: 0, type: .ping))
                _ = try await connection.send(ClientRequest(id: 0, type: .ping))
            }
        }
        await server.stop()
    }

    /// HIPAA 164.312(a)(2)(iii): a session idle past the limit is refused, and the timeout is audited.
    @Test func idleSessionsAreLoggedOff() async throws {
        // Limits count whole seconds: 2 s leaves room for the first request however the clock ticks.
        let server = try await ServerHarness.start(idleSeconds: 2)
        defer { server.cleanup() }
        let otp = server.adminPassword
        let token = try await server.connect { connection -> String in
            let session = try await connection.login(username: "admin", password: otp)
            #expect(try await connection.whoami().role == "Admin")
            try await Task.sleep(for: .milliseconds(3100))
            #expect(try await connection.send(ClientRequest(id: 0, type: .whoami)).code == .sessionExpired)
            return session.token ?? ""
        }
        try await server.connect { (connection: WardConnection) async throws -> Void in
            #expect(try await connection.send(ClientRequest(id: 0, type: .resume, token: token)).code == .sessionExpired)
        }
        await server.stop()
        let entries = try AuditLogReader(directory: server.data.auditLog).entries()
        #expect(entries.contains { $0.event.type == "auth.timeout" && $0.event.details["reason"] == "session-expired" })
    }

    /// A busy session still ends at its absolute lifetime.
    @Test func sessionsEndAtTheirLifetimeHoweverActive() async throws {
        let server = try await ServerHarness.start(lifetimeSeconds: 2)
        defer { server.cleanup() }
        let otp = server.adminPassword
        try await server.connect { (connection: WardConnection) async throws -> Void in
            _ = try await connection.login(username: "admin", password: otp)
            var ended = false
            // Keep the session busy (never idle) for up to 4 s; it must end after 2.
            for _ in 0..<40 where !ended {
                ended = try await connection.send(ClientRequest(id: 0, type: .whoami)).code == .sessionExpired
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(ended)
        }
        await server.stop()
    }

    @Test func plaintextConnectionsGetNoHTTP() async throws {
        let server = try await ServerHarness.start()
        defer { server.cleanup() }
        let reply = try PlainSocket.exchange(port: server.port, send: "GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n")
        #expect(!reply.hasPrefix("HTTP/"), "plain HTTP must not be served, got \(reply.prefix(40))")
        await server.stop()
    }
}

/// A plain TCP exchange on loopback, bounded in time.
enum PlainSocket {
    static func exchange(port: Int, send text: String) throws -> String {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return "" }
        defer { close(fd) }
        var timeout = timeval(tv_sec: 3, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr = in_addr(s_addr: inet_addr("127.0.0.1"))
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { return "" }
        _ = text.withCString { write(fd, $0, strlen($0)) }
        var buffer = [UInt8](repeating: 0, count: 4096)
        let n = read(fd, &buffer, buffer.count)
        return n > 0 ? String(decoding: buffer[0..<n], as: UTF8.self) : ""
    }
}
