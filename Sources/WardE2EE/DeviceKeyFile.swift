import Foundation
public import WardCrypto

/// A device's private keys at rest: one file, mode 0600, sealed with XChaCha20-Poly1305 under a
/// key derived from the user's passphrase with Argon2id. The file names its format, the Argon2id
/// parameters and salt, and the user it belongs to (authenticated as associated data); nothing
/// in it is readable without the passphrase.
public enum DeviceKeyFile {
    public static let format = "ward-device-key-1"

    public enum Failure: Error, Equatable, CustomStringConvertible {
        case unreadable(String)
        case malformed(String)
        case wrongPassphrase
        case notPrivate(String)

        public var description: String {
            switch self {
            case let .unreadable(path): return "cannot read the device key file \(path)"
            case let .malformed(what): return "the device key file is damaged or not a Ward device key file (\(what))"
            case .wrongPassphrase: return "the passphrase does not open the device key file"
            case let .notPrivate(path): return "\(path) is readable by others; it must be mode 0600"
            }
        }
    }

    private struct Secrets: Codable {
        var signingSeed: String
        var encryptionKey: String
        /// The owner's identity key seed, when this device holds it (files written before
        /// identity keys have none).
        var identitySeed: String?
    }

    /// Writes the identity's private keys to `path` (replacing it atomically), mode 0600.
    public static func save(
        _ identity: DeviceIdentity, userID: String, passphrase: String, to path: String,
        parameters: Argon2id.Parameters = .rfc9106SecondRecommended
    ) throws {
        var plaintext = try JSONCoding.encoder.encode(
            Secrets(
                signingSeed: Base64.encode(identity.signing.seed.copyBytes()),
                encryptionKey: Base64.encode(identity.encryption.privateKey.copyBytes()),
                identitySeed: identity.person.map { Base64.encode($0.signing.seed.copyBytes()) }))
        defer { SecureBytes.wipe(&plaintext) }
        let stored = try PassphraseSeal(sealing: plaintext, format: format, userID: userID, passphrase: passphrase, parameters: parameters)
        let bytes = Data(try JSONCoding.encoder.encode(stored))
        let temporary = path + ".tmp-" + Hex.encode(SecureRandom.bytes(4))
        guard FileManager.default.createFile(atPath: temporary, contents: bytes, attributes: [.posixPermissions: 0o600]) else {
            throw Failure.unreadable(temporary)
        }
        guard rename(temporary, path) == 0 else {
            try? FileManager.default.removeItem(atPath: temporary)
            throw Failure.unreadable(path)
        }
    }

    /// Reads and opens the file; the user it belongs to comes with the identity.
    public static func load(from path: String, passphrase: String) throws -> (identity: DeviceIdentity, userID: String) {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
            let data = FileManager.default.contents(atPath: path)
        else { throw Failure.unreadable(path) }
        if let mode = attributes[.posixPermissions] as? Int, mode & 0o077 != 0 { throw Failure.notPrivate(path) }
        guard let stored = try? JSONCoding.decoder.decode(PassphraseSeal.self, from: Array(data)), stored.format == format else {
            throw Failure.malformed("not \(format)")
        }
        var plaintext: [UInt8]
        do { plaintext = try stored.open(passphrase: passphrase) } catch PassphraseSeal.Failure.malformed {
            throw Failure.malformed("parameters")
        } catch {
            throw Failure.wrongPassphrase
        }
        defer { SecureBytes.wipe(&plaintext) }
        guard let secrets = try? JSONCoding.decoder.decode(Secrets.self, from: plaintext),
            let seed = Base64.decode(secrets.signingSeed), let encryption = Base64.decode(secrets.encryptionKey),
            let identity = try? DeviceIdentity(
                signingSeed: SecureBytes(seed), encryptionKey: SecureBytes(encryption),
                person: secrets.identitySeed.flatMap { Base64.decode($0) }.flatMap { try? PersonIdentity(seed: SecureBytes($0)) })
        else {
            throw Failure.malformed("keys")
        }
        return (identity, stored.userID)
    }
}
