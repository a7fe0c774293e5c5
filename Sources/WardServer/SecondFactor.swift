import Foundation
import WardAudit
import WardCrypto
import WardProtocol
import WardPolicy
import WardStore

/// TOTP second factor: enrolment, confirmation with recovery codes, and checking at sign-in.
/// Secrets are sealed under the master key with the account id as associated data; recovery
/// codes are stored as SHA-256 hashes and work once.
extension Connection {
    func enrollSecondFactor(_ enrolment: TOTPEnroll, _ user: UserRecord) async throws -> Reply.SecondFactorSecret {
        let database = context.gate.database
        if let existing = try database.totp(userID: user.id), existing.confirmed {
            throw ReplyError(code: .conflict, message: "a second factor is already set up; an administrator can reset it (user.reset-second-factor)")
        }
        // Whoever next holds the password must not be the one who binds the account's second
        // factor (issue 16, item 8): only the session that replaced the one-time password may,
        // or one that presents the enrolment code an Admin issued with the reset.
        guard let current = session, let stored = try database.session(tokenHash: current.tokenHash) else {
            throw ReplyError(code: .notAuthenticated, message: "sign in first (login or resume)")
        }
        if !stored.mayEnrol {
            guard let code = enrolment.enrolmentCode,
                try await database.consumeEnrolmentCode(userID: user.id, codeHash: Self.recoveryHash(code), at: Clock.nowSeconds())
            else {
                throw ReplyError(
                    code: .enrolmentCodeRequired,
                    message: "a second factor is enrolled in the session that replaced the one-time "
                        + "password, or with the enrolment code an administrator gives when resetting it: send enrolmentCode")
            }
            try await database.markMayEnrol(tokenHash: current.tokenHash)
        }
        try await context.gate.require(selfRequest(user, type: .totpEnroll, code: .create))
        let totp = TOTP.generate()
        try await database.save(TOTPRecord(userID: user.id, sealedSecret: try seal(totp.secret, for: user.id), confirmed: false, lastStep: nil))
        return Reply.SecondFactorSecret(secret: totp.base32Secret, uri: totp.uri(issuer: "Ward", account: user.username))
    }

    func confirmSecondFactor(_ confirmation: TOTPConfirm, _ user: UserRecord) async throws -> Reply.RecoveryCodes {
        let code = confirmation.totp
        let database = context.gate.database
        guard var record = try database.totp(userID: user.id), !record.confirmed else {
            throw ReplyError(code: .notFound, message: "no second factor is being set up: send totp.enroll first")
        }
        let totp = TOTP(secret: try open(record.sealedSecret, for: user.id))
        guard let step = totp.verify(code, at: Clock.nowSeconds(), lastUsed: record.lastStep) else {
            try await context.gate.record(
                "totp.confirm", code: .update, outcome: .minorFailure, actorID: user.id, actorRole: user.role.rawValue,
                objectType: "user", objectID: user.id, details: ["reason": "invalid-second-factor"])
            throw ReplyError(code: .invalidCredentials, message: "the code is wrong or expired; enter the current code")
        }
        try await context.gate.require(selfRequest(user, type: .totpConfirm, code: .update))
        record.confirmed = true
        record.lastStep = step
        try await database.save(record)
        let codes = (0..<10).map { _ in OneTimePassword.make(length: 12) }
        try await database.setRecoveryCodes(userID: user.id, hashes: codes.map(Self.recoveryHash))
        // The code just shown proves the second factor for this session too.
        try await upgradeToSecondFactor()
        return Reply.RecoveryCodes(recoveryCodes: codes)
    }

    /// True when `presented` is the current TOTP code (not used before) or an unused recovery code.
    func checkSecondFactor(_ presented: String, record: TOTPRecord, user: UserRecord) async throws -> Bool {
        let database = context.gate.database
        let totp = TOTP(secret: try open(record.sealedSecret, for: user.id))
        // Claimed in one statement, so that two sign-ins racing with the same code cannot both
        // use it (RFC 6238 §5.2: a code is accepted once; issue 16, item 10).
        if let step = totp.verify(presented, at: Clock.nowSeconds(), lastUsed: record.lastStep) {
            return try await database.claimTOTPStep(userID: user.id, step: step)
        }
        return try await database.consumeRecoveryCode(userID: user.id, hash: Self.recoveryHash(presented))
    }

    private func seal(_ secret: SecureBytes, for userID: String) throws -> Data {
        Data(try XChaCha20Poly1305.seal(secret.copyBytes(), key: context.masterKey, associatedData: Array(("totp:" + userID).utf8)).combined)
    }

    private func open(_ sealed: Data, for userID: String) throws -> SecureBytes {
        let message = try XChaCha20Poly1305.SealedMessage(combined: Array(sealed))
        return SecureBytes(try XChaCha20Poly1305.open(message, key: context.masterKey, associatedData: Array(("totp:" + userID).utf8)))
    }
}
