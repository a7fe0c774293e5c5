/// The payloads of greeting, signing in and the session's own requests (docs/PROTOCOL.md,
/// "Sessions").

/// `hello`: the protocol version the client speaks.
public struct Hello: RequestPayload {
    public static let type = RequestType.hello
    public typealias Answer = Reply.Greeting
    public var version: Int

    public init(version: Int = WireProtocol.version) { self.version = version }
}

/// `login`: username and password, and the second factor (`totp`: a current code or a
/// recovery code) when the account has one.
public struct Login: RequestPayload {
    public static let type = RequestType.login
    public typealias Answer = Reply.Session
    public var username: String
    public var password: String
    public var totp: String?

    public init(username: String, password: String, totp: String? = nil) {
        (self.username, self.password, self.totp) = (username, password, totp)
    }
}

/// `resume`: a session continued on a new connection with its token.
public struct Resume: RequestPayload {
    public static let type = RequestType.resume
    public typealias Answer = Reply.Session
    public var token: String

    public init(token: String) { self.token = token }
}

/// `password.change`: the current password and the new one.
public struct PasswordChange: RequestPayload {
    public static let type = RequestType.passwordChange
    public typealias Answer = Reply.Done
    public var currentPassword: String
    public var newPassword: String

    public init(currentPassword: String, newPassword: String) { (self.currentPassword, self.newPassword) = (currentPassword, newPassword) }
}

/// `totp.enroll`: starts a second factor's set-up; `enrolmentCode` is the code an Admin's reset
/// gave, needed unless this session replaced a one-time password.
public struct TOTPEnroll: RequestPayload {
    public static let type = RequestType.totpEnroll
    public typealias Answer = Reply.SecondFactorSecret
    public var enrolmentCode: String?

    public init(enrolmentCode: String? = nil) { self.enrolmentCode = enrolmentCode }
}

/// `totp.confirm`: the authenticator's current code, proving the set-up.
public struct TOTPConfirm: RequestPayload {
    public static let type = RequestType.totpConfirm
    public typealias Answer = Reply.RecoveryCodes
    public var totp: String

    public init(totp: String) { self.totp = totp }
}
