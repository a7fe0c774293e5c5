import Testing
import WardCrypto

@Suite("TOTP (RFC 6238)")
struct TOTPTests {
    /// RFC 6238 Appendix B, SHA-1, 8 digits.
    @Test(arguments: [
        (Int64(59), "94287082"), (1_111_111_109, "07081804"), (1_111_111_111, "14050471"),
        (1_234_567_890, "89005924"), (2_000_000_000, "69279037"), (20_000_000_000, "65353130")
    ])
    func rfc6238Vectors(_ time: Int64, _ expected: String) {
        let totp = TOTP(secret: SecureBytes(Array("12345678901234567890".utf8)), digits: 8)
        #expect(totp.code(counter: totp.counter(at: time)) == expected)
    }

    @Test func verifyAllowsOneStepOfDriftAndNoReplay() {
        let totp = TOTP.generate()
        let now: Int64 = 1_800_000_000
        let code = totp.code(counter: totp.counter(at: now))
        let step = totp.verify(code, at: now + 25, lastUsed: nil)
        #expect(step == totp.counter(at: now))
        #expect(totp.verify(code, at: now + 25, lastUsed: step) == nil, "a code works once")
        #expect(totp.verify(code, at: now + 95, lastUsed: nil) == nil, "too old")
        #expect(totp.verify("000000", at: now, lastUsed: nil) == nil || totp.code(counter: totp.counter(at: now)) == "000000")
        #expect(Base32.encode(Array("foobar".utf8)) == "MZXW6YTBOI")
        #expect(totp.uri(issuer: "Ward", account: "admin@clinic").hasPrefix("otpauth://totp/Ward:admin%40clinic?secret="))
    }
}
