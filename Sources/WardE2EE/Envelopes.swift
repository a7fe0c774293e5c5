public import WardCrypto
public import WardProtocol

/// What a message's plaintext holds (encrypted; the server never sees it).
public struct MessageContent: Codable, Hashable, Sendable {
    /// The text as typed.
    public var body: String
    /// "text", or "emote" for `/me` actions.
    public var format: String

    public init(body: String, format: String = "text") {
        (self.body, self.format) = (body, format)
    }
}

/// Sealing and opening envelopes of both suites (docs/PROTOCOL.md, "Envelopes"; `Suite`).
public enum EnvelopeCrypto {
    public static let maxCiphertextBytes = 48 * 1024 + XChaCha20Poly1305.tagLength
    static let tagLength = 16

    /// The header the AEAD authenticates and the signature covers: which room, which device,
    /// which sender key and position.
    static func header(suite: String, roomID: String, senderDevice: String, keyID: String, iteration: Int) -> CanonicalBytes {
        var bytes = CanonicalBytes(label: Suite.messageLabel(suite))
        bytes.append(suite)
        bytes.append(roomID)
        bytes.append(senderDevice)
        bytes.append(keyID)
        bytes.append(iteration)
        return bytes
    }

    static func signedBytes(header: CanonicalBytes, nonce: [UInt8], ciphertext: [UInt8]) -> [UInt8] {
        var bytes = header
        bytes.append(nonce)
        bytes.append(ciphertext)
        return bytes.bytes
    }

    /// Encrypts `content` with the next key of `chain` under `suite` and signs it with the device key.
    public static func seal(
        _ content: MessageContent, roomID: String, keyID: String, chain: inout SenderChain,
        device: DeviceIdentity, suite: String = CipherSuite.senderKeysV1
    ) throws -> Envelope {
        let (iteration, key) = chain.nextMessageKey()
        return try seal(content, roomID: roomID, keyID: keyID, iteration: iteration, messageKey: key, device: device, suite: suite)
    }

    /// Encrypts `content` at a position of a chain whose message key the caller holds (one it
    /// took for a message the server refused, used again rather than left as a gap).
    public static func seal(
        _ content: MessageContent, roomID: String, keyID: String, iteration: Int, messageKey key: SecureBytes,
        device: DeviceIdentity, suite: String
    ) throws -> Envelope {
        guard CipherSuite.supported.contains(suite) else { throw E2EEError.unsupportedSuite(suite) }
        let plaintext = try JSONCoding.encoder.encode(content)
        let header = header(suite: suite, roomID: roomID, senderDevice: device.deviceID, keyID: keyID, iteration: iteration)
        let sealed = try Suite.sealMessage(Array(plaintext), key: key, associatedData: header.bytes, suite: suite)
        let signature = device.signing.signature(for: signedBytes(header: header, nonce: sealed.nonce, ciphertext: sealed.ciphertext))
        return Envelope(
            suite: suite, keyID: keyID, iteration: iteration, nonce: Base64.encode(sealed.nonce),
            ciphertext: Base64.encode(sealed.ciphertext), signature: Base64.encode(signature))
    }

    /// The decoded parts of an envelope that has the right shape.
    public struct Parts: Sendable {
        public let nonce: [UInt8]
        public let ciphertext: [UInt8]
        public let signature: [UInt8]
    }

    /// The structural check the server makes before storing an envelope, and every receiver
    /// before opening one: a known suite, a well-formed key id, sizes in bounds.
    public static func check(_ envelope: Envelope) throws -> Parts {
        guard CipherSuite.supported.contains(envelope.suite) else { throw E2EEError.unsupportedSuite(envelope.suite) }
        guard SenderKeyShare.isKeyID(envelope.keyID) else { throw E2EEError.malformed("envelope keyID") }
        guard (0...Int(Int32.max)).contains(envelope.iteration) else { throw E2EEError.malformed("envelope iteration") }
        guard let nonce = Base64.decode(envelope.nonce), nonce.count == Suite.nonceLength(envelope.suite) else {
            throw E2EEError.malformed("envelope nonce")
        }
        guard envelope.ciphertext.utf8.count <= (maxCiphertextBytes + 2) / 3 * 4, let ciphertext = Base64.decode(envelope.ciphertext),
            (tagLength...maxCiphertextBytes).contains(ciphertext.count)
        else {
            throw E2EEError.malformed("envelope ciphertext")
        }
        guard let signature = Base64.decode(envelope.signature), signature.count == Ed25519.signatureLength else {
            throw E2EEError.malformed("envelope signature")
        }
        return Parts(nonce: nonce, ciphertext: ciphertext, signature: signature)
    }

    /// Verifies the sender device's signature, then decrypts with the message key for the
    /// envelope's iteration (which the caller derives from the sender key it holds).
    public static func open(
        _ envelope: Envelope, roomID: String, sender: DeviceKeysCheck.Verified,
        messageKey: (Int) throws -> SecureBytes
    ) throws -> MessageContent {
        let parts = try check(envelope)
        let header = header(
            suite: envelope.suite, roomID: roomID, senderDevice: sender.deviceID, keyID: envelope.keyID, iteration: envelope.iteration)
        guard sender.signingKey.isValidSignature(parts.signature, for: signedBytes(header: header, nonce: parts.nonce, ciphertext: parts.ciphertext))
        else {
            throw E2EEError.badSignature("message")
        }
        let key = try messageKey(envelope.iteration)
        guard
            let plaintext = try? Suite.openMessage(
                nonce: parts.nonce, ciphertext: parts.ciphertext, key: key, associatedData: header.bytes,
                suite: envelope.suite)
        else {
            throw E2EEError.undecryptable
        }
        guard let content = try? JSONCoding.decoder.decode(MessageContent.self, from: plaintext) else { throw E2EEError.malformed("message content") }
        return content
    }
}
