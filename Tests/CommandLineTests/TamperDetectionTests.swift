import Foundation
import Testing
import WardAudit
import WardTestSupport
import WardCrypto

@Suite("Tamper detection")
struct TamperDetectionTests {
    /// Every single-byte change anywhere in a generated 10,000-entry log (entries or checkpoints
    /// file) is reported, at random positions from a fixed seed.
    @Test func everySingleByteChangeIsDetected() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let generated = try runProcess(Binaries.wardBench, ["audit-generate", "--dir", dir.path, "--entries", "10000"])
        #expect(generated.status == 0, "\(generated.stderr)")
        let key = try NoteVerifier(vkey: String(decoding: try readBytes(dir.path + "/log.vkey"), as: UTF8.self))
        let entries = try readBytes(dir.path + "/log/entries")
        let checkpoints = try readBytes(dir.path + "/log/checkpoints")
        let verifier = LogVerifier(key: key)
        let clean = entries.withUnsafeBytes { e in checkpoints.withUnsafeBytes { c in verifier.verify(entries: e, checkpoints: c) } }
        #expect(clean.isValid, "\(clean.findings)")
        #expect(clean.entries == 10_002)

        var random = SeededRandom(seed: 20261125)
        for round in 0..<240 {
            let inCheckpoints = round % 6 == 0
            var e = entries, c = checkpoints
            let position: Int
            let flip = UInt8.random(in: 1...255, using: &random)
            if inCheckpoints {
                position = Int.random(in: 0..<c.count, using: &random)
                c[position] ^= flip
            } else {
                position = Int.random(in: 0..<e.count, using: &random)
                e[position] ^= flip
            }
            let report = e.withUnsafeBytes { eb in c.withUnsafeBytes { cb in verifier.verify(entries: eb, checkpoints: cb) } }
            #expect(!report.isValid, "undetected: \(inCheckpoints ? "checkpoints" : "entries") byte \(position) ^ \(flip)")
        }
    }
}
