import Foundation
import Logging
import WardAudit
import WardCrypto
import WardPolicy
import WardProtocol
import WardStore

/// Signing in and out: passwords, second factors, sessions resumed and ended, password changes.
extension Connection {
    func login(_ signIn: Login) async throws -> Reply.Session {
        let username = signIn.username
        let password = signIn.password
        let gate = context.gate
        let user = try gate.database.user(named: username)
        let throttleKeys = SignInThrottle.keys(username: username, source: sourceAddress)
        // Before the password is looked at: a blocked attempt gets the same answer whether its
        // password was right or wrong.
        let wait = context.throttle.wait(throttleKeys, now: Clock.nowSeconds())
        guard wait == 0 else {
            try await gate.record(
                "auth.login", code: .execute, outcome: .minorFailure, actorID: user?.id ?? "anonymous",
                actorRole: user?.role.rawValue ?? "none", details: ["reason": "throttled", "retry-after": "\(wait)"])
            throw Refused(
                .signInThrottled, "too many failed sign-ins for this account or from this address: try again in \(wait) seconds",
                retryAfter: Int(wait))
        }
        // Unknown users and wrong passwords take the same time and get the same answer.
        let matches = try await context.passwords.verify(password, against: user?.passwordHash)
        guard let user else {
            context.throttle.failed(throttleKeys, now: Clock.nowSeconds())
            try await gate.record(
                "auth.login", code: .execute, outcome: .minorFailure, commitments: try sourceCommitment(),
                details: ["reason": "invalid-credentials"])
            throw Refused(.invalidCredentials, "wrong username or password")
        }
        guard matches else { throw try await refuseSignIn(user, reason: "invalid-credentials", throttleKeys: throttleKeys) }
        // An account with a confirmed second factor must present it.
        var secondFactor = false
        if let totp = try gate.database.totp(userID: user.id), totp.confirmed {
            guard let presented = signIn.totp else {
                throw Refused(.secondFactorRequired, "this account signs in with a second factor: send totp")
            }
            guard try await checkSecondFactor(presented, record: totp, user: user) else {
                throw try await refuseSignIn(user, reason: "invalid-second-factor", throttleKeys: throttleKeys)
            }
            secondFactor = true
        }
        let outcome = try await decideSignIn(user, as: .login, secondFactor: secondFactor)
        guard outcome.allowed else {
            throw Refused(.denied, "sign-in refused by policy", policies: outcome.response.determiningPolicies)
        }
        return try await startSession(user, password: password, secondFactor: secondFactor, throttleKeys: throttleKeys)
    }

    /// A known account's failed sign-in (a wrong password or second factor): counted for the
    /// throttle and the account, audited with the source's erasable commitment, and answered as an
    /// unknown account is: the refusal to throw.
    func refuseSignIn(_ user: UserRecord, reason: String, throttleKeys: [SignInThrottle.Key]) async throws -> Refused {
        let failures = context.throttle.failed(throttleKeys, now: Clock.nowSeconds())
        _ = try await context.gate.database.recordFailedLogin(userID: user.id)
        try await context.gate.record(
            "auth.login", code: .execute, outcome: .minorFailure, actorID: user.id, actorRole: user.role.rawValue,
            subjectID: user.id, commitments: try sourceCommitment(), details: ["reason": reason, "failed-logins": "\(failures)"])
        return Refused(.invalidCredentials, "wrong username or password")
    }

    /// An allowed sign-in: the failure counts cleared, an old password hash renewed, and a new
    /// session (its token only in the reply; the database keeps its hash).
    func startSession(_ user: UserRecord, password: String, secondFactor: Bool, throttleKeys: [SignInThrottle.Key]) async throws
        -> Reply.Session
    {
        let gate = context.gate
        try await gate.database.resetFailedLogins(userID: user.id)
        context.throttle.succeeded(throttleKeys)
        // Hashes made with older parameters are replaced while the password is at hand.
        if context.passwords.hasher.needsRehash(user.passwordHash) {
            try await gate.database.rehashPassword(userID: user.id, hash: try await context.passwords.hash(password))
        }
        let token = SessionToken.make()
        let now = Clock.nowSeconds()
        try await gate.database.insert(
            SessionRecord(
                tokenHash: SessionToken.hash(token), userID: user.id, createdAt: now, lastSeenAt: now,
                secondFactor: secondFactor))
        session = (SessionToken.hash(token), user.id, secondFactor)
        signedOn(
            user.id, session: SessionToken.hash(token),
            sessionEndsAt: context.limits.end(of: SessionRecord(tokenHash: "", userID: user.id, createdAt: now, lastSeenAt: now), lastUse: now))
        return sessionReply(user, token: token, secondFactor: secondFactor)
    }

    /// The failed sign-in's source address, kept erasable outside the log (audit/FORMAT.md §7):
    /// an IP address is personal data (GDPR Recital 30), the log is never rewritten, and log-in
    /// monitoring (HIPAA 164.308(a)(5)(ii)(C)) needs it (`security.signins`).
    func sourceCommitment() throws -> [Hash32] {
        guard let sourceAddress else { return [] }
        return [try context.auditTexts.commit(SignInMonitor.sourcePrefix + sourceAddress)]
    }

    /// Sign-in and resume ask the same question of the policies: may this account have a session now?
    func decideSignIn(_ user: UserRecord, as type: RequestType, secondFactor: Bool) async throws -> Gate.Outcome {
        try await context.gate.decide(
            Gate.Request(
                principal: user, action: .sessionLogin, resource: Entity(uid: ClinicModel.service),
                context: ["failedLogins": .long(Int64(user.failedLogins))],
                event: type.auditEvent ?? type.rawValue, code: .execute, objectType: "service", objectID: "ward", secondFactor: secondFactor
            ))
    }

    func sessionReply(_ user: UserRecord, token: String?, secondFactor: Bool) -> Reply.Session {
        // Admins are told at sign-in when the newest backup is older than the schedule allows.
        let stale = user.role == .admin && context.backups?.status().stale == true
        return Reply.Session(
            token: token, userID: user.id, role: user.role.rawValue, mustChangePassword: user.mustChangePassword, secondFactor: secondFactor,
            idleSeconds: Int(context.limits.idleSeconds), warnings: stale ? ["backup_stale"] : nil)
    }

    /// Ends a session past its limits, recording the automatic logoff.
    func endExpired(tokenHash: String, userID: String) async throws {
        try await context.gate.database.deleteSession(tokenHash: tokenHash)
        try await context.gate.record("auth.timeout", code: .delete, outcome: .success, actorID: userID, details: ["reason": "session-expired"])
    }

    func resume(_ resumption: Resume) async throws -> Reply.Session {
        let token = resumption.token
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
            throw Refused(.sessionExpired, "the session has ended; sign in again")
        }
        let outcome = try await decideSignIn(user, as: .resume, secondFactor: stored.secondFactor)
        guard outcome.allowed else {
            throw Refused(.denied, "session refused by policy", policies: outcome.response.determiningPolicies)
        }
        try await touch(stored, at: now)
        session = (hash, user.id, stored.secondFactor)
        signedOn(user.id, session: hash, sessionEndsAt: context.limits.end(of: stored, lastUse: now))
        return sessionReply(user, token: nil, secondFactor: stored.secondFactor)
    }

    /// The signed-in user, after checking the session is still within its limits.
    func signedIn() async throws -> UserRecord {
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
    func touch(_ stored: SessionRecord, at now: Int64) async throws {
        guard now - stored.lastSeenAt >= context.limits.touchInterval else { return }
        let hash = stored.tokenHash
        try await context.gate.database.write { try $0.touchSession(tokenHash: hash, at: now) }
    }

    /// The signed-in user, once they have replaced their one-time password: until then only
    /// `password.change`, `whoami` and `logout` are answered.
    func signedInWithOwnPassword() async throws -> UserRecord {
        let user = try await signedIn()
        guard !user.mustChangePassword else {
            throw ReplyError(code: .passwordChangeRequired, message: "change the one-time password first (password.change)")
        }
        return user
    }

    /// Whether this connection's session was signed in with a second factor.
    var hasSecondFactor: Bool { session?.secondFactor ?? false }

    /// Marks this connection's session as having a second factor (after enrolment proves it).
    func upgradeToSecondFactor() async throws {
        guard let current = session else { return }
        try await context.gate.database.markSecondFactor(tokenHash: current.tokenHash)
        session = (current.tokenHash, current.userID, true)
    }

    func logout(_ user: UserRecord) async throws -> Reply.Done {
        let outcome = try await context.gate.decide(selfRequest(user, type: .logout, code: .delete))
        guard outcome.allowed, let session else {
            throw Refused(.denied, "logout refused by policy", policies: outcome.response.determiningPolicies)
        }
        try await context.gate.database.deleteSession(tokenHash: session.tokenHash)
        self.session = nil
        signedOff()
        // Other connections that resumed the same session get no more events either.
        context.hub.endSession(tokenHash: session.tokenHash)
        return Reply.Done()
    }

    func whoami(_ user: UserRecord) async throws -> Reply.SignedIn {
        try await context.gate.require(selfRequest(user, type: .whoami, code: .read))
        return Reply.SignedIn(userID: user.id, role: user.role.rawValue, mustChangePassword: user.mustChangePassword, users: [Self.info(user)])
    }

    func changePassword(_ change: PasswordChange, _ user: UserRecord) async throws -> Reply.Done {
        let current = change.currentPassword
        let new = change.newPassword
        // Check what the request says before asking the policies, so the audit entry of an
        // allowed change records a change that then happens.
        guard try await context.passwords.verify(current, against: user.passwordHash) else {
            try await context.gate.record(
                "account.password", code: .update, outcome: .minorFailure, actorID: user.id, actorRole: user.role.rawValue,
                objectType: "user", objectID: user.id, details: ["reason": "invalid-credentials"])
            throw ReplyError(code: .invalidCredentials, message: "the current password is wrong")
        }
        guard new.count >= context.minimumPasswordLength else {
            throw ReplyError(code: .weakPassword, message: "the new password must have at least \(context.minimumPasswordLength) characters")
        }
        guard new != current else { throw ReplyError(code: .weakPassword, message: "the new password must differ from the current one") }
        try await context.gate.require(selfRequest(user, type: .passwordChange, code: .update))
        let hash = try await context.passwords.hash(new)
        // Whoever else held the old password loses their sessions with it (issue 16, item 5).
        let kept = session?.tokenHash
        try await context.gate.database.setPassword(userID: user.id, hash: hash, mustChange: false, keeping: kept)
        // The session that replaced a one-time password is the one that may enrol a first second factor.
        if user.mustChangePassword, let kept { try await context.gate.database.markMayEnrol(tokenHash: kept) }
        context.hub.endSessions(ofUser: user.id, keeping: kept)
        return Reply.Done()
    }
}
