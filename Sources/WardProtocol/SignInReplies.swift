extension Reply {
    /// `hello`: the protocol version and the server's opaque id.
    public struct Greeting: ReplyPayload {
        public var version: Int
        public var server: String

        public init(version: Int, server: String) { (self.version, self.server) = (version, server) }
    }

    /// `session`, to `login` and `resume`: who is signed in, and how.
    public struct Session: ReplyPayload {
        /// The session's token, to `resume` with; only in the reply to `login`.
        public var token: String?
        public var userID: String
        public var role: String
        public var mustChangePassword: Bool
        /// Whether it was signed in with a second factor.
        public var secondFactor: Bool
        /// Seconds without a request after which the session ends, so that a client clears its
        /// screen then (the web client's automatic logoff).
        public var idleSeconds: Int
        /// For Admins: what needs their attention, e.g. `backup_stale`.
        public var warnings: [String]?

        public init(
            token: String?, userID: String, role: String, mustChangePassword: Bool, secondFactor: Bool, idleSeconds: Int,
            warnings: [String]?
        ) {
            (self.token, self.userID, self.role, self.mustChangePassword) = (token, userID, role, mustChangePassword)
            (self.secondFactor, self.idleSeconds, self.warnings) = (secondFactor, idleSeconds, warnings)
        }
    }

    /// `user`, to `whoami`: the account signed in, and its entry (`users`, one).
    public struct SignedIn: ReplyPayload {
        public var userID: String
        public var role: String
        public var mustChangePassword: Bool
        public var users: [UserInfo]

        public init(userID: String, role: String, mustChangePassword: Bool, users: [UserInfo]) {
            (self.userID, self.role, self.mustChangePassword, self.users) = (userID, role, mustChangePassword, users)
        }
    }

    /// `totp.enroll`: the new secret (base32) and its otpauth URI, shown once.
    public struct SecondFactorSecret: ReplyPayload {
        public var secret: String
        public var uri: String

        public init(secret: String, uri: String) { (self.secret, self.uri) = (secret, uri) }
    }

    /// `totp.confirm`: single-use recovery codes, shown once; the session now has a second factor.
    public struct RecoveryCodes: ReplyPayload {
        public var recoveryCodes: [String]
        public var secondFactor: Bool

        public init(recoveryCodes: [String]) { (self.recoveryCodes, secondFactor) = (recoveryCodes, true) }
    }
}
