/// The PHC string format for Argon2id hashes: `$argon2id$v=19$m=M,t=T,p=P$SALT$TAG`, with salt
/// and tag in standard base64 without padding (the form libargon2 and libsodium write).
public struct PHCString: Hashable, Sendable {
    /// Cost parameters; `saltLength` and `tagLength` reflect this string's salt and tag.
    public let parameters: Argon2id.Parameters
    public let salt: [UInt8]
    public let tag: [UInt8]

    public init(parameters: Argon2id.Parameters, salt: [UInt8], tag: [UInt8]) {
        var p = parameters
        p.saltLength = salt.count
        p.tagLength = tag.count
        self.parameters = p
        self.salt = salt
        self.tag = tag
    }

    /// The string form.
    public var encoded: String {
        "$argon2id$v=19$\(parameters)$\(Base64.encode(salt, padding: false))$\(Base64.encode(tag, padding: false))"
    }

    /// Parses a PHC string. Only Argon2id version 19 is accepted; anything else is an error that
    /// says which part is wrong (the string itself is never echoed: it is a secret's hash).
    public init(parsing text: String) throws {
        let parts = text.split(separator: "$", omittingEmptySubsequences: false)
        guard parts.count == 6, parts[0].isEmpty else { throw CryptoError.malformedPasswordHash("expected 5 '$'-separated fields") }
        guard parts[1] == "argon2id" else { throw CryptoError.malformedPasswordHash("algorithm is not argon2id") }
        guard parts[2] == "v=19" else { throw CryptoError.malformedPasswordHash("version is not v=19") }
        var m: UInt32?, t: UInt32?, p: UInt32?
        for field in parts[3].split(separator: ",", omittingEmptySubsequences: false) {
            let pair = field.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard pair.count == 2, let value = PHCString.decimal(pair[1]) else {
                throw CryptoError.malformedPasswordHash("parameter field is not name=number")
            }
            switch pair[0] {
            case "m" where m == nil: m = value
            case "t" where t == nil: t = value
            case "p" where p == nil: p = value
            default: throw CryptoError.malformedPasswordHash("unknown or repeated parameter")
            }
        }
        guard let m, let t, let p else { throw CryptoError.malformedPasswordHash("m, t and p are required") }
        guard let salt = Base64.decode(String(parts[4]), padding: false), salt.count >= 8 else {
            throw CryptoError.malformedPasswordHash("salt is not unpadded base64 of at least 8 bytes")
        }
        guard let tag = Base64.decode(String(parts[5]), padding: false), tag.count >= 16 else {
            throw CryptoError.malformedPasswordHash("hash is not unpadded base64 of at least 16 bytes")
        }
        let parameters = Argon2id.Parameters(memoryKiB: m, iterations: t, parallelism: p, saltLength: salt.count, tagLength: tag.count)
        do { try parameters.validate() } catch { throw CryptoError.malformedPasswordHash("parameters out of range") }
        self.parameters = parameters
        self.salt = salt
        self.tag = tag
    }

    private static func decimal(_ s: Substring) -> UInt32? {
        guard !s.isEmpty, s.count <= 10, s.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        guard s == "0" || s.first != "0" else { return nil }
        return UInt32(s)
    }
}
