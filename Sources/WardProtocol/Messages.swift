/// The wire protocol (docs/PROTOCOL.md): JSON text frames over a TLS WebSocket at /v1/ws.
/// Every client request carries an `id` and a `type`; every reply echoes the `id`.
public enum WireProtocol {
    /// The protocol version this code speaks, negotiated by `hello`.
    public static let version = 1
    /// Largest frame the server accepts, in bytes.
    public static let maxFrameBytes = 64 * 1024
    /// WebSocket path.
    public static let path = "/v1/ws"
}

/// A request from client to server.
public struct ClientRequest: Codable, Hashable, Sendable {
    public var id: Int
    public var type: String
    // Fields of the individual requests; which are required depends on `type`.
    public var version: Int?
    public var username: String?
    public var password: String?
    public var token: String?
    public var currentPassword: String?
    public var newPassword: String?

    public init(id: Int, type: String, version: Int? = nil, username: String? = nil, password: String? = nil,
                token: String? = nil, currentPassword: String? = nil, newPassword: String? = nil) {
        self.id = id
        self.type = type
        self.version = version
        self.username = username
        self.password = password
        self.token = token
        self.currentPassword = currentPassword
        self.newPassword = newPassword
    }
}

/// A reply (or, with `id` nil, an event) from server to client.
public struct ServerReply: Codable, Hashable, Sendable {
    public var id: Int?
    public var type: String
    public var version: Int?
    public var server: String?
    public var token: String?
    public var userID: String?
    public var role: String?
    public var mustChangePassword: Bool?
    /// For `type == "error"`.
    public var code: ErrorCode?
    public var message: String?
    /// For denials: the policies that decided.
    public var policies: [String]?

    public init(id: Int?, type: String) {
        self.id = id
        self.type = type
    }

    public static func error(_ id: Int?, _ code: ErrorCode, _ message: String, policies: [String]? = nil) -> ServerReply {
        var reply = ServerReply(id: id, type: "error")
        reply.code = code
        reply.message = message
        reply.policies = policies
        return reply
    }
}

/// Error codes of `error` replies.
public enum ErrorCode: String, Codable, Hashable, Sendable {
    /// The frame is not a JSON object of the expected shape (or not valid UTF-8).
    case badRequest = "bad_request"
    /// `type` is not a request this server knows.
    case unknownType = "unknown_type"
    /// The first request must be `hello` with a supported version.
    case helloRequired = "hello_required"
    case unsupportedVersion = "unsupported_version"
    /// The request needs a signed-in session.
    case notAuthenticated = "not_authenticated"
    /// Username or password is wrong (the same answer for unknown users).
    case invalidCredentials = "invalid_credentials"
    /// A policy refused the request; `policies` names the deciding policies.
    case denied
    /// The password must be changed before anything else.
    case passwordChangeRequired = "password_change_required"
    /// The new password is too short or equal to the current one.
    case weakPassword = "weak_password"
    /// The session expired (idle or absolute limit) or was ended.
    case sessionExpired = "session_expired"
    /// The server could not record the request in the audit log, so it did not act.
    case unavailable
}
