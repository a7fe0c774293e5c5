internal import Foundation
public import WardCrypto

/// A person's identity key, sealed under a recovery key only they hold, kept on the server so
/// that a new device of theirs can become theirs (issue 17): the server stores bytes it cannot
/// open. The recovery key is 20 random bytes written as 32 base32 letters and digits in groups of
/// four; Argon2id stretches it all the same, in case a person types a passphrase of their own.
public enum IdentityBackup {
    public static let format = "ward-identity-backup-1"

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

    /// The backup's text (JSON) for `userID`'s identity under `recoveryKey`.
    public static func seal(_ person: PersonIdentity, userID: String, recoveryKey: String,
                            parameters: Argon2id.Parameters = .rfc9106SecondRecommended) throws -> String {
        var seed = person.signing.seed.copyBytes()
        defer { SecureBytes.wipe(&seed) }
        let sealed = try PassphraseSeal(sealing: seed, format: format, userID: userID, passphrase: normalised(recoveryKey), parameters: parameters)
        return String(decoding: try JSONCoding.encoder.encode(sealed), as: UTF8.self)
    }

    /// The identity in a backup made for `userID`.
    public static func open(_ text: String, userID: String, recoveryKey: String) throws -> PersonIdentity {
        guard let sealed = try? JSONCoding.decoder.decode(PassphraseSeal.self, from: Array(text.utf8)), sealed.format == format,
              sealed.userID == userID else { throw Failure.malformed }
        var seed: [UInt8]
        do { seed = try sealed.open(passphrase: normalised(recoveryKey)) } catch PassphraseSeal.Failure.malformed {
            throw Failure.malformed
        } catch {
            throw Failure.wrongRecoveryKey
        }
        defer { SecureBytes.wipe(&seed) }
        guard let person = try? PersonIdentity(seed: SecureBytes(seed)) else { throw Failure.malformed }
        return person
    }
}
