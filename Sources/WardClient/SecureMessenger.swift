import Foundation
import Synchronization
public import WardCrypto
public import WardE2EE
public import WardProtocol

/// One device's end-to-end encryption over a connection: it registers the device's keys, makes
/// and shares a sender key per room (a new one whenever the room's member devices change),
/// encrypts and signs what it sends, and verifies and decrypts what it receives. The server only
/// ever sees envelopes and sealed keys.
public final class SecureMessenger: Sendable {
    public let connection: WardConnection
    public let identity: DeviceIdentity
    public let userID: String
    /// The identity keys this device pinned (issue 17): only devices they vouch for get sender
    /// keys, and only their messages are shown.
    public let pins: any IdentityPins
    /// The clinic's choice: after a member's identity key changes, send nothing to the room until
    /// the person confirms the new key (otherwise the member's new devices are only left out).
    public let holdAfterIdentityChange: Bool
    public let rotation: KeyRotation
    /// Shared with the messengers `continuing(on:)` makes: keys survive a reconnection.
    private let state: StateBox

    /// A sender key this device sends with in one room.
    private struct OutboundKey {
        var keyID: String
        var chain: SenderChain
        var epoch: Int
        var suite: String
        /// When it was made (seconds since 1970).
        var madeAt: Int64
        /// A position taken for a message the server refused: the next message uses it, so that
        /// readers see no gap that was not one.
        var unsent: (iteration: Int, key: SecureBytes)?
    }

    /// When a sender key is replaced even though the room did not change: after so many messages
    /// or so long, so that whoever took a chain key at some point reads only until the next
    /// rotation (issue 17). Signal and Megolm rotate on similar bounds (Megolm's defaults: 100
    /// messages or a week).
    public struct KeyRotation: Sendable {
        public var messages: Int
        public var seconds: Int64

        public init(messages: Int = 100, seconds: Int64 = 7 * 86_400) {
            (self.messages, self.seconds) = (messages, seconds)
        }
    }

    /// A sender key received (or made here): the chain as shared, and the latest position read.
    private struct InboundKey {
        var roomID: String
        var senderDevice: String
        var initial: SenderChain
        var latest: SenderChain
        /// The message read at each position: one position, one message (a second is a replay).
        var opened: [Int: String] = [:]
        /// The highest position read, once one is.
        var lastRead: Int?
    }

    private struct State {
        var outbound: [String: OutboundKey] = [:]
        var inbound: [String: InboundKey] = [:]
        /// Devices whose keys verified, by id; a device id names one signing key for ever.
        var devices: [String: DeviceKeysCheck.Verified] = [:]
        /// Devices first seen after this device had already talked with their user.
        var newDevices: [String] = []
        /// Member devices left out and not believed, each told once.
        var trustIssues: [TrustIssue] = []
        /// Whether this messenger already looked in the person's key backup.
        var searchedKeyBackup = false
        var deliveryIssues: [DeliveryIssue] = []
    }

    public init(
        connection: WardConnection, identity: DeviceIdentity, userID: String, pins: any IdentityPins = MemoryIdentityPins(),
        holdAfterIdentityChange: Bool = false, rotation: KeyRotation = KeyRotation()
    ) {
        self.connection = connection
        self.identity = identity
        self.userID = userID
        self.pins = pins
        self.holdAfterIdentityChange = holdAfterIdentityChange
        self.rotation = rotation
        state = StateBox()
    }

    private init(connection: WardConnection, continuing previous: SecureMessenger) {
        self.connection = connection
        identity = previous.identity
        userID = previous.userID
        pins = previous.pins
        holdAfterIdentityChange = previous.holdAfterIdentityChange
        rotation = previous.rotation
        state = previous.state
    }

    /// The same device on a new connection (after a reconnection), keeping the sender keys made
    /// and received so far: what was readable stays readable without fetching every key again.
    /// Register it before use.
    public func continuing(on connection: WardConnection) -> SecureMessenger {
        SecureMessenger(connection: connection, continuing: self)
    }

    private final class StateBox: Sendable {
        private let lock = Mutex(State())
        func withLock<R>(_ body: (inout State) throws -> R) rethrows -> R { try lock.withLock { try body(&$0) } }
    }

    /// Registers (or re-binds) this device with the server for this session.
    public func register() async throws {
        try await connection.request(DeviceRegister(device: identity.publicKeys(userID: userID)))
        let own = try DeviceKeysCheck.verify(identity.publicKeys(userID: userID))
        state.withLock { $0.devices[own.deviceID] = own }
        // This device's own identity is the one it trusts for its person.
        if let person = identity.person {
            let key = Base64.encode(person.publicKey)
            if pins.pinned(userID)?.key != key { pins.pin(userID, PinnedIdentity(key: key, verified: true)) }
        }
    }

    // MARK: Trust

    /// Whether `device` is vouched for by its owner's pinned identity key: this device itself;
    /// a device whose owner has no pin yet (pinned now: trust on first use, unless the owner's
    /// devices seen so far show more than one identity, when nothing can tell which is theirs);
    /// or one signed by the pinned key. Anything else is left out and told once (`trustIssues`).
    private func isTrusted(_ device: DeviceKeysCheck.Verified) -> Bool {
        if device.deviceID == identity.deviceID { return true }
        let issue: TrustIssue
        if let key = device.identityKey.map({ Base64.encode($0) }) {
            if let pinned = pins.pinned(device.userID) {
                if pinned.key == key { return true }
            } else {
                let seen = state.withLock { state in Set(state.devices.values.filter { $0.userID == device.userID }.compactMap(\.identityKey)) }
                if seen.count <= 1 {
                    pins.pin(device.userID, PinnedIdentity(key: key, verified: false))
                    return true
                }
            }
            issue = .identityChanged(userID: device.userID, deviceID: device.deviceID)
        } else {
            issue = .unsigned(userID: device.userID, deviceID: device.deviceID)
        }
        state.withLock { state in
            if !state.trustIssues.contains(issue) { state.trustIssues.append(issue) }
        }
        return false
    }

    /// Messages the server withheld or reordered, as far as the messages read show, in the order
    /// noticed; `takeDeliveryIssues` hands them over once.
    public var deliveryIssues: [DeliveryIssue] { state.withLock { $0.deliveryIssues } }

    public func takeDeliveryIssues() -> [DeliveryIssue] {
        state.withLock { state in
            defer { state.deliveryIssues.removeAll() }
            return state.deliveryIssues
        }
    }

    /// Member devices left out of sender keys, and whose messages are refused, with why.
    public var trustIssues: [TrustIssue] { state.withLock { $0.trustIssues } }

    /// Records that the person compared `userID`'s safety number and confirmed `identityKey`
    /// (`/keys USER verify`): it is pinned, verified, and the next message in every room goes
    /// under a new sender key that includes the devices it vouches for.
    public func confirmIdentity(of userID: String, identityKey: [UInt8]) {
        pins.pin(userID, PinnedIdentity(key: Base64.encode(identityKey), verified: true))
        state.withLock { state in
            state.trustIssues.removeAll { $0.userID == userID }
            state.outbound.removeAll()
        }
    }

    // MARK: Sending

    /// Encrypts, signs and sends `content` to the room; returns the stored message's metadata.
    /// `clientMessageID` makes a resend after a lost acknowledgement harmless. An `urgent` message
    /// alerts the room's other members again until they read it.
    /// `noting` sees each envelope's nonce just before it is sent (ward-bench times deliveries by it).
    @discardableResult
    public func send(
        _ content: MessageContent, to roomID: String, clientMessageID: String = Hex.encode(SecureRandom.bytes(12)),
        urgent: Bool = false, noting: (String) -> Void = { _ in }
    ) async throws -> MessageInfo {
        for attempt in 0..<3 {
            let key = try await currentKey(roomID: roomID, renew: attempt > 0)
            let (envelope, position) = try state.withLock { state -> (Envelope, (iteration: Int, key: SecureBytes)) in
                guard var outbound = state.outbound[roomID], outbound.keyID == key else { throw E2EEError.unknownSenderKey }
                let position = outbound.unsent ?? outbound.chain.nextMessageKey()
                outbound.unsent = nil
                let envelope = try EnvelopeCrypto.seal(
                    content, roomID: roomID, keyID: outbound.keyID, iteration: position.iteration,
                    messageKey: position.key, device: identity, suite: outbound.suite)
                state.outbound[roomID] = outbound
                return (envelope, position)
            }
            noting(envelope.nonce)
            do {
                return try await connection.request(
                    MessageSend(roomID: roomID, clientMessageID: clientMessageID, envelope: envelope, urgent: urgent ? true : nil)
                ).messageInfo
            } catch let WardClientError.server(code, _, _) where [.staleKey, .wrongRecipients, .replayed].contains(code) {
                // A replay refusal for our own envelope means this chain was used before (a
                // restored state): seal again at the next position.
                continue
            } catch let refusal as WardClientError {
                // Not stored: the position waits for the next message.
                if case .server = refusal {
                    state.withLock { state in
                        if state.outbound[roomID]?.keyID == key { state.outbound[roomID]?.unsent = position }
                    }
                }
                throw refusal
            }
        }
        throw WardClientError.server(.staleKey, "the room's members kept changing; try again", policies: [])
    }

    /// The key id this device sends with in the room, making and sharing a new one when there is
    /// none or `renew` is set.
    private func currentKey(roomID: String, renew: Bool) async throws -> String {
        let now = Int64(Date().timeIntervalSince1970)
        if !renew,
            let key = state.withLock({ state -> String? in
                guard let outbound = state.outbound[roomID], outbound.chain.iteration < rotation.messages,
                    now - outbound.madeAt < rotation.seconds
                else { return nil }
                return outbound.keyID
            })
        {
            return key
        }
        for _ in 0..<3 {
            let keys = try await connection.request(NamedRoom<KeysGet>(roomID: roomID))
            // Every member device its owner's pinned identity vouches for, this one included (its
            // own share lets it read its messages back later); the others get nothing.
            let members = try verify(keys.devices)
            let recipients = members.filter(isTrusted)
            if holdAfterIdentityChange {
                let changed = Set(
                    trustIssues.compactMap { issue -> String? in
                        guard case let .identityChanged(user, device) = issue, members.contains(where: { $0.deviceID == device }) else { return nil }
                        return user
                    })
                if !changed.isEmpty { throw E2EEError.identityChanged(userIDs: changed.sorted()) }
            }
            // A suite every member device speaks (rooms may mix suites: each sender chooses).
            guard let suite = Suite.common(recipients.map(\.suites)) else {
                throw WardClientError.unexpectedReply("the room's devices share no cipher suite")
            }
            let keyID = SenderKeyShare.makeKeyID()
            let chain = SenderChain()
            let sealed = try recipients.map { recipient in
                try SenderKeyShare(
                    roomID: roomID, keyID: keyID, senderDevice: identity.deviceID, recipientDevice: recipient.deviceID, chain: chain,
                    suite: suite
                ).seal(to: recipient, signer: identity)
            }
            do {
                try await connection.request(KeysDistribute(roomID: roomID, keyID: keyID, suite: suite, keys: sealed))
            } catch let WardClientError.server(code, _, _) where code == .wrongRecipients {
                // The members changed between keys.get and now: ask again.
                continue
            }
            state.withLock { state in
                state.outbound[roomID] = OutboundKey(keyID: keyID, chain: chain, epoch: keys.epoch, suite: suite, madeAt: now)
                // This device reads its own messages back from history too.
                state.inbound[keyID] = InboundKey(roomID: roomID, senderDevice: identity.deviceID, initial: chain, latest: chain)
            }
            await backUp(
                KeyBackup.Item(
                    roomID: roomID, keyID: keyID, senderDevice: identity.deviceID, suite: suite, iteration: chain.iteration,
                    chainKey: Base64.encode(chain.chainKey.copyBytes())))
            return keyID
        }
        throw WardClientError.server(.wrongRecipients, "the room's members kept changing; try again", policies: [])
    }

    /// Verifies published device keys, remembering them; a device that is new for a user this
    /// device already knew is listed in `newDevices` for the person to check.
    private func verify(_ published: [DeviceKeys]) throws -> [DeviceKeysCheck.Verified] {
        let verified = try published.map { try DeviceKeysCheck.verify($0) }
        state.withLock { state in
            let knownUsers = Set(state.devices.values.map(\.userID))
            for device in verified where state.devices[device.deviceID] == nil {
                if knownUsers.contains(device.userID) && device.userID != userID { state.newDevices.append(device.deviceID) }
                state.devices[device.deviceID] = device
            }
        }
        return verified
    }

    /// Devices that appeared for people this device already talked with: to be confirmed by
    /// comparing safety numbers, never trusted silently.
    public var newDevices: [String] { state.withLock { $0.newDevices } }

    /// The user a verified device belongs to.
    public func owner(ofDevice deviceID: String) -> String? { state.withLock { $0.devices[deviceID]?.userID } }

    // MARK: Receiving

    /// Takes in a `key` event (a sender key sealed to this device).
    public func accept(_ delivery: KeyDelivery) async throws {
        let sender = try await senderDevice(delivery.senderDevice, roomID: delivery.roomID)
        let share = try SenderKeyShare.open(delivery, identity: identity, sender: sender)
        let isNew = state.withLock { state -> Bool in
            guard state.inbound[share.keyID] == nil else { return false }
            state.inbound[share.keyID] = InboundKey(roomID: share.roomID, senderDevice: share.senderDevice, initial: share.chain, latest: share.chain)
            return true
        }
        if isNew {
            await backUp(
                KeyBackup.Item(
                    roomID: share.roomID, keyID: share.keyID, senderDevice: share.senderDevice, suite: share.suite,
                    iteration: share.chain.iteration, chainKey: Base64.encode(share.chain.chainKey.copyBytes())))
        }
    }

    // MARK: Key backup

    /// Keeps a sender key in the person's key backup (`KeyBackup`), when this device holds their
    /// identity. Best effort: a key not kept only means a new device cannot read those messages.
    private func backUp(_ item: KeyBackup.Item) async {
        guard let person = identity.person, let sealed = try? KeyBackup.seal(item, person: person) else { return }
        _ = try? await connection.request(KeysBackup(keyBackups: [sealed]))
    }

    /// Takes in the sender keys the person's other devices kept (once per messenger): what a new
    /// device of theirs needs to read the history it was not there for. Items that do not open
    /// under this person's identity are ignored.
    private func restoreKeyBackup() async {
        guard let person = identity.person,
            state.withLock({ state -> Bool in
                defer { state.searchedKeyBackup = true }
                return !state.searchedKeyBackup
            })
        else { return }
        guard let kept = try? await connection.request(KeysBackup()).keyBackups else { return }
        let items = kept.compactMap { KeyBackup.open($0, person: person) }
        state.withLock { state in
            for item in items where state.inbound[item.keyID] == nil {
                guard let key = Base64.decode(item.chainKey), key.count == 32 else { continue }
                let chain = SenderChain(iteration: item.iteration, chainKey: SecureBytes(key))
                state.inbound[item.keyID] = InboundKey(roomID: item.roomID, senderDevice: item.senderDevice, initial: chain, latest: chain)
            }
        }
    }

    /// Verifies and decrypts a message (from an event or from history).
    public func open(_ message: MessageInfo) async throws -> MessageContent {
        if state.withLock({ $0.inbound[message.envelope.keyID] == nil }) {
            for delivery in try await connection.request(NamedRoom<KeysFetch>(roomID: message.roomID)).keyDeliveries {
                try? await accept(delivery)
            }
            if state.withLock({ $0.inbound[message.envelope.keyID] == nil }) { await restoreKeyBackup() }
        }
        let sender = try await senderDevice(message.senderDevice, roomID: message.roomID)
        // Shown under the owner of the device that signed it: the server's word for the sender
        // must agree (issue 17).
        guard sender.userID == message.senderID else { throw E2EEError.senderMismatch(deviceID: sender.deviceID) }
        return try EnvelopeCrypto.open(message.envelope, roomID: message.roomID, sender: sender) { iteration in
            try state.withLock { state in
                guard var key = state.inbound[message.envelope.keyID], key.roomID == message.roomID,
                    key.senderDevice == message.senderDevice
                else { throw E2EEError.unknownSenderKey }
                if let earlier = key.opened[iteration], earlier != message.messageID {
                    throw E2EEError.replayed(keyID: message.envelope.keyID, iteration: iteration)
                }
                if key.opened[iteration] == nil, let last = key.lastRead {
                    if iteration > last + 1 {
                        state.deliveryIssues.append(.missing(roomID: message.roomID, senderID: message.senderID, count: iteration - last - 1))
                    } else if iteration < last {
                        state.deliveryIssues.append(.reordered(roomID: message.roomID, senderID: message.senderID))
                    }
                }
                key.lastRead = max(key.lastRead ?? iteration, iteration)
                key.opened[iteration] = message.messageID
                // Reading on from the latest position is the common case; an older message is
                // derived again from the key as it was shared.
                var chain = iteration >= key.latest.iteration ? key.latest : key.initial
                let messageKey = try chain.messageKey(at: iteration)
                if chain.iteration > key.latest.iteration { key.latest = chain }
                state.inbound[message.envelope.keyID] = key
                return messageKey
            }
        }
    }

    /// A sender device's verified keys, asking the server for the room's devices when unknown;
    /// refused unless its owner's pinned identity vouches for it.
    private func senderDevice(_ deviceID: String, roomID: String) async throws -> DeviceKeysCheck.Verified {
        var known = state.withLock({ $0.devices[deviceID] })
        if known == nil {
            _ = try verify(try await connection.request(NamedRoom<KeysGet>(roomID: roomID)).devices)
            known = state.withLock({ $0.devices[deviceID] })
        }
        guard let known else { throw E2EEError.unknownSenderKey }
        guard isTrusted(known) else { throw E2EEError.untrustedDevice(deviceID: deviceID) }
        return known
    }
}
