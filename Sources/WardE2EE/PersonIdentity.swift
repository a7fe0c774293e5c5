public import WardCrypto

/// A person's identity key (Ed25519): made on their first device, it signs the keys of each of
/// their devices (cross-signing), so that a device the server made up, or one signed by another
/// key, is told apart from the person's own (issue 17). Contacts pin it on first contact; its
/// safety number is the same on all of the person's devices.
public struct PersonIdentity: Sendable {
    public let signing: Ed25519.PrivateKey

    /// A new identity (a person's first device).
    public init() {
        signing = Ed25519.PrivateKey()
    }

    public init(seed: SecureBytes) throws {
        signing = try Ed25519.PrivateKey(seed: seed)
    }

    /// The public key, 32 bytes.
    public var publicKey: [UInt8] { signing.publicKey.bytes }

    /// The signature that says device `deviceID` (with these keys) is `userID`'s.
    func certify(deviceID: String, userID: String, signingKey: [UInt8], encryptionKey: [UInt8]) -> [UInt8] {
        signing.signature(
            for: Self.certifiedBytes(
                userID: userID, identityKey: publicKey, deviceID: deviceID,
                signingKey: signingKey, encryptionKey: encryptionKey))
    }

    static func certifiedBytes(userID: String, identityKey: [UInt8], deviceID: String, signingKey: [UInt8], encryptionKey: [UInt8]) -> [UInt8] {
        var bytes = CanonicalBytes(label: "ward-identity-device-1")
        bytes.append(userID)
        bytes.append(identityKey)
        bytes.append(deviceID)
        bytes.append(signingKey)
        bytes.append(encryptionKey)
        return bytes.bytes
    }

    /// A person's safety number: 60 digits in groups of five, from their identity key. Two people
    /// who read the same number know the server did not swap the key, for every device it signs.
    public static func safetyNumber(identityKey: [UInt8]) -> String {
        safetyDigits(SHA512Hash.digest(Array("ward-safety-number-2".utf8) + identityKey))
    }

    /// Twelve groups of five digits from the first 60 bytes of a SHA-512 digest: each group the
    /// big-endian value of the next 5 bytes modulo 100,000 (as Signal's safety numbers).
    static func safetyDigits(_ digest: [UInt8]) -> String {
        (0..<12).map { group in
            let chunk = digest[(group * 5)..<(group * 5 + 5)]
            let value = chunk.reduce(UInt64(0)) { $0 << 8 | UInt64($1) } % 100_000
            let digits = String(value)
            return String(repeating: "0", count: 5 - digits.count) + digits
        }.joined(separator: " ")
    }
}
