import WardCrypto

/// Bytes sealed under a passphrase: Argon2id (parameters and salt kept beside the ciphertext)
/// derives the key, XChaCha20-Poly1305 seals, and the format and owner are authenticated as
/// associated data, so a sealed value cannot be passed off as another format or another
/// person's. The device key file and the identity backup are both this.
struct PassphraseSeal: Codable {
    var format: String
    var userID: String
    var memoryKiB: UInt32
    var iterations: UInt32
    var parallelism: UInt32
    var salt: String
    var nonce: String
    var ciphertext: String

    enum Failure: Error {
        case malformed
        case wrongPassphrase
    }

    init(sealing plaintext: [UInt8], format: String, userID: String, passphrase: String, parameters: Argon2id.Parameters) throws {
        let salt = SecureRandom.bytes(16)
        let key = try Self.derive(passphrase: passphrase, salt: salt, format: format, parameters: parameters)
        let sealed = try XChaCha20Poly1305.seal(plaintext, key: key, associatedData: Self.associatedData(format: format, userID: userID))
        self.format = format
        self.userID = userID
        memoryKiB = parameters.memoryKiB
        iterations = parameters.iterations
        parallelism = parameters.parallelism
        self.salt = Base64.encode(salt)
        nonce = Base64.encode(sealed.nonce)
        ciphertext = Base64.encode(sealed.ciphertext)
    }

    /// The plaintext; `malformed` when the parameters are not Ward's to accept, `wrongPassphrase`
    /// when it does not open (a wrong passphrase, or altered bytes).
    func open(passphrase: String) throws -> [UInt8] {
        let parameters = Argon2id.Parameters(memoryKiB: memoryKiB, iterations: iterations, parallelism: parallelism)
        guard (try? parameters.validate()) != nil, let salt = Base64.decode(salt), salt.count >= 16,
            let nonce = Base64.decode(nonce), let ciphertext = Base64.decode(ciphertext)
        else { throw Failure.malformed }
        let key = try Self.derive(passphrase: passphrase, salt: salt, format: format, parameters: parameters)
        guard
            let plaintext = try? XChaCha20Poly1305.open(
                .init(nonce: nonce, ciphertext: ciphertext), key: key,
                associatedData: Self.associatedData(format: format, userID: userID))
        else {
            throw Failure.wrongPassphrase
        }
        return plaintext
    }

    /// What binds a sealed value to its format and its owner; the identity backup's second format
    /// binds its AES-256-GCM seal with the same bytes.
    static func associatedData(format: String, userID: String) -> [UInt8] { Array((format + "\u{0}" + userID).utf8) }

    private static func derive(passphrase: String, salt: [UInt8], format: String, parameters: Argon2id.Parameters) throws -> SecureBytes {
        var tag = try Argon2id.rawHash(
            password: Array(passphrase.utf8), salt: salt, associatedData: Array(format.utf8),
            parameters: parameters, tagLength: XChaCha20Poly1305.keyLength)
        defer { SecureBytes.wipe(&tag) }
        return SecureBytes(tag)
    }
}
