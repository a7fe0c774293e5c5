import Crypto

/// Time-based one-time passwords (RFC 6238; HMAC-SHA-1, 30-second steps, 6 digits), the form
/// authenticator apps read from an `otpauth://` URI.
public struct TOTP: Sendable {
    public let secret: SecureBytes
    public let digits: Int
    public let step: Int64

    public init(secret: SecureBytes, digits: Int = 6, step: Int64 = 30) {
        self.secret = secret
        self.digits = digits
        self.step = step
    }

    /// A new random 160-bit secret (RFC 4226 §4 recommends at least 128 bits).
    public static func generate() -> TOTP { TOTP(secret: SecureBytes(randomCount: 20)) }

    /// The time step containing `unixTime`.
    public func counter(at unixTime: Int64) -> Int64 { unixTime / step }

    /// The code for time step `counter` (RFC 4226 HOTP with dynamic truncation).
    public func code(counter: Int64) -> String {
        let message = withUnsafeBytes(of: UInt64(counter).bigEndian) { Array($0) }
        let mac = secret.withUnsafeBytes { key in
            Array(HMAC<Insecure.SHA1>.authenticationCode(for: message, using: SymmetricKey(data: key)))
        }
        let offset = Int(mac[mac.count - 1] & 0x0F)
        let binary = (UInt32(mac[offset] & 0x7F) << 24) | (UInt32(mac[offset + 1]) << 16) | (UInt32(mac[offset + 2]) << 8) | UInt32(mac[offset + 3])
        var modulus: UInt32 = 1
        for _ in 0..<digits { modulus *= 10 }
        let value = String(binary % modulus)
        return String(repeating: "0", count: digits - value.count) + value
    }

    /// The step `code` belongs to, if it is the code of the current step or one step either
    /// side (clock drift) and newer than `lastUsed` (a code works once). Compared in constant time.
    public func verify(_ code: String, at unixTime: Int64, lastUsed: Int64?) -> Int64? {
        let now = counter(at: unixTime)
        var match: Int64?
        for candidate in (now - 1)...(now + 1) {
            if ConstantTime.equal(Array(self.code(counter: candidate).utf8), Array(code.utf8)), candidate > (lastUsed ?? Int64.min) {
                match = candidate
            }
        }
        return match
    }

    /// The secret in base32 (RFC 4648, no padding), as authenticator apps take it.
    public var base32Secret: String { Base32.encode(secret.copyBytes()) }

    /// `otpauth://totp/ISSUER:ACCOUNT?secret=…&issuer=…&digits=6&period=30`.
    public func uri(issuer: String, account: String) -> String {
        let label = percentEncode(issuer) + ":" + percentEncode(account)
        return "otpauth://totp/\(label)?secret=\(base32Secret)&issuer=\(percentEncode(issuer))&algorithm=SHA1&digits=\(digits)&period=\(step)"
    }

    private func percentEncode(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.unicodeScalars.append(UnicodeScalar(byte))
            default:
                out += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        return out
    }
}

/// RFC 4648 base32, upper case, without padding.
public enum Base32 {
    static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".utf8)

    public static func encode(_ bytes: [UInt8]) -> String {
        var out = [UInt8](), buffer: UInt32 = 0, bits = 0
        for byte in bytes {
            buffer = buffer << 8 | UInt32(byte)
            bits += 8
            while bits >= 5 {
                bits -= 5
                out.append(alphabet[Int((buffer >> UInt32(bits)) & 31)])
            }
        }
        if bits > 0 { out.append(alphabet[Int((buffer << UInt32(5 - bits)) & 31)]) }
        return String(decoding: out, as: UTF8.self)
    }

    /// Decodes base32 (either case, padding and spaces ignored); nil for other characters.
    public static func decode(_ text: String) -> [UInt8]? {
        var out = [UInt8](), buffer: UInt32 = 0, bits = 0
        for byte in text.utf8 where byte != UInt8(ascii: "=") && byte != UInt8(ascii: " ") {
            let upper = byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z") ? byte - 32 : byte
            guard let value = alphabet.firstIndex(of: upper) else { return nil }
            buffer = buffer << 5 | UInt32(value)
            bits += 5
            if bits >= 8 {
                bits -= 8
                out.append(UInt8(truncatingIfNeeded: buffer >> UInt32(bits)))
            }
        }
        return out
    }
}

extension String {
    fileprivate func leftPadded(to length: Int) -> String {
        count >= length ? self : String(repeating: "0", count: length - count) + self
    }
}
