import WardCrypto
public import WardProtocol

/// A sender key as one device gives it to another: sealed to the recipient's X25519 key
/// (`crypto_box_seal` in `ward-sk-1`, HPKE in `ward-wc-1`) and signed inside the seal by the
/// sender's Ed25519 key, since neither seal says who sealed it.
public struct SenderKeyShare: Sendable {
    public let roomID: String
    public let keyID: String
    public let senderDevice: String
    public let recipientDevice: String
    public let chain: SenderChain
    public let suite: String

    public init(
        roomID: String, keyID: String, senderDevice: String, recipientDevice: String, chain: SenderChain,
        suite: String = CipherSuite.senderKeysV1
    ) {
        self.suite = suite
        self.roomID = roomID
        self.keyID = keyID
        self.senderDevice = senderDevice
        self.recipientDevice = recipientDevice
        self.chain = chain
    }

    /// A new random key id: 16 bytes, lowercase hex.
    public static func makeKeyID() -> String { Hex.encode(SecureRandom.bytes(16)) }

    public static func isKeyID(_ text: String) -> Bool {
        text.utf8.count == 32 && text.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
    }

    private var fields: CanonicalBytes {
        var bytes = CanonicalBytes(label: Suite.shareLabel(suite))
        bytes.append(roomID)
        bytes.append(keyID)
        bytes.append(senderDevice)
        bytes.append(recipientDevice)
        bytes.append(chain.iteration)
        chain.chainKey.withUnsafeBytes { bytes.append(Array($0)) }
        return bytes
    }

    /// Signs and seals this share to the recipient (whose keys the caller has verified).
    public func seal(to recipient: DeviceKeysCheck.Verified, signer: DeviceIdentity) throws -> SealedKey {
        var plaintext = fields.bytes
        plaintext += signer.signing.signature(for: plaintext)
        defer { SecureBytes.wipe(&plaintext) }
        guard recipient.suites.contains(suite) else { throw E2EEError.unsupportedSuite(suite) }
        return SealedKey(
            deviceID: recipient.deviceID, sealed: Base64.encode(try Suite.sealShare(plaintext, to: recipient.encryptionKey, suite: suite)))
    }

    /// Largest sealed share the server accepts, in bytes before base64.
    public static let maxSealedBytes = 1024

    /// Opens a share sealed to `identity`, checking it is addressed to this device, for this room
    /// and key, and signed by the sender device `sender` (verified keys).
    public static func open(_ delivery: KeyDelivery, identity: DeviceIdentity, sender: DeviceKeysCheck.Verified) throws -> SenderKeyShare {
        guard CipherSuite.supported.contains(delivery.suite) else { throw E2EEError.unsupportedSuite(delivery.suite) }
        guard let sealed = Base64.decode(delivery.sealed), sealed.count <= maxSealedBytes,
            var plaintext = try? Suite.openShare(sealed, identity: identity, suite: delivery.suite)
        else { throw E2EEError.undecryptable }
        defer { SecureBytes.wipe(&plaintext) }
        guard plaintext.count > Ed25519.signatureLength else { throw E2EEError.malformed("sender key share") }
        let body = Array(plaintext.dropLast(Ed25519.signatureLength))
        let signature = Array(plaintext.suffix(Ed25519.signatureLength))
        guard sender.signingKey.isValidSignature(signature, for: body) else { throw E2EEError.badSignature("sender key share") }
        guard let fields = CanonicalReader.fields(of: body, label: Suite.shareLabel(delivery.suite), count: 6), fields[5].count == 32,
            fields[4].count == 8
        else {
            throw E2EEError.malformed("sender key share")
        }
        let text = fields[0..<4].map { String(decoding: $0, as: UTF8.self) }
        let iteration = fields[4].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        guard text[0] == delivery.roomID, text[1] == delivery.keyID, text[2] == sender.deviceID, text[2] == delivery.senderDevice,
            text[3] == identity.deviceID, iteration <= UInt64(Int32.max)
        else {
            throw E2EEError.malformed("sender key share (addressed elsewhere)")
        }
        return SenderKeyShare(
            roomID: text[0], keyID: text[1], senderDevice: text[2], recipientDevice: text[3],
            chain: SenderChain(iteration: Int(iteration), chainKey: SecureBytes(fields[5])), suite: delivery.suite)
    }
}
