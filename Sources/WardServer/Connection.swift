public import Foundation
internal import Logging
public import WardAudit
public import WardCrypto
internal import WardPolicy
internal import WardProtocol
public import WardStore

/// The shared pieces every connection uses.
public struct ServerContext: Sendable {
    public var serverID: String
    public var gate: Gate
    public var passwords: PasswordChecker
    public var limits: SessionLimits
    public var minimumPasswordLength = 12
    public let metrics = Metrics()
    /// The signed-in connections, for events.
    let hub = Hub()
    /// Seals second-factor secrets at rest.
    public let masterKey: SecureBytes
    /// Seals what the server stores per person, so that erasure can destroy it (crypto-shredding).
    public let subjectKeys: SubjectKeys
    /// Texts the audit log commits to without holding them, erasable.
    public let auditTexts: ErasableTextStore
    /// Where completed erasures are journalled for restores (`ErasureJournal`); nil: nowhere.
    public var erasureJournal: ErasureJournal?
    /// The backups the server takes or watches (`BackupSchedule`); nil without `--backup-dir`.
    var backups: BackupSchedule?
    /// How long data is kept (the retention job).
    public var retention = RetentionPeriods()
    /// The clinic's time zone: weekly availability is in its wall-clock time.
    public var timeZone = TimeZone(identifier: "UTC") ?? .current
    /// Reminder lead times and the urgent re-alert interval.
    public var notificationTimes = NotificationTimes()
    /// Failed sign-ins per account name and source address, and how long each is blocked.
    public var throttle = SignInThrottle()
    /// Free disk space against the watermark.
    var storage: StorageWatch

    public init(serverID: String, gate: Gate, passwords: PasswordChecker, limits: SessionLimits, masterKey: SecureBytes,
                subjectKeys: SubjectKeys, auditTexts: ErasableTextStore) {
        self.serverID = serverID
        self.gate = gate
        self.passwords = passwords
        self.limits = limits
        self.masterKey = masterKey
        self.subjectKeys = subjectKeys
        self.auditTexts = auditTexts
        storage = StorageWatch(path: auditTexts.directory, minimumFreeBytes: 0)
    }
}

/// One client connection's state and its request handling. Used by one task at a time.
final class Connection {
    let context: ServerContext
    let logger: Logger
    /// This connection's number in the hub, and where its replies and events queue.
    let connectionID: Int
    let outbox: Outbox
    /// The device this session registered (device.register); needed to send and to receive keys.
    var device: DeviceRecord?
    private(set) var greeted = false
    private(set) var session: (tokenHash: String, userID: String, secondFactor: Bool)?
    /// The type of the last request, for metrics ("invalid" when it did not decode).
    private(set) var lastRequestType = "invalid"

    var isAuthenticated: Bool { session != nil }

    /// What one reply may carry, among the connection's limits.
    let limits: ConnectionLimits
    /// The client's IP address, for throttling sign-ins; never logged or audited in the clear.
    let sourceAddress: String?

    init(context: ServerContext, outbox: Outbox, limits: ConnectionLimits, sourceAddress: String? = nil, logger: Logger) {
        self.context = context
        self.sourceAddress = sourceAddress
        self.limits = limits
        self.logger = logger
        self.outbox = outbox
        connectionID = context.hub.makeConnectionID()
    }

    /// Handles one text frame; returns the reply to send.
    func handle(_ text: String) async -> ServerReply {
        let request: ClientRequest
        lastRequestType = "invalid"
        do {
            request = try JSONDecoder().decode(ClientRequest.self, from: Data(text.utf8))
        } catch {
            let refusal = ReplyError(code: .badRequest, message: "the frame is not a request object {\"id\": <number>, \"type\": <string>, …}")
            return await refuse(Self.salvageID(text), refusal, event: "request.invalid")
        }
        guard let type = RequestType(rawValue: request.type) else {
            lastRequestType = "unknown"
            return await refuse(request.id, ReplyError(code: .unknownType, message: "unknown request type; see docs/PROTOCOL.md"), event: "request.unknown")
        }
        lastRequestType = type.rawValue
        if !greeted && type != .hello {
            return .error(request.id, .helloRequired, "send hello with the protocol version first")
        }
        do {
            if let outOfRange = WireRanges.violation(in: request) { throw ReplyError(code: .badRequest, message: outOfRange) }
            if type.deferrableWrite, context.storage.isLow {
                throw ReplyError(code: .storageLow, message: "the server is low on disk space and takes no new data for now; reading still works; try again later")
            }
            switch type {
            case .hello: return hello(request)
            case .ping: return ServerReply(id: request.id, type: "pong")
            case .login: return try await login(request)
            case .resume: return try await resume(request)
            case .logout: return try await logout(request)
            case .whoami: return try await whoami(request)
            case .passwordChange: return try await changePassword(request)
            case .totpEnroll: return try await enrollSecondFactor(request)
            case .totpConfirm: return try await confirmSecondFactor(request)
            case .userCreate, .userList, .userShow, .userDisable, .userEnable, .userResetPassword, .userResetSecondFactor,
                 .careTeamAdd, .careTeamRemove, .careTeamList:
                return try await administer(type, request)
            case .deviceRegister, .identityBackup, .keysBackup, .keysGet, .keysDistribute, .keysFetch, .roomCreate, .roomInvite, .roomJoin, .roomLeave, .roomRemove,
                 .roomList, .roomMembers, .messageSend, .messageHistory, .receipt, .presenceSet, .userFind:
                return try await converse(type, request)
            case .consentGrant, .consentWithdraw, .consentList:
                return try await manageConsent(type, request)
            case .gdprExport:
                return try await exportSubject(request)
            case .gdprEraseRequest, .gdprRequests, .gdprErase, .gdprHoldPlace, .gdprHoldRelease, .gdprHolds, .gdprPurge:
                return try await handleErasure(type, request)
            case .availabilityAdd, .availabilityRemove, .availabilityList, .availabilityClinicians, .appointmentSlots, .appointmentBook, .appointmentReschedule,
                 .appointmentCancel, .appointmentUpdate, .appointmentList, .appointmentShow:
                return try await schedule(type, request)
            case .notificationList, .notificationRead, .notificationSettings, .notificationAnnounce:
                return try await handleNotifications(type, request)
            case .recordRead, .recordWrite, .breakGlassOpen, .breakGlassList, .breakGlassReview, .recordAmend, .recordAmendments, .recordAmendDecide,
                 .recordAmendDisagree:
                return try await handleRecords(type, request)
            case .auditProof:
                return try await auditProof(request)
            case .securitySignIns:
                return try await signInReport(request)
            case .backupStatus:
                return try await backupStatus(request)
            case .approvalList, .approvalDecide:
                return try await handleApprovals(type, request)
            }
        } catch let error as ReplyError {
            return await refuse(request.id, error, event: type.auditEvent ?? type.rawValue)
        } catch let denial as Denied {
            return .error(request.id, .denied, "refused by policy", policies: denial.policies)
        } catch is PasswordChecker.Busy {
            return await refuse(request.id, ReplyError(code: .busy, message: "the server is busy checking passwords; try again in a few seconds"),
                                event: type.auditEvent ?? type.rawValue)
        } catch {
            // The audit log or the database failed: nothing was done, and the client is told so.
            logger.error("request failed", metadata: ["type": "\(type.rawValue)", "error": "\(error)"])
            return .error(request.id, .unavailable, "the server could not record this request, so it did not act; try again later")
        }
    }

    /// A refusal before or without a policy decision: a malformed or out-of-range field, a room
    /// the user is not in, an id that names nothing. `object` names what was refused only when
    /// the server found it (a room that exists), never an id as the client spelled it, so that
    /// the audit entry holds identifiers the server made or validated.
    struct ReplyError: Error {
        var code: ErrorCode
        var message: String
        var object: (type: String, id: String)?
        /// Whose data the refused request reached for (a care room's patient), for their access report.
        var subjectID: String

        init(code: ErrorCode, message: String, object: (type: String, id: String)? = nil, subjectID: String = "") {
            self.code = code
            self.message = message
            self.object = object
            self.subjectID = subjectID
        }
    }

    /// The error reply for a refusal, audited when the connection is signed in: every refusal of
    /// a signed-in request leaves an audit entry, whatever refused it (issue 16, item 7), so a
    /// patient probing another patient's room is seen. The entry holds the request type, the
    /// error code and the validated object: no client text. Refusals whose own path audits them
    /// (a wrong password, an ended session) are not audited twice; nor are refusals before
    /// sign-in, which name no one (sign-in failures are audited by `login`).
    func refuse(_ id: Int?, _ refusal: ReplyError, event: String) async -> ServerReply {
        if let session, ![.invalidCredentials, .sessionExpired, .notAuthenticated].contains(refusal.code) {
            do {
                let role = try context.gate.database.user(id: session.userID)?.role ?? "none"
                try await context.gate.record(event, code: .execute, outcome: .minorFailure, actorID: session.userID, actorRole: role,
                                              objectType: refusal.object?.type ?? "service", objectID: refusal.object?.id ?? "ward",
                                              subjectID: refusal.subjectID, details: ["refused": refusal.code.rawValue])
            } catch {
                logger.error("a refusal could not be audited", metadata: ["event": "\(event)", "error": "\(error)"])
                return .error(id, .unavailable, "the server could not record this request, so it did not act; try again later")
            }
        }
        return .error(id, refusal.code, refusal.message)
    }

    /// The numeric id of a request that did not decode, when it can be found, so the error
    /// reply can still be matched to it.
    static func salvageID(_ text: String) -> Int? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else { return nil }
        return object["id"] as? Int
    }

    func require<T>(_ value: T?, _ field: String) throws -> T {
        guard let value else { throw ReplyError(code: .badRequest, message: "\(field) is required") }
        return value
    }

    private func hello(_ request: ClientRequest) -> ServerReply {
        guard let version = request.version else { return .error(request.id, .badRequest, "version is required") }
        guard version == WireProtocol.version else {
            return .error(request.id, .unsupportedVersion, "this server speaks protocol version \(WireProtocol.version)")
        }
        greeted = true
        var reply = ServerReply(id: request.id, type: "hello")
        reply.version = WireProtocol.version
        reply.server = context.serverID
        return reply
    }

    // MARK: Sign-in

    private func login(_ request: ClientRequest) async throws -> ServerReply {
        let username = try require(request.username, "username")
        let password = try require(request.password, "password")
        let gate = context.gate
        let user = try gate.database.user(named: username)
        let throttleKeys = SignInThrottle.keys(username: username, source: sourceAddress)
        // Before the password is looked at: a blocked attempt gets the same answer whether its
        // password was right or wrong.
        let wait = context.throttle.wait(throttleKeys, now: Clock.nowSeconds())
        guard wait == 0 else {
            try await gate.record("auth.login", code: .execute, outcome: .minorFailure, actorID: user?.id ?? "anonymous",
                                  actorRole: user?.role ?? "none", details: ["reason": "throttled", "retry-after": "\(wait)"])
            var reply = ServerReply.error(request.id, .signInThrottled,
                                          "too many failed sign-ins for this account or from this address: try again in \(wait) seconds")
            reply.retryAfter = Int(wait)
            return reply
        }
        // Unknown users and wrong passwords take the same time and get the same answer.
        let matches = try await context.passwords.verify(password, against: user?.passwordHash)
        guard let user else {
            context.throttle.failed(throttleKeys, now: Clock.nowSeconds())
            try await gate.record("auth.login", code: .execute, outcome: .minorFailure, commitments: try sourceCommitment(),
                                  details: ["reason": "invalid-credentials"])
            return .error(request.id, .invalidCredentials, "wrong username or password")
        }
        guard matches else {
            let failures = context.throttle.failed(throttleKeys, now: Clock.nowSeconds())
            _ = try gate.database.recordFailedLogin(userID: user.id)
            try await gate.record("auth.login", code: .execute, outcome: .minorFailure, actorID: user.id, actorRole: user.role,
                                  subjectID: user.id, commitments: try sourceCommitment(),
                                  details: ["reason": "invalid-credentials", "failed-logins": "\(failures)"])
            return .error(request.id, .invalidCredentials, "wrong username or password")
        }
        // An account with a confirmed second factor must present it.
        var secondFactor = false
        if let totp = try gate.database.totp(userID: user.id), totp.confirmed {
            guard let presented = request.totp else {
                return .error(request.id, .secondFactorRequired, "this account signs in with a second factor: send totp")
            }
            guard try checkSecondFactor(presented, record: totp, user: user) else {
                let failures = context.throttle.failed(throttleKeys, now: Clock.nowSeconds())
                _ = try gate.database.recordFailedLogin(userID: user.id)
                try await gate.record("auth.login", code: .execute, outcome: .minorFailure, actorID: user.id, actorRole: user.role,
                                      subjectID: user.id, commitments: try sourceCommitment(),
                                      details: ["reason": "invalid-second-factor", "failed-logins": "\(failures)"])
                return .error(request.id, .invalidCredentials, "wrong username or password")
            }
            secondFactor = true
        }
        let outcome = try await decideSignIn(user, as: .login, secondFactor: secondFactor)
        guard outcome.allowed else {
            return .error(request.id, .denied, "sign-in refused by policy", policies: outcome.response.determiningPolicies)
        }
        try gate.database.resetFailedLogins(userID: user.id)
        context.throttle.succeeded(throttleKeys)
        // Hashes made with older parameters are replaced while the password is at hand.
        if context.passwords.hasher.needsRehash(user.passwordHash) {
            try gate.database.rehashPassword(userID: user.id, hash: try await context.passwords.hash(password))
        }
        let token = SessionToken.make()
        let now = Clock.nowSeconds()
        try gate.database.insert(SessionRecord(tokenHash: SessionToken.hash(token), userID: user.id, createdAt: now, lastSeenAt: now,
                                               secondFactor: secondFactor))
        session = (SessionToken.hash(token), user.id, secondFactor)
        signedOn(user.id, session: SessionToken.hash(token),
                 sessionEndsAt: context.limits.end(of: SessionRecord(tokenHash: "", userID: user.id, createdAt: now, lastSeenAt: now), lastUse: now))
        return sessionReply(request.id, user, token: token, secondFactor: secondFactor)
    }

    /// The failed sign-in's source address, kept erasable outside the log (audit/FORMAT.md §7):
    /// an IP address is personal data (GDPR Recital 30), the log is never rewritten, and log-in
    /// monitoring (HIPAA 164.308(a)(5)(ii)(C)) needs it (`security.signins`).
    private func sourceCommitment() throws -> [Hash32] {
        guard let sourceAddress else { return [] }
        return [try context.auditTexts.commit(SignInMonitor.sourcePrefix + sourceAddress)]
    }

    /// Sign-in and resume ask the same question of the policies: may this account have a session now?
    private func decideSignIn(_ user: UserRecord, as type: RequestType, secondFactor: Bool) async throws -> Gate.Outcome {
        try await context.gate.decide(Gate.Request(
            principal: user, action: .sessionLogin, resource: Entity(uid: ClinicModel.service),
            context: ["failedLogins": .long(Int64(user.failedLogins))],
            event: type.auditEvent ?? type.rawValue, code: .execute, objectType: "service", objectID: "ward", secondFactor: secondFactor
        ))
    }

    private func sessionReply(_ id: Int, _ user: UserRecord, token: String?, secondFactor: Bool) -> ServerReply {
        var reply = ServerReply(id: id, type: "session")
        // Admins are told at sign-in when the newest backup is older than the schedule allows.
        if user.role == "Admin", context.backups?.status().stale == true { reply.warnings = ["backup_stale"] }
        reply.token = token
        reply.secondFactor = secondFactor
        reply.idleSeconds = Int(context.limits.idleSeconds)
        reply.userID = user.id
        reply.role = user.role
        reply.mustChangePassword = user.mustChangePassword
        return reply
    }

    /// Ends a session past its limits, recording the automatic logoff.
    private func endExpired(tokenHash: String, userID: String) async throws {
        try context.gate.database.deleteSession(tokenHash: tokenHash)
        try await context.gate.record("auth.timeout", code: .delete, outcome: .success, actorID: userID, details: ["reason": "session-expired"])
    }

    private func resume(_ request: ClientRequest) async throws -> ServerReply {
        let token = try require(request.token, "token")
        let gate = context.gate
        let hash = SessionToken.hash(token)
        let now = Clock.nowSeconds()
        guard let stored = try gate.database.session(tokenHash: hash), context.limits.allows(stored, at: now),
              let user = try gate.database.user(id: stored.userID)
        else {
            if let stored = try gate.database.session(tokenHash: hash) {
                try await endExpired(tokenHash: hash, userID: stored.userID)
            } else {
                try await gate.record("auth.resume", code: .execute, outcome: .minorFailure, details: ["reason": "unknown-token"])
            }
            return .error(request.id, .sessionExpired, "the session has ended; sign in again")
        }
        let outcome = try await decideSignIn(user, as: .resume, secondFactor: stored.secondFactor)
        guard outcome.allowed else {
            return .error(request.id, .denied, "session refused by policy", policies: outcome.response.determiningPolicies)
        }
        try await touch(stored, at: now)
        session = (hash, user.id, stored.secondFactor)
        signedOn(user.id, session: hash, sessionEndsAt: context.limits.end(of: stored, lastUse: now))
        return sessionReply(request.id, user, token: nil, secondFactor: stored.secondFactor)
    }

    /// The signed-in user, after checking the session is still within its limits.
    func signedIn(_ request: ClientRequest) async throws -> UserRecord {
        guard let session else { throw ReplyError(code: .notAuthenticated, message: "sign in first (login or resume)") }
        let gate = context.gate
        let now = Clock.nowSeconds()
        guard let (stored, user) = try gate.database.sessionWithUser(tokenHash: session.tokenHash), context.limits.allows(stored, at: now)
        else {
            self.session = nil
            signedOff()
            try await endExpired(tokenHash: session.tokenHash, userID: session.userID)
            throw ReplyError(code: .sessionExpired, message: "the session has ended; sign in again")
        }
        try await touch(stored, at: now)
        context.hub.renew(connectionID, sessionEndsAt: context.limits.end(of: stored, lastUse: now))
        return user
    }

    /// Records that the session was used, when its stored time is older than the limits allow to drift.
    private func touch(_ stored: SessionRecord, at now: Int64) async throws {
        guard now - stored.lastSeenAt >= context.limits.touchInterval else { return }
        let hash = stored.tokenHash
        try await context.gate.database.write { try WardDatabase.touchSession(tokenHash: hash, at: now, in: $0) }
    }

    /// The signed-in user, once they have replaced their one-time password: until then only
    /// `password.change`, `whoami` and `logout` are answered.
    func signedInWithOwnPassword(_ request: ClientRequest) async throws -> UserRecord {
        let user = try await signedIn(request)
        guard !user.mustChangePassword else {
            throw ReplyError(code: .passwordChangeRequired, message: "change the one-time password first (password.change)")
        }
        return user
    }

    /// A request a user makes about their own account.
    func selfRequest(_ user: UserRecord, type: RequestType, code: WardAudit.AuditEvent.Action) throws -> Gate.Request {
        Gate.Request(principal: user, action: try type.decidingAction, resource: Entity(uid: ClinicModel.user(user.id)),
                     event: type.auditEvent ?? type.rawValue, code: code, objectType: "user", objectID: user.id, subjectID: user.id,
                     secondFactor: hasSecondFactor)
    }

    /// Whether this connection's session was signed in with a second factor.
    var hasSecondFactor: Bool { session?.secondFactor ?? false }

    /// Marks this connection's session as having a second factor (after enrolment proves it).
    func upgradeToSecondFactor() throws {
        guard let current = session else { return }
        try context.gate.database.markSecondFactor(tokenHash: current.tokenHash)
        session = (current.tokenHash, current.userID, true)
    }

    private func logout(_ request: ClientRequest) async throws -> ServerReply {
        let user = try await signedIn(request)
        let outcome = try await context.gate.decide(selfRequest(user, type: .logout, code: .delete))
        guard outcome.allowed, let session else {
            return .error(request.id, .denied, "logout refused by policy", policies: outcome.response.determiningPolicies)
        }
        try context.gate.database.deleteSession(tokenHash: session.tokenHash)
        self.session = nil
        signedOff()
        // Other connections that resumed the same session get no more events either.
        context.hub.endSession(tokenHash: session.tokenHash)
        return ServerReply(id: request.id, type: "logout")
    }

    private func whoami(_ request: ClientRequest) async throws -> ServerReply {
        let user = try await signedIn(request)
        let outcome = try await context.gate.decide(selfRequest(user, type: .whoami, code: .read))
        guard outcome.allowed else {
            return .error(request.id, .denied, "refused by policy", policies: outcome.response.determiningPolicies)
        }
        var reply = ServerReply(id: request.id, type: "user")
        reply.userID = user.id
        reply.role = user.role
        reply.mustChangePassword = user.mustChangePassword
        reply.users = [Self.info(user)]
        return reply
    }

    private func changePassword(_ request: ClientRequest) async throws -> ServerReply {
        let user = try await signedIn(request)
        let current = try require(request.currentPassword, "currentPassword")
        let new = try require(request.newPassword, "newPassword")
        // Check what the request says before asking the policies, so the audit entry of an
        // allowed change records a change that then happens.
        guard try await context.passwords.verify(current, against: user.passwordHash) else {
            try await context.gate.record("account.password", code: .update, outcome: .minorFailure, actorID: user.id, actorRole: user.role,
                                          objectType: "user", objectID: user.id, details: ["reason": "invalid-credentials"])
            throw ReplyError(code: .invalidCredentials, message: "the current password is wrong")
        }
        guard new.count >= context.minimumPasswordLength else {
            throw ReplyError(code: .weakPassword, message: "the new password must have at least \(context.minimumPasswordLength) characters")
        }
        guard new != current else { throw ReplyError(code: .weakPassword, message: "the new password must differ from the current one") }
        let outcome = try await context.gate.decide(selfRequest(user, type: .passwordChange, code: .update))
        guard outcome.allowed else {
            return .error(request.id, .denied, "refused by policy", policies: outcome.response.determiningPolicies)
        }
        let hash = try await context.passwords.hash(new)
        // Whoever else held the old password loses their sessions with it (issue 16, item 5).
        let kept = session?.tokenHash
        try context.gate.database.setPassword(userID: user.id, hash: hash, mustChange: false, keeping: kept)
        // The session that replaced a one-time password is the one that may enrol a first second factor.
        if user.mustChangePassword, let kept { try context.gate.database.markMayEnrol(tokenHash: kept) }
        context.hub.endSessions(ofUser: user.id, keeping: kept)
        return ServerReply(id: request.id, type: "password.change")
    }
}
