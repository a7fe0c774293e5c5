import Foundation
import WardCrypto
import WardE2EE
import WardProtocol
import WardStore

/// What the wire carries of stored records (docs/PROTOCOL.md): ids, names and ciphertext as the
/// clients read them. Shared by every domain, since a reply of one names records of another.
extension RequestHandling {
    static func info(_ room: RoomRecord) -> RoomInfo {
        var info = RoomInfo(
            roomID: room.id, kind: room.kind.rawValue, name: room.name, direct: room.direct, patientID: room.patientID, lastSeq: room.lastSeq,
            epoch: room.epoch)
        info.open = room.open ? true : nil
        return info
    }

    /// The envelope of a stored message; nil once its sender's key for the room is destroyed (erased).
    func storedEnvelope(_ message: MessageRecord) throws -> Envelope? {
        guard let json = try context.subjectKeys.open(message.envelope, subject: message.senderID, scope: message.roomID, context: message.id) else {
            return nil
        }
        return try JSONDecoder().decode(Envelope.self, from: json)
    }

    static func info(_ message: MessageRecord, envelope: Envelope) -> MessageInfo {
        MessageInfo(
            roomID: message.roomID, seq: message.seq, messageID: message.id, senderID: message.senderID,
            senderDevice: message.senderDevice, sentAt: message.sentAt, envelope: envelope)
    }

    static func info(_ entry: AvailabilityRecord) -> AvailabilityInfo {
        AvailabilityInfo(
            availabilityID: Int(entry.id ?? 0), clinicianID: entry.clinicianID, kind: entry.kind.rawValue, weekday: entry.weekday,
            startMinute: entry.startMinute, endMinute: entry.endMinute, startsAt: entry.startsAt, endsAt: entry.endsAt,
            slotMinutes: entry.slotMinutes, location: entry.location)
    }

    static func publicKeys(_ record: DeviceRecord) -> DeviceKeys {
        DeviceKeys(
            deviceID: record.id, userID: record.userID, suites: record.suites.split(separator: ",").map(String.init),
            encryptionKey: Base64.encode(Array(record.encryptionKey)), signingKey: Base64.encode(Array(record.signingKey)),
            signature: Base64.encode(Array(record.signature)), identityKey: record.identityKey.map { Base64.encode(Array($0)) },
            identitySignature: record.identitySignature.map { Base64.encode(Array($0)) })
    }

    static func info(_ user: UserRecord) -> UserInfo {
        UserInfo(userID: user.id, username: user.username, displayName: user.displayName, role: user.role.rawValue, active: user.active)
    }
}
