import Foundation
import WardAudit
import WardCrypto
import WardE2EE
import WardPolicy
import WardProtocol
import WardStore

/// Rooms and their members: who is in a room is the server's to say, what kind of room a role
/// may be in the policies'.
extension ConversationService {
    // MARK: Rooms

    func createRoom(_ creation: RoomCreate, _ user: UserRecord) async throws -> Reply.Room {
        guard let kind = RoomRecord.Kind(rawValue: creation.kind) else {
            throw ReplyError(code: .badRequest, message: "kind must be staff or care")
        }
        let direct = creation.direct ?? false
        let name = creation.name ?? (direct ? "direct" : "")
        guard DisplayNames.isAcceptable(name) else {
            throw ReplyError(code: .badRequest, message: "name must be 1-128 characters without control or formatting characters")
        }
        var patientID: String?
        if kind == .care {
            let patient = try lookUp(id: try require(creation.patientID, "patientID"), what: "patient")
            guard patient.role == .patient else { throw ReplyError(code: .badRequest, message: "patientID does not name a Patient account") }
            patientID = patient.id
        }
        let requested = creation.members ?? []
        guard requested.count <= 256 else { throw ReplyError(code: .badRequest, message: "at most 256 members at creation") }
        var invitees: [UserRecord] = []
        for id in Set(requested).subtracting([user.id]).sorted() {
            let member = try lookUp(id: id, what: "member")
            guard member.active else { throw ReplyError(code: .badRequest, message: "a member's account is disabled") }
            invitees.append(member)
        }
        if direct && invitees.count != 1 { throw ReplyError(code: .badRequest, message: "a direct conversation has exactly one other member") }
        let open = creation.open ?? false
        if open && (kind != .staff || direct) {
            throw ReplyError(code: .badRequest, message: "only staff rooms that are not direct conversations can be open")
        }
        let now = Clock.nowSeconds()
        let room = RoomRecord(
            id: "room:" + OpaqueID.make(), kind: kind, patientID: patientID, name: name, direct: direct, createdBy: user.id,
            createdAt: now, open: open)
        // Each invitee is asked about first, so that an allowed creation is one that happens.
        for invitee in invitees {
            try await context.gate.require(invitation(of: invitee, by: user, to: room))
        }
        try await context.gate.require(try roomRequest(user, .roomCreate, room, code: .create, details: ["members": "\(invitees.count + 1)"]))
        let hub = context.hub
        let members = [user.id] + invitees.map(\.id)
        try await context.gate.database.write(
            { transaction in
                try transaction.createRoom(room, members: members, at: now)
            },
            afterCommit: { _ in
                hub.post(Events.encode(.room, Reply.Room(room: Self.info(room))), toUsers: members)
            })
        return Reply.Room(room: Self.info(room))
    }

    /// May `invitee` be in `room`? Asked of the policies with the invitee as principal; the audit
    /// entry names the member who asked.
    func invitation(of invitee: UserRecord, by inviter: UserRecord, to room: RoomRecord) -> Gate.Request {
        var request = Gate.Request(
            principal: invitee, action: .roomJoin, resource: ClinicModel.room(room), event: "room.invite", code: .update,
            objectType: "room", objectID: room.id, subjectID: invitee.id, secondFactor: true)
        request.auditActor = inviter
        return request
    }

    /// room.invite (`inviting` names who), room.join (the asker, into an open staff room).
    func addMember(_ type: RequestType, roomID: String, inviting invitee: String?, _ user: UserRecord) async throws
        -> Reply.Room
    {
        guard let room = try context.gate.database.room(id: roomID) else { throw ReplyError(code: .notFound, message: "no such room") }
        let joining: UserRecord
        // A direct conversation keeps its two people; anyone else joins only by invitation,
        // unless the owner opened the room (issue 16, item 4).
        let invitationRequired = ReplyError(
            code: .invitationRequired,
            message: room.direct
                ? "a direct conversation has exactly its two people; start a new conversation instead"
                : "this room is joined by invitation: ask a member to invite you (room.invite)",
            object: ("room", room.id), subjectID: room.patientID ?? "")
        if type == .roomInvite {
            _ = try memberRoom(roomID, user)
            guard !room.direct else { throw invitationRequired }
            joining = try lookUp(id: try require(invitee, "userID"), what: "user")
            guard joining.active else { throw ReplyError(code: .badRequest, message: "that account is disabled") }
            try await context.gate.require(try roomRequest(user, .roomInvite, room, code: .update, subject: joining.id))
            try await context.gate.require(invitation(of: joining, by: user, to: room))
        } else {
            guard room.open, !room.direct else { throw invitationRequired }
            joining = user
            try await context.gate.require(try roomRequest(user, .roomJoin, room, code: .update))
        }
        let hub = context.hub
        let invited = type == .roomInvite
        let updated = try await context.gate.database.write(
            { transaction in
                let updated = try transaction.addMember(roomID: roomID, userID: joining.id, invited: invited, at: Clock.nowSeconds())
                return (updated, try transaction.memberIDs(roomID: roomID))
            },
            afterCommit: { updated, members in
                hub.post(Events.encode(.room, Reply.Room(room: Self.info(updated))), toUsers: [joining.id])
                hub.post(Events.membership(.memberJoined, roomID: roomID, userID: joining.id, epoch: updated.epoch), toUsers: members)
            }
        ).0
        return Reply.Room(room: Self.info(updated))
    }

    /// room.leave (the asker), room.remove (`removing` names who).
    func removeMember(_ type: RequestType, roomID: String, removing member: String?, _ user: UserRecord)
        async throws -> Reply.RoomLeft
    {
        let (room, _) = try memberRoom(roomID, user)
        let leaving: String
        if type == .roomRemove {
            // The owner removes others; an Admin too, in staff rooms (issue 16, item 4).
            guard room.createdBy == user.id || (user.role == .admin && room.kind == .staff) else {
                throw ReplyError(
                    code: .notOwner, message: "only the room's owner (or an Admin, in a staff room) removes others",
                    object: ("room", room.id), subjectID: room.patientID ?? "")
            }
            leaving = try require(member, "userID")
            guard try context.gate.database.membership(roomID: room.id, userID: leaving) != nil else {
                throw ReplyError(code: .notAMember, message: "that user is not a member of the room", object: ("room", room.id))
            }
            try await context.gate.require(try roomRequest(user, .roomRemove, room, code: .delete, subject: leaving))
        } else {
            leaving = user.id
            try await context.gate.require(try roomRequest(user, .roomLeave, room, code: .delete))
        }
        try await Self.removeFromRoom(room.id, userID: leaving, removedBy: type == .roomRemove ? user.id : nil, context: context)
        return Reply.RoomLeft(roomID: room.id)
    }

    /// Removes a member and tells the room and the one who left; later messages use keys they never get.
    static func removeFromRoom(_ roomID: String, userID: String, removedBy: String? = nil, context: ServerContext) async throws {
        let hub = context.hub
        _ = try await context.gate.database.write(
            { transaction in
                let updated = try transaction.removeMember(roomID: roomID, userID: userID, removedBy: removedBy, at: Clock.nowSeconds())
                return (updated, try transaction.memberIDs(roomID: roomID))
            },
            afterCommit: { updated, members in
                hub.post(Events.membership(.memberLeft, roomID: roomID, userID: userID, epoch: updated.epoch), toUsers: members + [userID])
            })
    }

    func listRooms(_ user: UserRecord) async throws -> Reply.Rooms {
        try await context.gate.require(selfRequest(user, type: .roomList, code: .read))
        return Reply.Rooms(
            rooms: try context.gate.database.rooms(ofUser: user.id).map { room, member, unread in
                var info = Self.info(room)
                info.firstSeq = member.firstSeq
                info.readSeq = member.readSeq
                info.unread = unread
                return info
            })
    }

    func listMembers(_ asked: NamedRoom<RoomMembers>, _ user: UserRecord) async throws -> Reply.RoomMembers {
        let (room, _) = try memberRoom(asked.roomID, user)
        try await context.gate.require(try roomRequest(user, .roomMembers, room, code: .read))
        let database = context.gate.database
        return Reply.RoomMembers(
            roomID: room.id,
            roomMembers: try database.members(roomID: room.id).compactMap { member in
                guard let account = try database.user(id: member.userID) else { return nil }
                return MemberInfo(
                    userID: account.id, displayName: account.displayName, role: account.role.rawValue,
                    presence: context.hub.presence(of: account.id), readSeq: member.readSeq, deliveredSeq: member.deliveredSeq)
            })
    }
}
