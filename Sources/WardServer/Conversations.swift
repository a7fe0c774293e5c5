import Foundation
import WardAudit
import WardCrypto
import WardE2EE
import WardPolicy
import WardProtocol
import WardStore

/// Rooms, members, devices, sender keys, messages, receipts and presence. The server sees who
/// talks to whom and when, never what: messages are envelopes it checks for shape and size,
/// stores and relays. Every request passes the gate; membership is checked before the policies
/// are asked (the policies decide what kind of room a role may be in, the server who is in it).
extension ConversationService {
    // MARK: Pieces

    func requireDevice() throws -> DeviceRecord {
        guard let device = scope.device else {
            throw ReplyError(code: .deviceRequired, message: "register this device's keys first (device.register)")
        }
        return device
    }

    /// The room the request names, and the user's membership of it.
    func memberRoom(_ roomID: String, _ user: UserRecord) throws -> (RoomRecord, RoomMemberRecord) {
        let (found, membership) = try context.gate.database.room(id: roomID, memberID: user.id)
        guard let room = found else { throw ReplyError(code: .notFound, message: "no such room") }
        guard let member = membership else {
            throw ReplyError(
                code: .notAMember, message: "you are not a member of this room", object: ("room", room.id), subjectID: room.patientID ?? "")
        }
        return (room, member)
    }

    func roomRequest(
        _ user: UserRecord, _ type: RequestType, _ room: RoomRecord, code: AuditEvent.Action, subject: String? = nil,
        details: [String: String] = [:]
    ) throws -> Gate.Request {
        Gate.Request(
            principal: user, action: try type.decidingAction, resource: ClinicModel.room(room), context: try consentContext(room),
            event: type.auditEvent ?? type.rawValue, code: code, objectType: "room", objectID: room.id,
            subjectID: subject ?? room.patientID ?? "", secondFactor: hasSecondFactor
        )
        .with(details: details)
    }

    /// A care room's decisions see what its patient consents to now (`context.consents`).
    func consentContext(_ room: RoomRecord) throws -> [String: Value] {
        guard let patient = room.patientID else { return [:] }
        let consents = try context.gate.database.activeConsents(userID: patient)
        return ["consents": .set(Set(consents.map { Value.string($0) }))]
    }
}
