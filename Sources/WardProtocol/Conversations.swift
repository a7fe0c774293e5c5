/// The cipher suites an envelope, a key distribution or a device can name. A suite fixes every
/// algorithm, so a new one (for example for WebCrypto clients: X25519, Ed25519, HKDF/HMAC-SHA-256,
/// AES-GCM) can be added without changing what the old one means.
public enum CipherSuite {
    /// X25519 sealed boxes for key distribution, Ed25519 signatures, HMAC-SHA-256 hash-ratcheted
    /// sender keys, XChaCha20-Poly1305 for the message (docs/PROTOCOL.md, "Envelopes").
    public static let senderKeysV1 = "ward-sk-1"
    /// The same design from primitives WebCrypto implements: HPKE (RFC 9180, X25519, HKDF-SHA256,
    /// AES-256-GCM) for key distribution, Ed25519, HMAC-SHA-256 sender keys, AES-256-GCM for the
    /// message.
    public static let webCryptoV1 = "ward-wc-1"
    /// The suites this code implements.
    public static let supported: Set<String> = [senderKeysV1, webCryptoV1]
}

/// A device's public keys, published to those who may message its user. The device id is
/// derived from the signing key, and the signature (by that key) binds the encryption key and
/// suites to the user, so the server cannot swap a key without the change being seen.
public struct DeviceKeys: Codable, Hashable, Sendable {
    public var deviceID: String
    public var userID: String
    public var suites: [String]
    /// X25519 public key, base64.
    public var encryptionKey: String
    /// Ed25519 public key, base64.
    public var signingKey: String
    /// Ed25519 signature over `DeviceKeys.signedBytes`, base64.
    public var signature: String
    /// The owner's identity key (Ed25519 public key, base64), which vouches for this device.
    public var identityKey: String?
    /// The identity key's Ed25519 signature over the device's keys (docs/PROTOCOL.md,
    /// "Identities"), base64.
    public var identitySignature: String?

    public init(
        deviceID: String, userID: String, suites: [String], encryptionKey: String, signingKey: String, signature: String,
        identityKey: String? = nil, identitySignature: String? = nil
    ) {
        self.deviceID = deviceID
        self.userID = userID
        self.suites = suites
        self.encryptionKey = encryptionKey
        self.signingKey = signingKey
        self.signature = signature
        self.identityKey = identityKey
        self.identitySignature = identitySignature
    }
}

/// One message's ciphertext as the sender's device made it; the server stores and relays it.
public struct Envelope: Codable, Hashable, Sendable {
    public var suite: String
    /// The sender key (chain) the message was encrypted with.
    public var keyID: String
    /// Position in that chain.
    public var iteration: Int
    /// Base64 of the 24-byte nonce.
    public var nonce: String
    /// Base64 of the XChaCha20-Poly1305 ciphertext and tag.
    public var ciphertext: String
    /// Base64 of the sender device's Ed25519 signature.
    public var signature: String

    public init(suite: String, keyID: String, iteration: Int, nonce: String, ciphertext: String, signature: String) {
        self.suite = suite
        self.keyID = keyID
        self.iteration = iteration
        self.nonce = nonce
        self.ciphertext = ciphertext
        self.signature = signature
    }
}

/// A sender key sealed to one recipient device.
public struct SealedKey: Codable, Hashable, Sendable {
    public var deviceID: String
    /// Base64 of the sealed box.
    public var sealed: String

    public init(deviceID: String, sealed: String) {
        (self.deviceID, self.sealed) = (deviceID, sealed)
    }
}

/// A sender key a device received, sealed under its person's key backup key (`keys.backup`).
public struct SealedKeyBackup: Codable, Hashable, Sendable {
    public var keyID: String
    /// Base64 of the nonce and ciphertext; the server cannot open it.
    public var sealed: String

    public init(keyID: String, sealed: String) {
        (self.keyID, self.sealed) = (keyID, sealed)
    }
}

/// A sender key addressed to this device, as delivered (`key` events, `keys.fetch`).
public struct KeyDelivery: Codable, Hashable, Sendable {
    public var roomID: String
    public var keyID: String
    public var senderID: String
    public var senderDevice: String
    public var suite: String
    public var sealed: String

    public init(roomID: String, keyID: String, senderID: String, senderDevice: String, suite: String, sealed: String) {
        self.roomID = roomID
        self.keyID = keyID
        self.senderID = senderID
        self.senderDevice = senderDevice
        self.suite = suite
        self.sealed = sealed
    }
}

/// A stored message: the server's metadata and the sender's envelope.
public struct MessageInfo: Codable, Hashable, Sendable {
    public var roomID: String
    public var seq: Int
    public var messageID: String
    public var senderID: String
    public var senderDevice: String
    /// Server time, milliseconds since 1970.
    public var sentAt: Int64
    public var envelope: Envelope

    public init(roomID: String, seq: Int, messageID: String, senderID: String, senderDevice: String, sentAt: Int64, envelope: Envelope) {
        self.roomID = roomID
        self.seq = seq
        self.messageID = messageID
        self.senderID = senderID
        self.senderDevice = senderDevice
        self.sentAt = sentAt
        self.envelope = envelope
    }
}

/// A room as its members see it.
public struct RoomInfo: Codable, Hashable, Sendable {
    public var roomID: String
    /// "staff" or "care".
    public var kind: String
    public var name: String
    public var direct: Bool
    /// A staff room its owner opened to anyone the policies allow (room.join); absent otherwise.
    public var open: Bool?
    /// For care rooms: the patient.
    public var patientID: String?
    /// The newest message's sequence number (0 when empty).
    public var lastSeq: Int
    /// The first sequence number this member may read (messages before they joined are not theirs).
    public var firstSeq: Int?
    /// This member's read marker and unread count.
    public var readSeq: Int?
    public var unread: Int?
    /// Changes whenever the member devices change; sender keys of an older epoch are refused.
    public var epoch: Int

    public init(roomID: String, kind: String, name: String, direct: Bool, patientID: String?, lastSeq: Int, epoch: Int) {
        self.roomID = roomID
        self.kind = kind
        self.name = name
        self.direct = direct
        self.patientID = patientID
        self.lastSeq = lastSeq
        self.epoch = epoch
    }
}

/// A room member with what others may see of them.
public struct MemberInfo: Codable, Hashable, Sendable {
    public var userID: String
    public var displayName: String
    public var role: String
    /// "online", "away" or "offline".
    public var presence: String
    public var readSeq: Int
    public var deliveredSeq: Int

    public init(userID: String, displayName: String, role: String, presence: String, readSeq: Int, deliveredSeq: Int) {
        self.userID = userID
        self.displayName = displayName
        self.role = role
        self.presence = presence
        self.readSeq = readSeq
        self.deliveredSeq = deliveredSeq
    }
}
