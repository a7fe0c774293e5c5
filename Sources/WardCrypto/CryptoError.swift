/// Errors from Ward's cryptographic primitives. Messages name what failed, never secret data.
public enum CryptoError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A key, nonce or other fixed-size input had the wrong length.
    case invalidLength(what: String, expected: Int, actual: Int)
    /// Decryption failed: the ciphertext, nonce, key or associated data is wrong or was altered.
    case authenticationFailed
    /// A signature did not verify.
    case badSignature
    /// A password hash string is not a well-formed `$argon2id$…` PHC string.
    case malformedPasswordHash(String)
    /// Argon2 parameters are outside what the implementation accepts.
    case invalidParameters(String)
    /// The underlying C library returned an error code.
    case library(String)

    public var description: String {
        switch self {
        case let .invalidLength(what, expected, actual):
            return "\(what) must be \(expected) bytes, got \(actual)"
        case .authenticationFailed:
            return "decryption failed: the data was altered or the key is wrong"
        case .badSignature:
            return "signature does not verify"
        case let .malformedPasswordHash(why):
            return "malformed password hash: \(why)"
        case let .invalidParameters(why):
            return "invalid parameters: \(why)"
        case let .library(why):
            return "crypto library error: \(why)"
        }
    }
}
