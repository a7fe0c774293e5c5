/// The payloads of account administration (docs/PROTOCOL.md, "Administration"), for Admins.
/// The requests that name one account and the care-team changes share their payloads' shapes
/// (PayloadShapes.swift).

/// `user.create`: a new account with its `role`; `displayName` defaults to the username.
public struct UserCreate: RequestPayload {
    public static let type = RequestType.userCreate
    public typealias Answer = Reply.AccountChange
    public var username: String
    public var role: String
    public var displayName: String?

    public init(username: String, role: String, displayName: String? = nil) {
        (self.username, self.role, self.displayName) = (username, role, displayName)
    }
}
