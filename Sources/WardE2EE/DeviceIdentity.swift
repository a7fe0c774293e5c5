public import WardCrypto
public import WardProtocol

/// A device's own key pairs: X25519 for receiving sealed sender keys, Ed25519 for signing what
/// it sends. Made on the device; the private halves never leave it.
public struct DeviceIdentity: Sendable {
    public let signing: Ed25519.PrivateKey
    public let encryption: SealedBox.KeyPair
    /// The suites this device speaks, as it publishes them: all this code implements, unless a
    /// device is made to speak fewer (an older client, in tests of rooms that mix suites).
    public var suites: [String] = CipherSuite.supported.sorted()
    /// The owner's identity key when this device holds it (it signs this device's keys); nil
    /// for a device that no identity vouches for yet.
    public var person: PersonIdentity?

    /// A new device with keys of its own, vouched for by `person` (by default a new identity: a
    /// person's first device).
    public init(person: PersonIdentity? = PersonIdentity()) {
        signing = Ed25519.PrivateKey()
        encryption = SealedBox.KeyPair()
        self.person = person
    }

    public init(signingSeed: SecureBytes, encryptionKey: SecureBytes, person: PersonIdentity? = nil) throws {
        signing = try Ed25519.PrivateKey(seed: signingSeed)
        encryption = try SealedBox.KeyPair(privateKey: encryptionKey)
        self.person = person
    }

    /// The id is derived from the signing key, so it names these keys and no others.
    public var deviceID: String { DeviceKeysCheck.deviceID(signingKey: signing.publicKey.bytes) }

    /// The public keys to register for `userID`, signed.
    public func publicKeys(userID: String) -> DeviceKeys {
        let suites = self.suites.sorted()
        let signed = DeviceKeysCheck.signedBytes(
            deviceID: deviceID, userID: userID, suites: suites,
            encryptionKey: encryption.publicKey, signingKey: signing.publicKey.bytes)
        var keys = DeviceKeys(
            deviceID: deviceID, userID: userID, suites: suites, encryptionKey: Base64.encode(encryption.publicKey),
            signingKey: Base64.encode(signing.publicKey.bytes), signature: Base64.encode(signing.signature(for: signed)))
        if let person {
            keys.identityKey = Base64.encode(person.publicKey)
            keys.identitySignature = Base64.encode(
                person.certify(
                    deviceID: deviceID, userID: userID, signingKey: signing.publicKey.bytes,
                    encryptionKey: encryption.publicKey))
        }
        return keys
    }
}

/// Checks of published device keys, made by the server at registration and by every client
/// before it seals a key to a device or trusts a signature from it.
public enum DeviceKeysCheck {
    public static func deviceID(signingKey: [UInt8]) -> String {
        "dev-" + Hex.encode(SHA256Hash.digest(Array("ward-device-id-1".utf8) + signingKey).prefix(16))
    }

    static func signedBytes(deviceID: String, userID: String, suites: [String], encryptionKey: [UInt8], signingKey: [UInt8]) -> [UInt8] {
        var bytes = CanonicalBytes(label: "ward-device-keys-1")
        bytes.append(deviceID)
        bytes.append(userID)
        bytes.append(suites.joined(separator: ","))
        bytes.append(encryptionKey)
        bytes.append(signingKey)
        return bytes.bytes
    }

    /// The verified public keys of a device.
    public struct Verified: Sendable, Hashable {
        public let deviceID: String
        public let userID: String
        public let suites: [String]
        public let encryptionKey: [UInt8]
        public let signingKey: Ed25519.PublicKey
        /// The identity key whose signature over these keys verified; nil for an unsigned device.
        public let identityKey: [UInt8]?
    }

    /// Verifies that the keys are well formed, the id belongs to the signing key, and the
    /// signature binds keys, suites and user.
    public static func verify(_ keys: DeviceKeys) throws -> Verified {
        guard let encryptionKey = Base64.decode(keys.encryptionKey), encryptionKey.count == 32 else {
            throw E2EEError.malformed("device encryption key")
        }
        guard let signingBytes = Base64.decode(keys.signingKey), let signingKey = try? Ed25519.PublicKey(bytes: signingBytes) else {
            throw E2EEError.malformed("device signing key")
        }
        guard let signature = Base64.decode(keys.signature), signature.count == Ed25519.signatureLength else {
            throw E2EEError.malformed("device signature")
        }
        guard !keys.suites.isEmpty, keys.suites.count <= 8, keys.suites.allSatisfy({ (1...32).contains($0.utf8.count) && !$0.contains(",") }) else {
            throw E2EEError.malformed("device suites")
        }
        guard keys.deviceID == deviceID(signingKey: signingBytes) else { throw E2EEError.malformed("device id") }
        let signed = signedBytes(
            deviceID: keys.deviceID, userID: keys.userID, suites: keys.suites, encryptionKey: encryptionKey, signingKey: signingBytes)
        guard signingKey.isValidSignature(signature, for: signed) else { throw E2EEError.badSignature("device keys") }
        var identityKey: [UInt8]?
        if keys.identityKey != nil || keys.identitySignature != nil {
            guard let key = keys.identityKey.flatMap({ Base64.decode($0) }), let identity = try? Ed25519.PublicKey(bytes: key),
                let certificate = keys.identitySignature.flatMap({ Base64.decode($0) }), certificate.count == Ed25519.signatureLength
            else {
                throw E2EEError.malformed("device identity signature")
            }
            let certified = PersonIdentity.certifiedBytes(
                userID: keys.userID, identityKey: key, deviceID: keys.deviceID,
                signingKey: signingBytes, encryptionKey: encryptionKey)
            guard identity.isValidSignature(certificate, for: certified) else { throw E2EEError.badSignature("device identity signature") }
            identityKey = key
        }
        return Verified(
            deviceID: keys.deviceID, userID: keys.userID, suites: keys.suites, encryptionKey: encryptionKey, signingKey: signingKey,
            identityKey: identityKey)
    }

    /// A device's safety number: 60 digits in groups of five, from both of its public keys.
    /// Two people who read the same number for a device know the server did not swap its keys.
    public static func safetyNumber(_ keys: DeviceKeys) -> String {
        let encryption = Base64.decode(keys.encryptionKey) ?? []
        let signing = Base64.decode(keys.signingKey) ?? []
        return PersonIdentity.safetyDigits(SHA512Hash.digest(Array("ward-safety-number-1".utf8) + signing + encryption))
    }
}
