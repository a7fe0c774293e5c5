import Foundation
import WardAudit
import WardCrypto
import WardE2EE
import WardPolicy
import WardProtocol
import WardStore

/// Who is online (the hub tells the rooms they share) and finding people to talk with.
extension Connection {
    // MARK: Presence and the hub

    /// Called when this connection's session starts: it now receives events, until the session
    /// ends unless used again.
    func signedOn(_ userID: String, session tokenHash: String, sessionEndsAt: Int64) {
        if context.hub.attach(connectionID, userID: userID, session: tokenHash, outbox: outbox, sessionEndsAt: sessionEndsAt) {
            announcePresence(of: userID)
        }
    }

    /// Called at logout, at session expiry and when the connection closes.
    func signedOff() {
        device = nil
        if let userID = context.hub.detach(connectionID) { announcePresence(of: userID) }
    }

}

extension RequestHandling {
    /// Tells the people who share a room with `userID` that their presence changed.
    func announcePresence(of userID: String) {
        guard let peers = try? context.gate.database.roomPeers(of: userID) else { return }
        let event = Events.encode(.presence, Reply.Presence(userID: userID, status: context.hub.presence(of: userID)))
        context.hub.post(event, toUsers: peers.filter { $0 != userID })
    }
}

extension ConversationService {
    func setPresence(_ presence: PresenceSet, _ user: UserRecord) async throws -> Reply.Presence {
        let status = presence.status
        guard ["online", "away"].contains(status) else { throw ReplyError(code: .badRequest, message: "status must be online or away") }
        try await context.gate.require(selfRequest(user, type: .presenceSet, code: .update))
        _ = context.hub.setAway(scope.connectionID, status == "away")
        announcePresence(of: user.id)
        return Reply.Presence(userID: nil, status: context.hub.presence(of: user.id))
    }

    // MARK: Finding people

    /// One account by its exact username, for starting a conversation: its id, display name and
    /// role, when the policies let the asker find it. No listing, no partial matches.
    func findUser(_ search: UserFind, _ user: UserRecord) async throws -> Reply.Users {
        let username = search.username
        let database = context.gate.database
        guard let found = try database.user(named: username), found.active else {
            throw ReplyError(code: .notFound, message: "no active account has that username")
        }
        let resource = ClinicModel.principal(found, careTeamsOf: try database.patients(ofClinician: found.id))
        try await context.gate.require(
            Gate.Request(
                principal: user, action: .directoryFind, resource: resource, event: RequestType.userFind.rawValue,
                code: .read, objectType: "user", objectID: found.id, subjectID: found.id, secondFactor: hasSecondFactor))
        return Reply.Users(users: [Self.info(found)])
    }
}
