import Foundation
public import WardCrypto

/// A person's identity key, sealed under a recovery key only they hold, kept on the server so
/// that a new device of theirs can become theirs (issue 17): the server stores bytes it cannot
/// open. The recovery key is 20 random bytes written as 32 base32 letters and digits in groups of
/// four.
///
/// Ward seals `ward-identity-backup-2` (PBKDF2-HMAC-SHA-256 and AES-256-GCM, both in WebCrypto,
/// so the browser opens what the terminal sealed and the reverse) and still opens
/// `ward-identity-backup-1` (Argon2id and XChaCha20-Poly1305, which browsers lack) for identities
/// backed up before (docs/PROTOCOL.md, "Identities").
public enum IdentityBackup {
    public static let format = "ward-identity-backup-2"
    static let argon2Format = "ward-identity-backup-1"
    /// Iteration counts a backup may name: fewer would be a backup weaker than Ward makes, more
    /// a way to keep a device busy for minutes.
    static let acceptedIterations = 100_000...10_000_000

    public enum Failure: Error, Equatable, CustomStringConvertible {
        case malformed
        case wrongRecoveryKey

        public var description: String {
            switch self {
            case .malformed: return "the identity backup is damaged or not a Ward identity backup"
            case .wrongRecoveryKey: return "the recovery key does not open the identity backup"
            }
        }
    }

    /// The JSON object of `ward-identity-backup-2`.
    struct Sealed: Codable {
        var format: String
        var userID: String
        var iterations: Int
        var salt: String
        var nonce: String
        var ciphertext: String
    }

    /// A new recovery key, e.g. `ABCD-EFGH-…` (eight groups of four).
    public static func makeRecoveryKey() -> String {
        let text = Base32.encode(SecureRandom.bytes(20))
        return stride(from: 0, to: text.count, by: 4).map { start in
            String(text.dropFirst(start).prefix(4))
        }.joined(separator: "-")
    }

    /// The recovery key as typed, without spaces or dashes, in capitals.
    static func normalised(_ recoveryKey: String) -> String {
        recoveryKey.uppercased().filter { !$0.isWhitespace && $0 != "-" }
    }

    private static func key(recoveryKey: String, salt: [UInt8], iterations: Int) throws -> SecureBytes {
        try PBKDF2SHA256.derive(password: Array(normalised(recoveryKey).utf8), salt: salt, iterations: iterations, length: AES256GCM.keyLength)
    }

    /// The backup's text (JSON) for `userID`'s identity under `recoveryKey`.
    public static func seal(
        _ person: PersonIdentity, userID: String, recoveryKey: String,
        iterations: Int = PBKDF2SHA256.recommendedIterations
    ) throws -> String {
        var seed = person.signing.seed.copyBytes()
        defer { SecureBytes.wipe(&seed) }
        let salt = SecureRandom.bytes(16)
        let sealed = try AES256GCM.seal(
            seed, key: try key(recoveryKey: recoveryKey, salt: salt, iterations: iterations),
            associatedData: PassphraseSeal.associatedData(format: format, userID: userID))
        let backup = Sealed(
            format: format, userID: userID, iterations: iterations, salt: Base64.encode(salt),
            nonce: Base64.encode(sealed.nonce), ciphertext: Base64.encode(sealed.ciphertext))
        return String(decoding: try JSONCoding.encoder.encode(backup), as: UTF8.self)
    }

    /// A backup in the first format, as Ward sealed them before browsers took part: for tests
    /// that older backups still open.
    static func sealArgon2(_ person: PersonIdentity, userID: String, recoveryKey: String, parameters: Argon2id.Parameters) throws -> String {
        var seed = person.signing.seed.copyBytes()
        defer { SecureBytes.wipe(&seed) }
        let sealed = try PassphraseSeal(
            sealing: seed, format: argon2Format, userID: userID, passphrase: normalised(recoveryKey), parameters: parameters)
        return String(decoding: try JSONCoding.encoder.encode(sealed), as: UTF8.self)
    }

    /// Whether a backup is in the first format, which browsers cannot open: a client that opened
    /// it with the recovery key seals it again (`seal`) and stores that in its place.
    public static func isArgon2Format(_ text: String) -> Bool {
        (try? JSONCoding.decoder.decode(PassphraseSeal.self, from: Array(text.utf8)))?.format == argon2Format
    }

    /// The identity in a backup made for `userID`, in either format.
    public static func open(_ text: String, userID: String, recoveryKey: String) throws -> PersonIdentity {
        var seed = try openSeed(text, userID: userID, recoveryKey: recoveryKey)
        defer { SecureBytes.wipe(&seed) }
        guard seed.count == 32, let person = try? PersonIdentity(seed: SecureBytes(seed)) else { throw Failure.malformed }
        return person
    }

    private static func openSeed(_ text: String, userID: String, recoveryKey: String) throws -> [UInt8] {
        let bytes = Array(text.utf8)
        if let sealed = try? JSONCoding.decoder.decode(Sealed.self, from: bytes), sealed.format == format {
            guard sealed.userID == userID, acceptedIterations.contains(sealed.iterations), let salt = Base64.decode(sealed.salt), salt.count >= 16,
                let nonce = Base64.decode(sealed.nonce), let ciphertext = Base64.decode(sealed.ciphertext)
            else { throw Failure.malformed }
            let key = try key(recoveryKey: recoveryKey, salt: salt, iterations: sealed.iterations)
            guard
                let seed = try? AES256GCM.open(
                    nonce: nonce, ciphertext: ciphertext, key: key,
                    associatedData: PassphraseSeal.associatedData(format: format, userID: userID))
            else {
                throw Failure.wrongRecoveryKey
            }
            return seed
        }
        guard let sealed = try? JSONCoding.decoder.decode(PassphraseSeal.self, from: bytes), sealed.format == argon2Format,
            sealed.userID == userID
        else { throw Failure.malformed }
        do { return try sealed.open(passphrase: normalised(recoveryKey)) } catch PassphraseSeal.Failure.malformed {
            throw Failure.malformed
        } catch {
            throw Failure.wrongRecoveryKey
        }
    }
}
