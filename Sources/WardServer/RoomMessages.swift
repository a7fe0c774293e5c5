import Foundation
import WardAudit
import WardCrypto
import WardE2EE
import WardPolicy
import WardProtocol
import WardStore

/// Messages in a room: envelopes checked for shape and size, stored and relayed, and read receipts.
extension ConversationService {
    // MARK: Messages

    func sendMessage(_ send: MessageSend, _ user: UserRecord) async throws -> Reply.Message {
        let device = try requireDevice()
        let (ciphertextSize, room) = try checkedSend(send, user, device: device)
        let (clientMessageID, envelope) = (send.clientMessageID, send.envelope)
        let messageID = "msg:" + OpaqueID.make()
        try await context.gate.require(
            try roomRequest(
                user, .messageSend, room, code: .create,
                details: ["message": messageID, "size": "\(ciphertextSize)", "device": device.id]))
        // Sealed under the sender's key for this room, so that erasing the sender destroys it everywhere.
        let stored = try context.subjectKeys.seal(JSONEncoder.sortedKeys.encode(envelope), subject: user.id, scope: room.id, context: messageID)
        let hub = context.hub
        let connectionID = scope.connectionID
        let urgentAlerts = send.urgent == true ? try urgentAlerts(room: room, sender: user.id) : []
        let alertText = Notifier.messageAlert(careRoom: room.kind == .care)
        let appended = try await context.gate.database.write(
            { transaction -> (WardDatabase.Appended, [String]) in
                let now = Clock.nowMillis()
                let appended = try transaction.appendMessage(
                    roomID: room.id, senderID: user.id, senderDevice: device.id, clientMessageID: clientMessageID,
                    keyID: envelope.keyID, iteration: envelope.iteration, envelope: stored, messageID: messageID,
                    at: now)
                guard !appended.duplicate else { return (appended, []) }
                let members = try transaction.memberIDs(roomID: room.id)
                // Members with no connection are told a message waits (one alert per room until they read it).
                let offline = members.filter { $0 != user.id && hub.presence(of: $0) == "offline" }
                try transaction.addMessageAlerts(userIDs: offline, roomID: room.id, text: alertText, at: now / 1000)
                try transaction.addNotifications(urgentAlerts)
                return (appended, members)
            },
            afterCommit: { appended, members in
                guard !appended.duplicate else { return }
                hub.post(
                    Events.encode(.message, Reply.Message(messageInfo: Self.info(appended.message, envelope: envelope))), toUsers: members,
                    except: connectionID)
            }
        ).0
        return Reply.Message(messageInfo: Self.info(appended.message, envelope: envelope))
    }

    /// A send's checks before it is decided: the client's message id, the envelope's shape, the
    /// room (a member's), the sender key (this device's current one for the room, of the
    /// envelope's suite) and the position (not a replay). An allowed send is then one that is
    /// stored; the write checks the key again inside its transaction.
    func checkedSend(_ send: MessageSend, _ user: UserRecord, device: DeviceRecord) throws -> (ciphertextSize: Int, room: RoomRecord) {
        let (clientMessageID, envelope) = (send.clientMessageID, send.envelope)
        guard (1...64).contains(clientMessageID.utf8.count),
            clientMessageID.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_.:".contains($0)) })
        else {
            throw ReplyError(code: .badRequest, message: "clientMessageID must be 1-64 letters, digits, '-', '_', '.' or ':'")
        }
        let parts: EnvelopeCrypto.Parts
        do { parts = try EnvelopeCrypto.check(envelope) } catch let error as E2EEError {
            throw ReplyError(code: .badRequest, message: "envelope refused: \(error)")
        }
        let (room, _) = try memberRoom(send.roomID, user)
        guard let key = try context.gate.database.senderKey(id: envelope.keyID), key.roomID == room.id, key.senderDevice == device.id,
            key.epoch == room.epoch
        else { throw ConversationRefusal.staleKey }
        guard key.suite == envelope.suite else {
            throw ReplyError(code: .badRequest, message: "the envelope's suite is not its sender key's (\(key.suite))")
        }
        // A resend with the same clientMessageID is answered from the store by the write; another
        // envelope at a stored position is a replay (issue 17).
        guard
            try !context.gate.database.isReplay(
                keyID: envelope.keyID, iteration: envelope.iteration, senderDevice: device.id,
                clientMessageID: clientMessageID)
        else { throw ConversationRefusal.replayed }
        return (parts.ciphertext.count, room)
    }

    func history(_ page: MessageHistory, _ user: UserRecord) async throws -> Reply.History {
        let (room, member) = try memberRoom(page.roomID, user)
        let limit = page.limit ?? 50
        guard (1...200).contains(limit) else { throw ReplyError(code: .badRequest, message: "limit must be 1-200") }
        guard page.after == nil || page.before == nil else { throw ReplyError(code: .badRequest, message: "give after or before, not both") }
        try await context.gate.require(try roomRequest(user, .messageHistory, room, code: .read))
        let records = try context.gate.database.messages(
            roomID: room.id, firstSeq: member.firstSeq, after: page.after, before: page.before, limit: limit)
        return Reply.History(
            roomID: room.id, messages: try records.compactMap { record in try storedEnvelope(record).map { Self.info(record, envelope: $0) } })
    }

    /// An urgent message's alerts: every other member who receives urgent alerts, again until
    /// they read the room.
    func urgentAlerts(room: RoomRecord, sender: String) throws -> [NotificationRecord] {
        let notifier = Notifier(context: context)
        let now = Clock.nowSeconds(), again = context.notificationTimes.urgentRealert
        return try context.gate.database.members(roomID: room.id).map(\.userID).filter { $0 != sender }.filter { try notifier.wants(.urgent, $0) }
            .map {
                NotificationRecord(
                    userID: $0, kind: .urgent, text: Notifier.urgentAlert, refID: room.id, createdAt: now, dueAt: now, alertAgainAt: now + again)
            }
    }

    func markReceipt(_ receipt: Receipt, _ user: UserRecord) async throws -> Reply.Marker {
        let (kind, seq) = (receipt.kind, receipt.seq)
        guard ["read", "delivered"].contains(kind) else { throw ReplyError(code: .badRequest, message: "kind must be read or delivered") }
        guard seq >= 0 else { throw ReplyError(code: .badRequest, message: "seq must not be negative") }
        let (room, _) = try memberRoom(receipt.roomID, user)
        try await context.gate.require(try roomRequest(user, .receipt, room, code: .update, details: ["kind": kind]))
        let hub = context.hub
        let marked = try await context.gate.database.write(
            { transaction in
                let marked = try transaction.markReceipt(roomID: room.id, userID: user.id, read: kind == "read", seq: seq)
                if kind == "read" {
                    try transaction.markRoomAlertsRead(userID: user.id, roomID: room.id, readUpTo: marked, at: Clock.nowSeconds())
                }
                return (marked, try transaction.memberIDs(roomID: room.id))
            },
            afterCommit: { marked, members in
                hub.post(
                    Events.encode(.receipt, Reply.Marker(roomID: room.id, userID: user.id, kind: kind, seq: marked)),
                    toUsers: members.filter { $0 != user.id })
            }
        ).0
        return Reply.Marker(roomID: room.id, userID: nil, kind: kind, seq: marked)
    }
}
