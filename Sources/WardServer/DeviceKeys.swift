import Foundation
import WardAudit
import WardCrypto
import WardE2EE
import WardPolicy
import WardProtocol
import WardStore

/// Devices, their identity and key backups, and sender keys: the server checks their shape and
/// signatures, stores and relays them, and can open none of them (docs/PROTOCOL.md, "Envelopes",
/// "Identities").
extension Connection {
    /// `device.register`: this connection's device, which its session sends and receives keys
    /// with from now on (session state, so the connection's own).
    func registerDevice(_ registration: DeviceRegister, _ user: UserRecord) async throws -> Reply.DeviceRegistered {
        let keys = registration.device
        guard keys.userID == user.id else { throw ReplyError(code: .badRequest, message: "device.userID must be the signed-in user's id") }
        let verified: DeviceKeysCheck.Verified
        do { verified = try DeviceKeysCheck.verify(keys) } catch let error as E2EEError {
            throw ReplyError(code: .badRequest, message: "device keys refused: \(error)")
        }
        guard verified.suites.contains(where: CipherSuite.supported.contains) else {
            throw ReplyError(
                code: .badRequest,
                message: "the device supports no cipher suite this server relays (\(CipherSuite.supported.sorted().joined(separator: ", ")))")
        }
        var audited = try selfRequest(user, type: .deviceRegister, code: .create)
        audited.objectType = "device"
        audited.objectID = keys.deviceID
        try await context.gate.require(audited)
        let record = DeviceRecord(
            id: keys.deviceID, userID: user.id, encryptionKey: Data(verified.encryptionKey), signingKey: Data(verified.signingKey.bytes),
            suites: keys.suites.joined(separator: ","), signature: Data(Base64.decode(keys.signature) ?? []), createdAt: Clock.nowSeconds(),
            identityKey: verified.identityKey.map { Data($0) },
            identitySignature: verified.identityKey == nil ? nil : keys.identitySignature.flatMap { Base64.decode($0) }.map { Data($0) })
        let hub = context.hub
        _ = try await context.gate.database.write(
            { transaction in
                try transaction.registerDevice(record)
            },
            afterCommit: { rooms in
                // Members' senders must make new keys that include this device.
                for room in rooms {
                    hub.post(Events.membership(.roomEpoch, roomID: room.roomID, userID: user.id, epoch: room.epoch), toUsers: room.members)
                }
            })
        device = record
        hub.bind(connectionID, deviceID: record.id)
        return Reply.DeviceRegistered(deviceID: record.id)
    }
}

extension ConversationService {
    // MARK: Devices and keys

    /// `identity.backup`: stores the person's identity key sealed under their recovery key
    /// (`backup` given; it replaces an earlier one), or returns it (for a new device of theirs).
    /// The server cannot open it (docs/PROTOCOL.md, "Identities").
    func identityBackup(_ asked: IdentityBackupRequest, _ user: UserRecord) async throws -> Reply.IdentityBackup {
        if let backup = asked.backup {
            guard (1...IdentityBackupLimits.maxCharacters).contains(backup.utf8.count) else {
                throw ReplyError(code: .badRequest, message: "backup must be 1-\(IdentityBackupLimits.maxCharacters) characters")
            }
            var audited = try selfRequest(user, type: .identityBackup, code: .update)
            audited.objectType = "identity-backup"
            audited.objectID = user.id
            try await context.gate.require(audited)
            try await context.gate.database.storeIdentityBackup(userID: user.id, backup: backup, at: Clock.nowSeconds())
        } else {
            var audited = try selfRequest(user, type: .identityBackup, code: .read)
            audited.objectType = "identity-backup"
            audited.objectID = user.id
            try await context.gate.require(audited)
        }
        guard let stored = try context.gate.database.identityBackup(userID: user.id) else {
            throw ReplyError(code: .notFound, message: "no identity backup is stored for this account")
        }
        return Reply.IdentityBackup(backup: stored)
    }

    /// `keys.backup`: keeps sender keys the person's devices received, sealed under a key only
    /// their identity gives (`keyBackups` given), or returns every one kept, so that a new
    /// device of theirs reads their history. The server cannot open them.
    func keysBackup(_ backup: KeysBackup, _ user: UserRecord) async throws -> Reply.KeyBackups {
        var audited = try selfRequest(user, type: .keysBackup, code: backup.keyBackups == nil ? .read : .update)
        audited.objectType = "key-backup"
        audited.objectID = user.id
        if let items = backup.keyBackups {
            guard (1...KeyBackupLimits.itemsPerRequest).contains(items.count),
                items.allSatisfy({ SenderKeyShare.isKeyID($0.keyID) && (1...KeyBackupLimits.sealedCharacters).contains($0.sealed.utf8.count) })
            else {
                throw ReplyError(
                    code: .badRequest,
                    message:
                        "keyBackups: 1-\(KeyBackupLimits.itemsPerRequest) items, each a keyID of 32 lowercase hex digits and sealed of "
                        + "1-\(KeyBackupLimits.sealedCharacters) characters"
                )
            }
            try await context.gate.require(audited)
            try await context.gate.database.storeKeyBackups(userID: user.id, items.map { ($0.keyID, $0.sealed) }, at: Clock.nowSeconds())
            return Reply.KeyBackups(keyBackups: [])
        }
        try await context.gate.require(audited)
        return Reply.KeyBackups(
            keyBackups: try context.gate.database.keyBackups(userID: user.id).map { SealedKeyBackup(keyID: $0.keyID, sealed: $0.sealed) })
    }

    func getKeys(_ asked: NamedRoom<KeysGet>, _ user: UserRecord) async throws -> Reply.RoomDevices {
        let (room, _) = try memberRoom(asked.roomID, user)
        try await context.gate.require(try roomRequest(user, .keysGet, room, code: .read))
        return Reply.RoomDevices(
            roomID: room.id, epoch: room.epoch, devices: try context.gate.database.memberDevices(roomID: room.id).map(Self.publicKeys))
    }

    func distributeKey(_ distribution: KeysDistribute, _ user: UserRecord) async throws -> Reply.KeyDistributed {
        let device = try requireDevice()
        let keyID = distribution.keyID
        guard SenderKeyShare.isKeyID(keyID) else { throw ReplyError(code: .badRequest, message: "keyID must be 32 lowercase hex digits") }
        let suite = distribution.suite
        guard CipherSuite.supported.contains(suite) else {
            throw ReplyError(code: .badRequest, message: "suite must be one of \(CipherSuite.supported.sorted().joined(separator: ", "))")
        }
        let sealedKeys = distribution.keys
        var boxes: [String: Data] = [:]
        for key in sealedKeys {
            guard let sealed = Base64.decode(key.sealed), (1...SenderKeyShare.maxSealedBytes).contains(sealed.count) else {
                throw ReplyError(code: .badRequest, message: "each sealed key must be base64 of at most \(SenderKeyShare.maxSealedBytes) bytes")
            }
            guard boxes.updateValue(Data(sealed), forKey: key.deviceID) == nil else {
                throw ReplyError(code: .badRequest, message: "a device appears twice in keys")
            }
        }
        let (room, _) = try memberRoom(distribution.roomID, user)
        try await context.gate.require(
            try roomRequest(user, .keysDistribute, room, code: .create, details: ["key": keyID, "recipients": "\(boxes.count)"]))
        let hub = context.hub
        let sealedBoxes = boxes
        let deliveryBase = KeyDelivery(roomID: room.id, keyID: keyID, senderID: user.id, senderDevice: device.id, suite: suite, sealed: "")
        let recipients = try await context.gate.database.write(
            { transaction in
                try transaction.distributeSenderKey(
                    id: keyID, roomID: room.id, senderDevice: device, suite: suite, boxes: sealedBoxes,
                    at: Clock.nowSeconds())
            },
            afterCommit: { recipients in
                for recipient in recipients {
                    var delivery = deliveryBase
                    delivery.sealed = Base64.encode(Array(sealedBoxes[recipient.id] ?? Data()))
                    hub.post(Events.encode(.key, Reply.KeyDeliveries(keyDeliveries: [delivery])), toDevice: recipient.id, ofUser: recipient.userID)
                }
            })
        return Reply.KeyDistributed(roomID: room.id, seq: recipients.count)
    }

    func fetchKeys(_ asked: NamedRoom<KeysFetch>, _ user: UserRecord) async throws -> Reply.KeyDeliveries {
        let device = try requireDevice()
        let (room, _) = try memberRoom(asked.roomID, user)
        try await context.gate.require(try roomRequest(user, .keysFetch, room, code: .read))
        let boxes = try context.gate.database.keyBoxes(deviceID: device.id, roomID: room.id)
        var senders: [String: String] = [:]
        for (key, _) in boxes where senders[key.senderDevice] == nil {
            senders[key.senderDevice] = try context.gate.database.device(id: key.senderDevice)?.userID ?? ""
        }
        return Reply.KeyDeliveries(
            keyDeliveries: boxes.map { key, box in
                KeyDelivery(
                    roomID: key.roomID, keyID: key.id, senderID: senders[key.senderDevice] ?? "", senderDevice: key.senderDevice,
                    suite: key.suite, sealed: Base64.encode(Array(box.sealed)))
            })
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
