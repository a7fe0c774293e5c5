import Crypto
import CryptoExtras
import Foundation

/// PBKDF2-HMAC-SHA-256 (RFC 8018 §5.2), from swift-crypto's BoringSSL. Ward's passwords use
/// Argon2id; this is only for what a browser must open too (WebCrypto has PBKDF2, not Argon2id):
/// the identity backup under the recovery key, which is 160 random bits to begin with.
public enum PBKDF2SHA256 {
    /// OWASP's Password Storage Cheat Sheet figure for PBKDF2-HMAC-SHA-256 (2023).
    public static let recommendedIterations = 600_000

    public static func derive(password: [UInt8], salt: [UInt8], iterations: Int, length: Int) throws -> SecureBytes {
        do {
            let key = try KDF.Insecure.PBKDF2.deriveKey(
                from: password, salt: salt, using: .sha256, outputByteCount: length,
                unsafeUncheckedRounds: iterations)
            var bytes = key.withUnsafeBytes { Array($0) }
            defer { SecureBytes.wipe(&bytes) }
            return SecureBytes(bytes)
        } catch {
            throw CryptoError.library("PBKDF2: \(error)")
        }
    }
}
