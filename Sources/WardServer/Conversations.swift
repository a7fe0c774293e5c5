internal import Foundation
internal import WardAudit
internal import WardCrypto
internal import WardE2EE
internal import WardPolicy
internal import WardProtocol
internal import WardStore

/// Rooms, members, devices, sender keys, messages, receipts and presence. The server sees who
/// talks to whom and when, never what: messages are envelopes it checks for shape and size,
/// stores and relays. Every request passes the gate; membership is checked before the policies
/// are asked (the policies decide what kind of room a role may be in, the server who is in it).
extension Connection {
    func converse(_ type: RequestType, _ request: ClientRequest) async throws -> ServerReply {
        let user = try await signedInWithOwnPassword(request)
        switch type {
        case .deviceRegister: return try await registerDevice(request, user)
        case .identityBackup: return try await identityBackup(request, user)
        case .keysBackup: return try await keysBackup(request, user)
        case .keysGet: return try await getKeys(request, user)
        case .keysDistribute: return try await distributeKey(request, user)
        case .keysFetch: return try await fetchKeys(request, user)
        case .roomCreate: return try await createRoom(request, user)
        case .roomInvite, .roomJoin: return try await addMember(type, request, user)
        case .roomLeave, .roomRemove: return try await removeMember(type, request, user)
        case .roomList: return try await listRooms(request, user)
        case .roomMembers: return try await listMembers(request, user)
        case .messageSend: return try await sendMessage(request, user)
        case .messageHistory: return try await history(request, user)
        case .receipt: return try await markReceipt(request, user)
        case .presenceSet: return try await setPresence(request, user)
        case .userFind: return try await findUser(request, user)
        default: throw ReplyError(code: .unknownType, message: "unknown request type; see docs/PROTOCOL.md")
        }
    }

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

    private func announcePresence(of userID: String) {
        var event = ServerReply(id: nil, type: "presence")
        event.userID = userID
        event.status = context.hub.presence(of: userID)
        guard let peers = try? context.gate.database.roomPeers(of: userID) else { return }
        context.hub.post(Events.encode(event), toUsers: peers.filter { $0 != userID })
    }

    private func setPresence(_ request: ClientRequest, _ user: UserRecord) async throws -> ServerReply {
        let status = try require(request.status, "status")
        guard ["online", "away"].contains(status) else { throw ReplyError(code: .badRequest, message: "status must be online or away") }
        try await allow(selfRequest(user, type: .presenceSet, code: .update))
        _ = context.hub.setAway(connectionID, status == "away")
        announcePresence(of: user.id)
        var reply = ServerReply(id: request.id, type: "presence.set")
        reply.status = context.hub.presence(of: user.id)
        return reply
    }

    // MARK: Finding people

    /// One account by its exact username, for starting a conversation: its id, display name and
    /// role, when the policies let the asker find it. No listing, no partial matches.
    private func findUser(_ request: ClientRequest, _ user: UserRecord) async throws -> ServerReply {
        let username = try require(request.username, "username")
        let database = context.gate.database
        guard let found = try database.user(named: username), found.active else {
            throw ReplyError(code: .notFound, message: "no active account has that username")
        }
        let resource = ClinicModel.principal(found, careTeamsOf: try database.patients(ofClinician: found.id))
        try await allow(Gate.Request(principal: user, action: .directoryFind, resource: resource, event: RequestType.userFind.rawValue,
                                     code: .read, objectType: "user", objectID: found.id, subjectID: found.id, secondFactor: hasSecondFactor))
        var reply = ServerReply(id: request.id, type: "user.find")
        reply.users = [Self.info(found)]
        return reply
    }

    // MARK: Devices and keys

    private func registerDevice(_ request: ClientRequest, _ user: UserRecord) async throws -> ServerReply {
        let keys = try require(request.device, "device")
        guard keys.userID == user.id else { throw ReplyError(code: .badRequest, message: "device.userID must be the signed-in user's id") }
        let verified: DeviceKeysCheck.Verified
        do { verified = try DeviceKeysCheck.verify(keys) } catch let error as E2EEError {
            throw ReplyError(code: .badRequest, message: "device keys refused: \(error)")
        }
        guard verified.suites.contains(where: CipherSuite.supported.contains) else {
            throw ReplyError(code: .badRequest, message: "the device supports no cipher suite this server relays (\(CipherSuite.supported.sorted().joined(separator: ", ")))")
        }
        var audited = try selfRequest(user, type: .deviceRegister, code: .create)
        audited.objectType = "device"
        audited.objectID = keys.deviceID
        try await allow(audited)
        let record = DeviceRecord(id: keys.deviceID, userID: user.id, encryptionKey: Data(verified.encryptionKey), signingKey: Data(verified.signingKey.bytes),
                                  suites: keys.suites.joined(separator: ","), signature: Data(Base64.decode(keys.signature) ?? []), createdAt: Clock.nowSeconds(),
                                  identityKey: verified.identityKey.map { Data($0) },
                                  identitySignature: verified.identityKey == nil ? nil : keys.identitySignature.flatMap { Base64.decode($0) }.map { Data($0) })
        let hub = context.hub
        _ = try await refusing {
            try await context.gate.database.write({ db in
                try WardDatabase.registerDevice(record, in: db)
            }, afterCommit: { rooms in
                // Members' senders must make new keys that include this device.
                for room in rooms {
                    hub.post(Events.membership("room.epoch", roomID: room.roomID, userID: user.id, epoch: room.epoch), toUsers: room.members)
                }
            })
        }
        device = record
        hub.bind(connectionID, deviceID: record.id)
        var reply = ServerReply(id: request.id, type: "device.register")
        reply.deviceID = record.id
        return reply
    }

    /// `identity.backup`: stores the person's identity key sealed under their recovery key
    /// (`backup` given; it replaces an earlier one), or returns it (for a new device of theirs).
    /// The server cannot open it (docs/PROTOCOL.md, "Identities").
    private func identityBackup(_ request: ClientRequest, _ user: UserRecord) async throws -> ServerReply {
        if let backup = request.backup {
            guard (1...IdentityBackupLimits.maxCharacters).contains(backup.utf8.count) else {
                throw ReplyError(code: .badRequest, message: "backup must be 1-\(IdentityBackupLimits.maxCharacters) characters")
            }
            var audited = try selfRequest(user, type: .identityBackup, code: .update)
            audited.objectType = "identity-backup"
            audited.objectID = user.id
            try await allow(audited)
            try context.gate.database.storeIdentityBackup(userID: user.id, backup: backup, at: Clock.nowSeconds())
        } else {
            var audited = try selfRequest(user, type: .identityBackup, code: .read)
            audited.objectType = "identity-backup"
            audited.objectID = user.id
            try await allow(audited)
        }
        guard let stored = try context.gate.database.identityBackup(userID: user.id) else {
            throw ReplyError(code: .notFound, message: "no identity backup is stored for this account")
        }
        var reply = ServerReply(id: request.id, type: "identity.backup")
        reply.backup = stored
        return reply
    }

    /// `keys.backup`: keeps sender keys the person's devices received, sealed under a key only
    /// their identity gives (`keyBackups` given), or returns every one kept, so that a new
    /// device of theirs reads their history. The server cannot open them.
    private func keysBackup(_ request: ClientRequest, _ user: UserRecord) async throws -> ServerReply {
        var audited = try selfRequest(user, type: .keysBackup, code: request.keyBackups == nil ? .read : .update)
        audited.objectType = "key-backup"
        audited.objectID = user.id
        var reply = ServerReply(id: request.id, type: "keys.backup")
        if let items = request.keyBackups {
            guard (1...KeyBackupLimits.itemsPerRequest).contains(items.count),
                  items.allSatisfy({ SenderKeyShare.isKeyID($0.keyID) && (1...KeyBackupLimits.sealedCharacters).contains($0.sealed.utf8.count) }) else {
                throw ReplyError(code: .badRequest,
                                 message: "keyBackups: 1-\(KeyBackupLimits.itemsPerRequest) items, each a keyID of 32 lowercase hex digits and sealed of 1-\(KeyBackupLimits.sealedCharacters) characters")
            }
            try await allow(audited)
            try context.gate.database.storeKeyBackups(userID: user.id, items.map { ($0.keyID, $0.sealed) }, at: Clock.nowSeconds())
            reply.keyBackups = []
        } else {
            try await allow(audited)
            reply.keyBackups = try context.gate.database.keyBackups(userID: user.id).map { SealedKeyBackup(keyID: $0.keyID, sealed: $0.sealed) }
        }
        return reply
    }

    private func getKeys(_ request: ClientRequest, _ user: UserRecord) async throws -> ServerReply {
        let (room, _) = try memberRoom(request, user)
        try await allow(try roomRequest(user, .keysGet, room, code: .read))
        var reply = ServerReply(id: request.id, type: "keys")
        reply.devices = try context.gate.database.memberDevices(roomID: room.id).map(Self.publicKeys)
        reply.roomID = room.id
        reply.epoch = room.epoch
        return reply
    }

    static func publicKeys(_ record: DeviceRecord) -> DeviceKeys {
        DeviceKeys(deviceID: record.id, userID: record.userID, suites: record.suites.split(separator: ",").map(String.init),
                   encryptionKey: Base64.encode(Array(record.encryptionKey)), signingKey: Base64.encode(Array(record.signingKey)),
                   signature: Base64.encode(Array(record.signature)), identityKey: record.identityKey.map { Base64.encode(Array($0)) },
                   identitySignature: record.identitySignature.map { Base64.encode(Array($0)) })
    }

    private func distributeKey(_ request: ClientRequest, _ user: UserRecord) async throws -> ServerReply {
        let device = try requireDevice()
        let keyID = try require(request.keyID, "keyID")
        guard SenderKeyShare.isKeyID(keyID) else { throw ReplyError(code: .badRequest, message: "keyID must be 32 lowercase hex digits") }
        let suite = try require(request.suite, "suite")
        guard CipherSuite.supported.contains(suite) else {
            throw ReplyError(code: .badRequest, message: "suite must be one of \(CipherSuite.supported.sorted().joined(separator: ", "))")
        }
        let sealedKeys = try require(request.keys, "keys")
        var boxes: [String: Data] = [:]
        for key in sealedKeys {
            guard let sealed = Base64.decode(key.sealed), (1...SenderKeyShare.maxSealedBytes).contains(sealed.count) else {
                throw ReplyError(code: .badRequest, message: "each sealed key must be base64 of at most \(SenderKeyShare.maxSealedBytes) bytes")
            }
            guard boxes.updateValue(Data(sealed), forKey: key.deviceID) == nil else {
                throw ReplyError(code: .badRequest, message: "a device appears twice in keys")
            }
        }
        let (room, _) = try memberRoom(request, user)
        try await allow(try roomRequest(user, .keysDistribute, room, code: .create, details: ["key": keyID, "recipients": "\(boxes.count)"]))
        let hub = context.hub
        let sealedBoxes = boxes
        let deliveryBase = KeyDelivery(roomID: room.id, keyID: keyID, senderID: user.id, senderDevice: device.id, suite: suite, sealed: "")
        let recipients = try await refusing {
            try await context.gate.database.write({ db in
                try WardDatabase.distributeSenderKey(id: keyID, roomID: room.id, senderDevice: device, suite: suite, boxes: sealedBoxes,
                                                     at: Clock.nowSeconds(), in: db)
            }, afterCommit: { recipients in
                for recipient in recipients {
                    var delivery = deliveryBase
                    delivery.sealed = Base64.encode(Array(sealedBoxes[recipient.id] ?? Data()))
                    var event = ServerReply(id: nil, type: "key")
                    event.keyDeliveries = [delivery]
                    hub.post(Events.encode(event), toDevice: recipient.id, ofUser: recipient.userID)
                }
            })
        }
        var reply = ServerReply(id: request.id, type: "keys.distribute")
        reply.roomID = room.id
        reply.seq = recipients.count
        return reply
    }

    private func fetchKeys(_ request: ClientRequest, _ user: UserRecord) async throws -> ServerReply {
        let device = try requireDevice()
        let (room, _) = try memberRoom(request, user)
        try await allow(try roomRequest(user, .keysFetch, room, code: .read))
        let boxes = try context.gate.database.keyBoxes(deviceID: device.id, roomID: room.id)
        var senders: [String: String] = [:]
        for (key, _) in boxes where senders[key.senderDevice] == nil {
            senders[key.senderDevice] = try context.gate.database.device(id: key.senderDevice)?.userID ?? ""
        }
        var reply = ServerReply(id: request.id, type: "keys.fetch")
        reply.keyDeliveries = boxes.map { key, box in
            KeyDelivery(roomID: key.roomID, keyID: key.id, senderID: senders[key.senderDevice] ?? "", senderDevice: key.senderDevice,
                        suite: key.suite, sealed: Base64.encode(Array(box.sealed)))
        }
        return reply
    }

    // MARK: Rooms

    private func createRoom(_ request: ClientRequest, _ user: UserRecord) async throws -> ServerReply {
        let kind = try require(request.kind, "kind")
        guard ["staff", "care"].contains(kind) else { throw ReplyError(code: .badRequest, message: "kind must be staff or care") }
        let direct = request.direct ?? false
        let name = request.name ?? (direct ? "direct" : "")
        guard Self.isAcceptableDisplayName(name) else {
            throw ReplyError(code: .badRequest, message: "name must be 1-128 characters without control or formatting characters")
        }
        var patientID: String?
        if kind == "care" {
            let patient = try lookUp(id: try require(request.patientID, "patientID"), what: "patient")
            guard patient.role == "Patient" else { throw ReplyError(code: .badRequest, message: "patientID does not name a Patient account") }
            patientID = patient.id
        }
        let requested = request.members ?? []
        guard requested.count <= 256 else { throw ReplyError(code: .badRequest, message: "at most 256 members at creation") }
        var invitees: [UserRecord] = []
        for id in Set(requested).subtracting([user.id]).sorted() {
            let member = try lookUp(id: id, what: "member")
            guard member.active else { throw ReplyError(code: .badRequest, message: "a member's account is disabled") }
            invitees.append(member)
        }
        if direct && invitees.count != 1 { throw ReplyError(code: .badRequest, message: "a direct conversation has exactly one other member") }
        let open = request.open ?? false
        if open && (kind != "staff" || direct) {
            throw ReplyError(code: .badRequest, message: "only staff rooms that are not direct conversations can be open")
        }
        let now = Clock.nowSeconds()
        let room = RoomRecord(id: "room:" + OpaqueID.make(), kind: kind, patientID: patientID, name: name, direct: direct, createdBy: user.id,
                              createdAt: now, open: open)
        // Each invitee is asked about first, so that an allowed creation is one that happens.
        for invitee in invitees {
            try await allow(invitation(of: invitee, by: user, to: room))
        }
        try await allow(try roomRequest(user, .roomCreate, room, code: .create, details: ["members": "\(invitees.count + 1)"]))
        let hub = context.hub
        let members = [user.id] + invitees.map(\.id)
        try await refusing {
            try await context.gate.database.write({ db in
                try WardDatabase.createRoom(room, members: members, at: now, in: db)
            }, afterCommit: { _ in
                var event = ServerReply(id: nil, type: "room")
                event.room = Self.info(room)
                hub.post(Events.encode(event), toUsers: members)
            })
        }
        var reply = ServerReply(id: request.id, type: "room")
        reply.room = Self.info(room)
        return reply
    }

    /// May `invitee` be in `room`? Asked of the policies with the invitee as principal; the audit
    /// entry names the member who asked.
    private func invitation(of invitee: UserRecord, by inviter: UserRecord, to room: RoomRecord) -> Gate.Request {
        var request = Gate.Request(principal: invitee, action: .roomJoin, resource: ClinicModel.room(room), event: "room.invite", code: .update,
                                   objectType: "room", objectID: room.id, subjectID: invitee.id, secondFactor: true)
        request.auditActor = inviter
        return request
    }

    private func addMember(_ type: RequestType, _ request: ClientRequest, _ user: UserRecord) async throws -> ServerReply {
        let roomID = try require(request.roomID, "roomID")
        guard let room = try context.gate.database.room(id: roomID) else { throw ReplyError(code: .notFound, message: "no such room") }
        let joining: UserRecord
        // A direct conversation keeps its two people; anyone else joins only by invitation,
        // unless the owner opened the room (issue 16, item 4).
        let invitationRequired = ReplyError(code: .invitationRequired, message: room.direct
                                                ? "a direct conversation has exactly its two people; start a new conversation instead"
                                                : "this room is joined by invitation: ask a member to invite you (room.invite)",
                                            object: ("room", room.id), subjectID: room.patientID ?? "")
        if type == .roomInvite {
            _ = try memberRoom(request, user)
            guard !room.direct else { throw invitationRequired }
            joining = try lookUp(id: try require(request.userID, "userID"), what: "user")
            guard joining.active else { throw ReplyError(code: .badRequest, message: "that account is disabled") }
            try await allow(try roomRequest(user, .roomInvite, room, code: .update, subject: joining.id))
            try await allow(invitation(of: joining, by: user, to: room))
        } else {
            guard room.open, !room.direct else { throw invitationRequired }
            joining = user
            try await allow(try roomRequest(user, .roomJoin, room, code: .update))
        }
        let hub = context.hub
        let invited = type == .roomInvite
        let updated = try await refusing {
            try await context.gate.database.write({ db in
                let updated = try WardDatabase.addMember(roomID: roomID, userID: joining.id, invited: invited, at: Clock.nowSeconds(), in: db)
                return (updated, try WardDatabase.memberIDs(roomID: roomID, in: db))
            }, afterCommit: { updated, members in
                var event = ServerReply(id: nil, type: "room")
                event.room = Self.info(updated)
                hub.post(Events.encode(event), toUsers: [joining.id])
                hub.post(Events.membership("member.joined", roomID: roomID, userID: joining.id, epoch: updated.epoch), toUsers: members)
            })
        }.0
        var reply = ServerReply(id: request.id, type: type.rawValue)
        reply.room = Self.info(updated)
        return reply
    }

    private func removeMember(_ type: RequestType, _ request: ClientRequest, _ user: UserRecord) async throws -> ServerReply {
        let (room, _) = try memberRoom(request, user)
        let leaving: String
        if type == .roomRemove {
            // The owner removes others; an Admin too, in staff rooms (issue 16, item 4).
            guard room.createdBy == user.id || (user.role == "Admin" && room.kind == "staff") else {
                throw ReplyError(code: .notOwner, message: "only the room's owner (or an Admin, in a staff room) removes others",
                                 object: ("room", room.id), subjectID: room.patientID ?? "")
            }
            leaving = try require(request.userID, "userID")
            guard try context.gate.database.membership(roomID: room.id, userID: leaving) != nil else {
                throw ReplyError(code: .notAMember, message: "that user is not a member of the room", object: ("room", room.id))
            }
            try await allow(try roomRequest(user, .roomRemove, room, code: .delete, subject: leaving))
        } else {
            leaving = user.id
            try await allow(try roomRequest(user, .roomLeave, room, code: .delete))
        }
        try await Self.removeFromRoom(room.id, userID: leaving, removedBy: type == .roomRemove ? user.id : nil, context: context)
        var reply = ServerReply(id: request.id, type: type.rawValue)
        reply.roomID = room.id
        return reply
    }

    /// Removes a member and tells the room and the one who left; later messages use keys they never get.
    static func removeFromRoom(_ roomID: String, userID: String, removedBy: String? = nil, context: ServerContext) async throws {
        let hub = context.hub
        do {
            _ = try await context.gate.database.write({ db in
                let updated = try WardDatabase.removeMember(roomID: roomID, userID: userID, removedBy: removedBy, at: Clock.nowSeconds(), in: db)
                return (updated, try WardDatabase.memberIDs(roomID: roomID, in: db))
            }, afterCommit: { updated, members in
                hub.post(Events.membership("member.left", roomID: roomID, userID: userID, epoch: updated.epoch), toUsers: members + [userID])
            })
        } catch let refusal as ConversationRefusal {
            throw Self.replyError(refusal)
        }
    }

    private func listRooms(_ request: ClientRequest, _ user: UserRecord) async throws -> ServerReply {
        try await allow(selfRequest(user, type: .roomList, code: .read))
        var reply = ServerReply(id: request.id, type: "room.list")
        reply.rooms = try context.gate.database.rooms(ofUser: user.id).map { room, member, unread in
            var info = Self.info(room)
            info.firstSeq = member.firstSeq
            info.readSeq = member.readSeq
            info.unread = unread
            return info
        }
        return reply
    }

    private func listMembers(_ request: ClientRequest, _ user: UserRecord) async throws -> ServerReply {
        let (room, _) = try memberRoom(request, user)
        try await allow(try roomRequest(user, .roomMembers, room, code: .read))
        let database = context.gate.database
        var reply = ServerReply(id: request.id, type: "room.members")
        reply.roomID = room.id
        reply.roomMembers = try database.members(roomID: room.id).compactMap { member in
            guard let account = try database.user(id: member.userID) else { return nil }
            return MemberInfo(userID: account.id, displayName: account.displayName, role: account.role,
                              presence: context.hub.presence(of: account.id), readSeq: member.readSeq, deliveredSeq: member.deliveredSeq)
        }
        return reply
    }

    // MARK: Messages

    private func sendMessage(_ request: ClientRequest, _ user: UserRecord) async throws -> ServerReply {
        let device = try requireDevice()
        let clientMessageID = try require(request.clientMessageID, "clientMessageID")
        guard (1...64).contains(clientMessageID.utf8.count),
              clientMessageID.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_.:".contains($0)) }) else {
            throw ReplyError(code: .badRequest, message: "clientMessageID must be 1-64 letters, digits, '-', '_', '.' or ':'")
        }
        let envelope = try require(request.envelope, "envelope")
        let parts: EnvelopeCrypto.Parts
        do { parts = try EnvelopeCrypto.check(envelope) } catch let error as E2EEError {
            throw ReplyError(code: .badRequest, message: "envelope refused: \(error)")
        }
        let (room, _) = try memberRoom(request, user)
        // Checked before deciding too, so that an allowed send is one that is stored; the write
        // checks again inside its transaction.
        guard let key = try context.gate.database.senderKey(id: envelope.keyID), key.roomID == room.id, key.senderDevice == device.id,
              key.epoch == room.epoch else { throw Self.replyError(.staleKey) }
        guard key.suite == envelope.suite else {
            throw ReplyError(code: .badRequest, message: "the envelope's suite is not its sender key's (\(key.suite))")
        }
        // A resend with the same clientMessageID is answered from the store below; another
        // envelope at a stored position is a replay (issue 17).
        guard try !context.gate.database.isReplay(keyID: envelope.keyID, iteration: envelope.iteration, senderDevice: device.id,
                                                  clientMessageID: clientMessageID) else { throw Self.replyError(.replayed) }
        let messageID = "msg:" + OpaqueID.make()
        try await allow(try roomRequest(user, .messageSend, room, code: .create,
                                    details: ["message": messageID, "size": "\(parts.ciphertext.count)", "device": device.id]))
        // Sealed under the sender's key for this room, so that erasing the sender destroys it everywhere.
        let stored = try context.subjectKeys.seal(JSONEncoder.sorted.encode(envelope), subject: user.id, scope: room.id, context: messageID)
        let hub = context.hub
        let connectionID = self.connectionID
        let urgentAlerts = request.urgent == true ? try urgentAlerts(room: room, sender: user.id) : []
        let alertText = Notifier.messageAlert(careRoom: room.kind == "care")
        let appended = try await refusing {
            try await context.gate.database.write({ db -> (WardDatabase.Appended, [String]) in
                let now = Clock.nowMillis()
                let appended = try WardDatabase.appendMessage(roomID: room.id, senderID: user.id, senderDevice: device.id, clientMessageID: clientMessageID,
                                                              keyID: envelope.keyID, iteration: envelope.iteration, envelope: stored, messageID: messageID,
                                                              at: now, in: db)
                guard !appended.duplicate else { return (appended, []) }
                let members = try WardDatabase.memberIDs(roomID: room.id, in: db)
                // Members with no connection are told a message waits (one alert per room until they read it).
                let offline = members.filter { $0 != user.id && hub.presence(of: $0) == "offline" }
                try WardDatabase.addMessageAlerts(userIDs: offline, roomID: room.id, text: alertText, at: now / 1000, in: db)
                try WardDatabase.addNotifications(urgentAlerts, in: db)
                return (appended, members)
            }, afterCommit: { appended, members in
                guard !appended.duplicate else { return }
                var event = ServerReply(id: nil, type: "message")
                event.messageInfo = Self.info(appended.message, envelope: envelope)
                hub.post(Events.encode(event), toUsers: members, except: connectionID)
            })
        }.0
        var reply = ServerReply(id: request.id, type: "message.sent")
        reply.messageInfo = Self.info(appended.message, envelope: envelope)
        return reply
    }

    private func history(_ request: ClientRequest, _ user: UserRecord) async throws -> ServerReply {
        let (room, member) = try memberRoom(request, user)
        let limit = request.limit ?? 50
        guard (1...200).contains(limit) else { throw ReplyError(code: .badRequest, message: "limit must be 1-200") }
        guard request.after == nil || request.before == nil else { throw ReplyError(code: .badRequest, message: "give after or before, not both") }
        try await allow(try roomRequest(user, .messageHistory, room, code: .read))
        let records = try context.gate.database.messages(roomID: room.id, firstSeq: member.firstSeq, after: request.after, before: request.before, limit: limit)
        var reply = ServerReply(id: request.id, type: "message.history")
        reply.roomID = room.id
        reply.messages = try records.compactMap { record in try storedEnvelope(record).map { Self.info(record, envelope: $0) } }
        return reply
    }

    /// An urgent message's alerts: every other member who receives urgent alerts, again until
    /// they read the room.
    private func urgentAlerts(room: RoomRecord, sender: String) throws -> [NotificationRecord] {
        let notifier = Notifier(context: context)
        let now = Clock.nowSeconds(), again = context.notificationTimes.urgentRealert
        return try context.gate.database.members(roomID: room.id).map(\.userID).filter { $0 != sender }.filter { try notifier.wants("urgent", $0) }.map {
            NotificationRecord(userID: $0, kind: "urgent", text: Notifier.urgentAlert, refID: room.id, createdAt: now, dueAt: now, alertAgainAt: now + again)
        }
    }

    private func markReceipt(_ request: ClientRequest, _ user: UserRecord) async throws -> ServerReply {
        let kind = try require(request.kind, "kind")
        guard ["read", "delivered"].contains(kind) else { throw ReplyError(code: .badRequest, message: "kind must be read or delivered") }
        let seq = try require(request.seq, "seq")
        guard seq >= 0 else { throw ReplyError(code: .badRequest, message: "seq must not be negative") }
        let (room, _) = try memberRoom(request, user)
        try await allow(try roomRequest(user, .receipt, room, code: .update, details: ["kind": kind]))
        let hub = context.hub
        let marked = try await refusing {
            try await context.gate.database.write({ db in
                let marked = try WardDatabase.markReceipt(roomID: room.id, userID: user.id, read: kind == "read", seq: seq, in: db)
                if kind == "read" { try WardDatabase.markRoomAlertsRead(userID: user.id, roomID: room.id, readUpTo: marked, at: Clock.nowSeconds(), in: db) }
                return (marked, try WardDatabase.memberIDs(roomID: room.id, in: db))
            }, afterCommit: { marked, members in
                var event = ServerReply(id: nil, type: "receipt")
                event.roomID = room.id
                event.userID = user.id
                event.kind = kind
                event.seq = marked
                hub.post(Events.encode(event), toUsers: members.filter { $0 != user.id })
            })
        }.0
        var reply = ServerReply(id: request.id, type: "receipt")
        reply.roomID = room.id
        reply.kind = kind
        reply.seq = marked
        return reply
    }

    // MARK: Pieces

    private func requireDevice() throws -> DeviceRecord {
        guard let device else { throw ReplyError(code: .deviceRequired, message: "register this device's keys first (device.register)") }
        return device
    }

    /// The room the request names, and the user's membership of it.
    private func memberRoom(_ request: ClientRequest, _ user: UserRecord) throws -> (RoomRecord, RoomMemberRecord) {
        let roomID = try require(request.roomID, "roomID")
        let (found, membership) = try context.gate.database.room(id: roomID, memberID: user.id)
        guard let room = found else { throw ReplyError(code: .notFound, message: "no such room") }
        guard let member = membership else {
            throw ReplyError(code: .notAMember, message: "you are not a member of this room", object: ("room", room.id), subjectID: room.patientID ?? "")
        }
        return (room, member)
    }

    private func roomRequest(_ user: UserRecord, _ type: RequestType, _ room: RoomRecord, code: AuditEvent.Action, subject: String? = nil,
                             details: [String: String] = [:]) throws -> Gate.Request {
        Gate.Request(principal: user, action: try type.decidingAction, resource: ClinicModel.room(room), context: try consentContext(room),
                     event: type.auditEvent ?? type.rawValue, code: code, objectType: "room", objectID: room.id,
                     subjectID: subject ?? room.patientID ?? "", secondFactor: hasSecondFactor)
            .with(details: details)
    }

    /// A care room's decisions see what its patient consents to now (`context.consents`).
    private func consentContext(_ room: RoomRecord) throws -> [String: Value] {
        guard let patient = room.patientID else { return [:] }
        let consents = try context.gate.database.activeConsents(userID: patient)
        return ["consents": .set(Set(consents.map { Value.string($0) }))]
    }

    /// Decides and audits; throws the denial naming the deciding policies.
    private func allow(_ request: Gate.Request) async throws {
        let outcome = try await context.gate.decide(request)
        guard outcome.allowed else {
            throw Denied(policies: outcome.response.determiningPolicies)
        }
    }

    /// Runs a write, turning the store's refusals into replies.
    private func refusing<T>(_ work: () async throws -> T) async throws -> T {
        do { return try await work() } catch let refusal as ConversationRefusal { throw Self.replyError(refusal) }
    }

    static func replyError(_ refusal: ConversationRefusal) -> ReplyError {
        switch refusal {
        case .noSuchRoom: return ReplyError(code: .notFound, message: "no such room")
        case .notAMember: return ReplyError(code: .notAMember, message: "not a member of this room")
        case .alreadyMember: return ReplyError(code: .conflict, message: "already a member of this room")
        case .staleKey: return ReplyError(code: .staleKey, message: "the sender key is not this device's current key for this room; make and distribute a new one")
        case let .wrongRecipients(missing, unexpected):
            return ReplyError(code: .wrongRecipients, message: "seal the key only to the room's member devices, and to this one (\(missing) missing, \(unexpected) not members); see keys.get")
        case .keyExists: return ReplyError(code: .conflict, message: "that keyID is taken; make a new one")
        case .deviceTaken: return ReplyError(code: .conflict, message: "that device id is registered with other keys or to another account")
        case .removed: return ReplyError(code: .invitationRequired, message: "you were removed from this room: only a member's invitation brings you back")
        case .replayed: return ReplyError(code: .replayed, message: "an envelope of this sender key and iteration is stored already; seal the message again")
        }
    }

    static func info(_ room: RoomRecord) -> RoomInfo {
        var info = RoomInfo(roomID: room.id, kind: room.kind, name: room.name, direct: room.direct, patientID: room.patientID, lastSeq: room.lastSeq,
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
        MessageInfo(roomID: message.roomID, seq: message.seq, messageID: message.id, senderID: message.senderID,
                    senderDevice: message.senderDevice, sentAt: message.sentAt, envelope: envelope)
    }
}

/// A denial by policy, carried to the reply.
struct Denied: Error {
    var policies: [String]
}

/// Server-pushed events: replies without an id.
enum Events {
    static func encode(_ event: ServerReply) -> String {
        (try? JSONEncoder.sorted.encode(event)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }

    static func membership(_ type: String, roomID: String, userID: String, epoch: Int) -> String {
        var event = ServerReply(id: nil, type: type)
        event.roomID = roomID
        event.userID = userID
        event.epoch = epoch
        return encode(event)
    }
}

extension JSONEncoder {
    /// Sorted keys, no escaped slashes: what the server writes.
    static var sorted: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }
}

/// The size of an identity backup the server keeps: a sealed 32-byte seed with its key
/// derivation's parameters is about 300 characters of JSON.
enum IdentityBackupLimits {
    static let maxCharacters = 4096
}

/// The sizes of key backups the server keeps: a sealed item is about 300 characters.
enum KeyBackupLimits {
    static let itemsPerRequest = 100
    static let sealedCharacters = 2048
}
