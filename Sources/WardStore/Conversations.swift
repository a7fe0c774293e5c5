public import GRDB
public import Foundation

/// A device's public keys (the private keys never leave the device).
public struct DeviceRecord: Codable, Hashable, Sendable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "device"
    public var id: String
    public var userID: String
    public var encryptionKey: Data
    public var signingKey: Data
    /// Comma-separated cipher suite names.
    public var suites: String
    public var signature: Data
    public var createdAt: Int64
    /// The owner's identity key and its signature over this device's keys (nil: unsigned).
    public var identityKey: Data?
    public var identitySignature: Data?

    public init(
        id: String, userID: String, encryptionKey: Data, signingKey: Data, suites: String, signature: Data, createdAt: Int64,
        identityKey: Data? = nil, identitySignature: Data? = nil
    ) {
        self.identityKey = identityKey
        self.identitySignature = identitySignature
        self.id = id
        self.userID = userID
        self.encryptionKey = encryptionKey
        self.signingKey = signingKey
        self.suites = suites
        self.signature = signature
        self.createdAt = createdAt
    }
}

/// A conversation: a group room or a direct conversation. The name is personal data (it may
/// name a patient) and lives only here.
public struct RoomRecord: Codable, Hashable, Sendable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "room"
    public var id: String
    public var kind: Kind
    public var patientID: String?
    public var name: String
    public var direct: Bool
    public var createdBy: String
    public var createdAt: Int64
    /// Incremented whenever the set of member devices changes.
    public var epoch: Int
    public var lastSeq: Int
    /// A staff room its owner opened: joined without an invitation (room.join).
    public var open: Bool

    public init(
        id: String, kind: Kind, patientID: String?, name: String, direct: Bool, createdBy: String, createdAt: Int64,
        epoch: Int = 1, lastSeq: Int = 0, open: Bool = false
    ) {
        self.open = open
        self.id = id
        self.kind = kind
        self.patientID = patientID
        self.name = name
        self.direct = direct
        self.createdBy = createdBy
        self.createdAt = createdAt
        self.epoch = epoch
        self.lastSeq = lastSeq
    }
}

/// A user's membership of a room, with their receipts.
public struct RoomMemberRecord: Codable, Hashable, Sendable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "roomMember"
    public var roomID: String
    public var userID: String
    public var joinedAt: Int64
    /// The first message the member may read: the one after the room's last when they joined.
    public var firstSeq: Int
    public var readSeq: Int = 0
    public var deliveredSeq: Int = 0
}

/// A message as stored: metadata and the sender's envelope (ciphertext the server cannot read).
public struct MessageRecord: Codable, Hashable, Sendable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "message"
    public var roomID: String
    public var seq: Int
    public var id: String
    public var senderID: String
    public var senderDevice: String
    /// The sending device's id for the message, so a resend after a lost acknowledgement is not
    /// stored twice.
    public var clientMessageID: String
    /// Milliseconds since 1970.
    public var sentAt: Int64
    /// The envelope's JSON.
    public var envelope: Data
}

/// A sender key announced for a room, with the membership epoch it was distributed under.
public struct SenderKeyRecord: Codable, Hashable, Sendable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "senderKey"
    public var id: String
    public var roomID: String
    public var senderDevice: String
    public var epoch: Int
    public var suite: String
    public var createdAt: Int64
}

/// A sender key sealed to one device.
public struct KeyBoxRecord: Codable, Hashable, Sendable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "keyBox"
    public var keyID: String
    public var deviceID: String
    public var sealed: Data
}

/// Why a conversation write was refused; checked inside the write's transaction, so membership
/// cannot change between the check and the write.
public enum ConversationRefusal: Error, Equatable, Sendable {
    case noSuchRoom
    case notAMember
    case alreadyMember
    /// The sender key is unknown, another device's, another room's, or of an earlier epoch.
    case staleKey
    /// A key distribution names devices that are not the room's members', or leaves out the sender's own.
    case wrongRecipients(missing: Int, unexpected: Int)
    /// An envelope with this sender key and position is stored already: a replay.
    case replayed
    case keyExists
    case deviceTaken
    /// Removed from the room by another member: only an invitation brings them back.
    case removed
}

extension WardDatabase {
    /// Runs `work` in the next group commit: what it does commits together or not at all, and
    /// `afterCommit` runs once it is durable, in commit order (a message reaches the room's
    /// members in the order the store took it).
    public func write<T: Sendable>(
        _ work: @escaping @Sendable (StoreTransaction) throws -> T,
        afterCommit: @escaping @Sendable (T) -> Void = { _ in }
    ) async throws -> T {
        try await batches.write({ try work(StoreTransaction(db: $0)) }, afterCommit: afterCommit)
    }

    // MARK: Devices

    /// A room whose epoch changed, and who is in it.
    public struct RekeyedRoom: Sendable {
        public var roomID: String
        public var epoch: Int
        public var members: [String]
    }

    public func device(id: String) throws -> DeviceRecord? {
        try pool.read { try DeviceRecord.fetchOne($0, key: id) }
    }

    /// The devices of the room's current members.
    public func memberDevices(roomID: String) throws -> [DeviceRecord] {
        try pool.read { try StoreTransaction(db: $0).memberDevices(roomID: roomID) }
    }

    // MARK: Rooms and members

    /// Everyone who shares a room with `userID` (themselves included): who sees their presence.
    public func roomPeers(of userID: String) throws -> [String] {
        try pool.read { db in
            try String.fetchAll(
                db,
                sql: """
                    SELECT DISTINCT userID FROM roomMember WHERE roomID IN (SELECT roomID FROM roomMember WHERE userID = ?)
                    """, arguments: [userID])
        }
    }

    public func room(id: String) throws -> RoomRecord? {
        try pool.read { try RoomRecord.fetchOne($0, cached: "SELECT * FROM room WHERE id = ?", [id]) }
    }

    public func membership(roomID: String, userID: String) throws -> RoomMemberRecord? {
        try pool.read { try RoomMemberRecord.fetchOne($0, cached: "SELECT * FROM roomMember WHERE roomID = ? AND userID = ?", [roomID, userID]) }
    }

    /// A room and the user's membership of it, in one read.
    public func room(id: String, memberID: String) throws -> (RoomRecord?, RoomMemberRecord?) {
        try pool.read { db in
            (
                try RoomRecord.fetchOne(db, cached: "SELECT * FROM room WHERE id = ?", [id]),
                try RoomMemberRecord.fetchOne(db, cached: "SELECT * FROM roomMember WHERE roomID = ? AND userID = ?", [id, memberID])
            )
        }
    }

    public func members(roomID: String) throws -> [RoomMemberRecord] {
        try pool.read { try RoomMemberRecord.filter(Column("roomID") == roomID).order(Column("joinedAt"), Column("userID")).fetchAll($0) }
    }

    /// The user's rooms with their membership and unread count (others' messages after the read marker).
    public func rooms(ofUser userID: String) throws -> [(room: RoomRecord, member: RoomMemberRecord, unread: Int)] {
        try pool.read { db in
            let memberships = try RoomMemberRecord.filter(Column("userID") == userID).fetchAll(db)
            return try memberships.compactMap { member in
                guard let room = try RoomRecord.fetchOne(db, key: member.roomID) else { return nil }
                let unread =
                    try Int.fetchOne(
                        db,
                        sql: """
                            SELECT COUNT(*) FROM message WHERE roomID = ? AND seq > ? AND seq >= ? AND senderID != ?
                            """, arguments: [room.id, member.readSeq, member.firstSeq, userID]) ?? 0
                return (room, member, unread)
            }.sorted { $0.room.createdAt == $1.room.createdAt ? $0.room.id < $1.room.id : $0.room.createdAt < $1.room.createdAt }
        }
    }

    /// Care rooms of `patientID` that `clinicianID` is in (to remove them when they leave the care team).
    public func careRooms(patientID: String, memberID: String) throws -> [String] {
        try pool.read { db in
            try String.fetchAll(
                db,
                sql: """
                    SELECT room.id FROM room JOIN roomMember ON roomMember.roomID = room.id
                    WHERE room.kind = 'care' AND room.patientID = ? AND roomMember.userID = ?
                    """, arguments: [patientID, memberID])
        }
    }

    // MARK: Sender keys

    /// Whether an envelope of this sender key and position is stored (a second one is a replay),
    /// other than the one a resend with `clientMessageID` from `senderDevice` would be answered with.
    public func isReplay(keyID: String, iteration: Int, senderDevice: String, clientMessageID: String) throws -> Bool {
        try pool.read { db in
            guard try Int.fetchOne(db, cached: "SELECT 1 FROM message WHERE keyID = ? AND iteration = ?", [keyID, iteration]) != nil else {
                return false
            }
            return try Int.fetchOne(
                db, cached: "SELECT 1 FROM message WHERE senderDevice = ? AND clientMessageID = ?", [senderDevice, clientMessageID]) == nil
        }
    }

    public func senderKey(id: String) throws -> SenderKeyRecord? {
        try pool.read { try SenderKeyRecord.fetchOne($0, cached: "SELECT * FROM senderKey WHERE id = ?", [id]) }
    }

    /// Sender keys sealed to `deviceID`, in one room or all, oldest first.
    public func keyBoxes(deviceID: String, roomID: String?) throws -> [(key: SenderKeyRecord, box: KeyBoxRecord)] {
        try pool.read { db in
            var sql = "SELECT senderKey.*, keyBox.* FROM keyBox JOIN senderKey ON senderKey.id = keyBox.keyID WHERE keyBox.deviceID = ?"
            var arguments: StatementArguments = [deviceID]
            if let roomID {
                sql += " AND senderKey.roomID = ?"
                arguments += [roomID]
            }
            sql += " ORDER BY senderKey.createdAt, senderKey.id"
            let adapter = ScopeAdapter([
                "key": RangeRowAdapter(0..<6),
                "box": SuffixRowAdapter(fromIndex: 6)
            ])
            return try Row.fetchAll(db, sql: sql, arguments: arguments, adapter: adapter).map { row in
                (try SenderKeyRecord(row: row.scopes["key"] ?? row), try KeyBoxRecord(row: row.scopes["box"] ?? row))
            }
        }
    }

    // MARK: Messages

    /// What `appendMessage` did.
    public struct Appended: Sendable {
        public var message: MessageRecord
        /// True when the device had sent this message before (a resend): nothing new was stored.
        public var duplicate: Bool
    }

    /// Messages of a room from `firstSeq` on: after `after` (oldest first) or before `before`
    /// (the newest `limit` of them, oldest first).
    public func messages(roomID: String, firstSeq: Int, after: Int?, before: Int?, limit: Int) throws -> [MessageRecord] {
        try pool.read { db in
            if let before {
                let newest = try MessageRecord.fetchAll(
                    db,
                    sql: """
                        SELECT * FROM message WHERE roomID = ? AND seq >= ? AND seq < ? ORDER BY seq DESC LIMIT ?
                        """, arguments: [roomID, firstSeq, before, limit])
                return newest.reversed()
            }
            return try MessageRecord.fetchAll(
                db,
                sql: """
                    SELECT * FROM message WHERE roomID = ? AND seq >= ? AND seq > ? ORDER BY seq LIMIT ?
                    """, arguments: [roomID, firstSeq, after ?? 0, limit])
        }
    }
}

extension StoreTransaction {
    /// Registers a device, or finds it registered already with the same keys. A new device
    /// changes the epoch of every room its user is in (their senders must re-key); returns those
    /// rooms (none for a device registered before).
    public func registerDevice(_ device: DeviceRecord) throws -> [WardDatabase.RekeyedRoom] {
        if let existing = try DeviceRecord.fetchOne(db, key: device.id) {
            guard existing.userID == device.userID, existing.encryptionKey == device.encryptionKey,
                existing.signingKey == device.signingKey
            else { throw ConversationRefusal.deviceTaken }
            // The same keys, newly signed over the suites the device now speaks, or newly vouched
            // for by an identity key (an update): others read the new list from here on.
            if existing.suites != device.suites || existing.identityKey != device.identityKey
                || existing.identitySignature != device.identitySignature
            {
                try db.execute(
                    sql: "UPDATE device SET suites = ?, signature = ?, identityKey = ?, identitySignature = ? WHERE id = ?",
                    arguments: [device.suites, device.signature, device.identityKey, device.identitySignature, device.id])
            }
            return []
        }
        try device.insert(db)
        let rooms = try String.fetchAll(db, sql: "SELECT roomID FROM roomMember WHERE userID = ?", arguments: [device.userID])
        return try rooms.map { roomID in
            try db.execute(sql: "UPDATE room SET epoch = epoch + 1 WHERE id = ?", arguments: [roomID])
            let epoch = try Int.fetchOne(db, sql: "SELECT epoch FROM room WHERE id = ?", arguments: [roomID]) ?? 0
            return WardDatabase.RekeyedRoom(roomID: roomID, epoch: epoch, members: try memberIDs(roomID: roomID))
        }
    }

    func memberDevices(roomID: String) throws -> [DeviceRecord] {
        try DeviceRecord.fetchAll(
            db,
            sql: """
                SELECT device.* FROM device JOIN roomMember ON roomMember.userID = device.userID
                WHERE roomMember.roomID = ? ORDER BY device.id
                """, arguments: [roomID])
    }

    /// The user ids of a room's members, inside a write (for publishing after it commits).
    public func memberIDs(roomID: String) throws -> [String] {
        try String.fetchAll(db, cached: "SELECT userID FROM roomMember WHERE roomID = ?", [roomID])
    }

    /// Creates a room with its first members.
    public func createRoom(_ room: RoomRecord, members: [String], at time: Int64) throws {
        try room.insert(db)
        for userID in Set(members) {
            try RoomMemberRecord(roomID: room.id, userID: userID, joinedAt: time, firstSeq: 1).insert(db)
        }
    }

    /// Adds a member, who may read from the next message on; the epoch changes. Returns the room.
    /// `invited` (a member's room.invite) lifts an earlier removal; joining by oneself an open
    /// room is refused to someone removed from it (`removed`).
    public func addMember(roomID: String, userID: String, invited: Bool, at time: Int64) throws -> RoomRecord {
        guard var room = try RoomRecord.fetchOne(db, key: roomID) else { throw ConversationRefusal.noSuchRoom }
        if invited {
            try db.execute(sql: "DELETE FROM roomRemoval WHERE roomID = ? AND userID = ?", arguments: [roomID, userID])
        } else if try Bool.fetchOne(db, sql: "SELECT 1 FROM roomRemoval WHERE roomID = ? AND userID = ?", arguments: [roomID, userID]) == true {
            throw ConversationRefusal.removed
        }
        guard try RoomMemberRecord.fetchOne(db, key: ["roomID": roomID, "userID": userID]) == nil else { throw ConversationRefusal.alreadyMember }
        room.epoch += 1
        try room.update(db)
        try RoomMemberRecord(
            roomID: roomID, userID: userID, joinedAt: time, firstSeq: room.lastSeq + 1,
            readSeq: room.lastSeq, deliveredSeq: room.lastSeq
        ).insert(db)
        return room
    }

    /// Removes a member; the epoch changes so that what follows is under keys they never get.
    /// `removedBy` (another member who removed them) makes the removal last: they cannot join
    /// an open room again until someone invites them.
    public func removeMember(
        roomID: String, userID: String, removedBy: String? = nil, at time: Int64 = 0
    ) throws -> RoomRecord {
        guard var room = try RoomRecord.fetchOne(db, key: roomID) else { throw ConversationRefusal.noSuchRoom }
        guard try RoomMemberRecord.deleteOne(db, key: ["roomID": roomID, "userID": userID]) else { throw ConversationRefusal.notAMember }
        if let removedBy {
            try db.execute(
                sql: "INSERT OR REPLACE INTO roomRemoval (roomID, userID, removedBy, removedAt) VALUES (?, ?, ?, ?)",
                arguments: [roomID, userID, removedBy, time])
        }
        room.epoch += 1
        try room.update(db)
        return room
    }

    /// Stores a sender key sealed to each recipient device. The recipients must be exactly the
    /// devices of the room's members, the sending device included; the key takes the room's
    /// current epoch.
    public func distributeSenderKey(
        id: String, roomID: String, senderDevice: DeviceRecord, suite: String,
        boxes: [String: Data], at time: Int64
    ) throws -> [DeviceRecord] {
        guard let room = try RoomRecord.fetchOne(db, key: roomID) else { throw ConversationRefusal.noSuchRoom }
        guard try RoomMemberRecord.fetchOne(db, key: ["roomID": roomID, "userID": senderDevice.userID]) != nil else {
            throw ConversationRefusal.notAMember
        }
        guard try SenderKeyRecord.fetchOne(db, key: id) == nil else { throw ConversationRefusal.keyExists }
        // Member devices only, the sender's own included (so that it can read its own messages
        // back from history). A sender may leave out member devices it does not trust (no
        // identity it pinned signed them, docs/PROTOCOL.md "Identities"): those cannot read.
        let members = try memberDevices(roomID: roomID)
        let memberIDs = Set(members.map(\.id))
        let given = Set(boxes.keys)
        guard given.isSubset(of: memberIDs), given.contains(senderDevice.id) else {
            throw ConversationRefusal.wrongRecipients(
                missing: given.contains(senderDevice.id) ? 0 : 1, unexpected: given.subtracting(memberIDs).count)
        }
        let recipients = members.filter { given.contains($0.id) }
        try SenderKeyRecord(id: id, roomID: roomID, senderDevice: senderDevice.id, epoch: room.epoch, suite: suite, createdAt: time).insert(db)
        for (deviceID, sealed) in boxes.sorted(by: { $0.key < $1.key }) {
            try KeyBoxRecord(keyID: id, deviceID: deviceID, sealed: sealed).insert(db)
        }
        return recipients
    }

    /// Appends a message at the room's next sequence number, after checking that the sender is a
    /// member and the sender key is this device's for this room and the current epoch. A resend
    /// (same device and client message id) returns the stored message.
    public func appendMessage(
        roomID: String, senderID: String, senderDevice: String, clientMessageID: String, keyID: String,
        iteration: Int, envelope: Data, messageID: String, at time: Int64
    ) throws -> WardDatabase.Appended {
        if let earlier = try MessageRecord.fetchOne(
            db, cached: "SELECT * FROM message WHERE senderDevice = ? AND clientMessageID = ?",
            [senderDevice, clientMessageID])
        {
            return WardDatabase.Appended(message: earlier, duplicate: true)
        }
        guard var room = try RoomRecord.fetchOne(db, cached: "SELECT * FROM room WHERE id = ?", [roomID]) else {
            throw ConversationRefusal.noSuchRoom
        }
        guard try Int.fetchOne(db, cached: "SELECT 1 FROM roomMember WHERE roomID = ? AND userID = ?", [roomID, senderID]) != nil else {
            throw ConversationRefusal.notAMember
        }
        guard let key = try SenderKeyRecord.fetchOne(db, cached: "SELECT * FROM senderKey WHERE id = ?", [keyID]), key.roomID == roomID,
            key.senderDevice == senderDevice, key.epoch == room.epoch
        else { throw ConversationRefusal.staleKey }
        guard try Int.fetchOne(db, cached: "SELECT 1 FROM message WHERE keyID = ? AND iteration = ?", [keyID, iteration]) == nil else {
            throw ConversationRefusal.replayed
        }
        room.lastSeq += 1
        try db.executeCached("UPDATE room SET lastSeq = ? WHERE id = ?", [room.lastSeq, roomID])
        let message = MessageRecord(
            roomID: roomID, seq: room.lastSeq, id: messageID, senderID: senderID, senderDevice: senderDevice,
            clientMessageID: clientMessageID, sentAt: time, envelope: envelope)
        try db.executeCached(
            """
            INSERT INTO message (roomID, seq, id, senderID, senderDevice, clientMessageID, sentAt, envelope, keyID, iteration)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            [
                message.roomID, message.seq, message.id, message.senderID, message.senderDevice, message.clientMessageID, message.sentAt,
                message.envelope,
                keyID, iteration
            ])
        // The sender has read what they wrote.
        try db.executeCached(
            "UPDATE roomMember SET readSeq = MAX(readSeq, ?), deliveredSeq = MAX(deliveredSeq, ?) WHERE roomID = ? AND userID = ?",
            [room.lastSeq, room.lastSeq, roomID, senderID])
        return WardDatabase.Appended(message: message, duplicate: false)
    }

    /// Moves a member's read or delivered marker forward (never back, never past the last message).
    public func markReceipt(roomID: String, userID: String, read: Bool, seq: Int) throws -> Int {
        guard let room = try RoomRecord.fetchOne(db, key: roomID) else { throw ConversationRefusal.noSuchRoom }
        guard var member = try RoomMemberRecord.fetchOne(db, key: ["roomID": roomID, "userID": userID]) else { throw ConversationRefusal.notAMember }
        let target = min(seq, room.lastSeq)
        if read {
            member.readSeq = max(member.readSeq, target)
            member.deliveredSeq = max(member.deliveredSeq, member.readSeq)
        } else {
            member.deliveredSeq = max(member.deliveredSeq, target)
        }
        try member.update(db)
        return read ? member.readSeq : member.deliveredSeq
    }
}

extension RoomRecord {
    /// Staff talk among themselves (`staff`); a patient talks with their care team (`care`).
    public enum Kind: String, Codable, Sendable, CaseIterable, DatabaseValueConvertible {
        case staff, care
    }
}
