/// The payloads of account administration (docs/PROTOCOL.md, "Administration"): accounts and
/// care teams, for Admins.

/// `user.create`: a new account with its `role`; `displayName` defaults to the username.
public struct UserCreate: RequestPayload {
    public static let type = RequestType.userCreate
    public var username: String
    public var role: String
    public var displayName: String?

    public init(username: String, role: String, displayName: String? = nil) {
        (self.username, self.role, self.displayName) = (username, role, displayName)
    }
}

/// The requests that name one account, by `userID` or by `username`: `user.show`,
/// `user.disable`, `user.enable`, `user.reset-password`, `user.reset-second-factor`.
public protocol NamedAccountRequest: Sendable {
    static var type: RequestType { get }
}

public enum UserShow: NamedAccountRequest { public static let type = RequestType.userShow }
public enum UserDisable: NamedAccountRequest { public static let type = RequestType.userDisable }
public enum UserEnable: NamedAccountRequest { public static let type = RequestType.userEnable }
public enum UserResetPassword: NamedAccountRequest { public static let type = RequestType.userResetPassword }
public enum UserResetSecondFactor: NamedAccountRequest { public static let type = RequestType.userResetSecondFactor }

/// One of the `NamedAccountRequest`s, naming its account: `NamedAccount<UserDisable>(username: "ann")`.
public struct NamedAccount<Request: NamedAccountRequest>: RequestPayload {
    public static var type: RequestType { Request.type }
    public var userID: String?
    public var username: String?

    public init(userID: String? = nil, username: String? = nil) { (self.userID, self.username) = (userID, username) }
}

/// The requests that put a clinician on or take them off a patient's care team:
/// `careteam.add`, `careteam.remove`.
public protocol CareTeamChangeRequest: Sendable {
    static var type: RequestType { get }
}

public enum CareTeamAdd: CareTeamChangeRequest { public static let type = RequestType.careTeamAdd }
public enum CareTeamRemove: CareTeamChangeRequest { public static let type = RequestType.careTeamRemove }

/// One of the `CareTeamChangeRequest`s: `CareTeamChange<CareTeamAdd>(patientID:clinicianID:)`.
public struct CareTeamChange<Request: CareTeamChangeRequest>: RequestPayload {
    public static var type: RequestType { Request.type }
    public var patientID: String
    public var clinicianID: String

    public init(patientID: String, clinicianID: String) { (self.patientID, self.clinicianID) = (patientID, clinicianID) }
}

/// `careteam.list`: a patient's care team.
public struct CareTeamList: RequestPayload {
    public static let type = RequestType.careTeamList
    public var patientID: String

    public init(patientID: String) { self.patientID = patientID }
}
