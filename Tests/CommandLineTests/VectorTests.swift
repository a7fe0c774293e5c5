import Foundation
import Testing
import WardTestSupport
import WardAudit
import WardCrypto

/// audit/vectors: a valid log and tampered copies, each with the exact output `auditctl verify`
/// must print (expected.txt) and exit status 1. Set WARD_WRITE_VECTORS=1 to regenerate them.
@Suite("Audit test vectors")
struct VectorTests {
    static let directory = Repository.root.appendingPathComponent("audit/vectors").path
    static let cases = ["valid", "changed-byte", "removed-entry", "swapped-entries", "truncated-tail", "forged-checkpoint", "rolled-back", "forked"]

    @Test(arguments: cases)
    func auditctlReportsExactlyTheExpectedFindings(_ name: String) throws {
        let vector = Self.directory + "/" + name
        var arguments = ["verify", vector, "--key", Self.directory + "/log.vkey"]
        if FileManager.default.fileExists(atPath: vector + "/pin.checkpoint") { arguments += ["--pin", vector + "/pin.checkpoint"] }
        let result = try runProcess(Binaries.auditctl, arguments)
        let expected = String(decoding: try readBytes(vector + "/expected.txt"), as: UTF8.self)
        #expect(result.stdout == expected)
        #expect(result.status == (name == "valid" ? 0 : 1))
    }

    @Test func usageAndIOErrorsExitTwo() throws {
        let missing = try runProcess(Binaries.auditctl, ["verify", "/nonexistent-ward-log", "--key", Self.directory + "/log.vkey"])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("not a Ward audit log"))
        let badKey = try runProcess(Binaries.auditctl, ["verify", Self.directory + "/valid", "--key", Self.directory + "/valid/entries"])
        #expect(badKey.status == 2)
        let unknown = try runProcess(Binaries.auditctl, ["frobnicate"])
        #expect(unknown.status == 2)
        let help = try runProcess(Binaries.auditctl, ["verify", "--help"])
        #expect(help.status == 0)
        #expect(help.stdout.contains("--pin"))
    }

    @Test(.enabled(if: ProcessInfo.processInfo.environment["WARD_WRITE_VECTORS"] == "1"))
    func regenerateVectors() async throws {
        try await VectorWriter(root: Self.directory).write()
    }
}

/// Builds audit/vectors from a fixed test key (seed 0x01 × 32; never use it for anything else).
struct VectorWriter {
    let root: String

    func write() async throws {
        let fm = FileManager.default
        try? fm.removeItem(atPath: root)
        try fm.createDirectory(atPath: root, withIntermediateDirectories: true)
        let signer = try NoteSigner(name: "ward.example/audit-vectors", key: Ed25519.PrivateKey(seed: SecureBytes([UInt8](repeating: 1, count: 32))))
        try Data((signer.verifier.vkey + "\n").utf8).write(to: URL(fileURLWithPath: root + "/log.vkey"))

        // valid: 10 entries, a checkpoint after each batch (interval 0).
        let valid = root + "/valid"
        try await writeLog(valid, signer: signer, events: 8, clinical: true)
        let entries = try readBytes(valid + "/entries"), checkpoints = try readBytes(valid + "/checkpoints")
        let frames = Self.frames(entries)

        func variant(_ name: String, entries e: [UInt8], checkpoints c: [UInt8], pin: SignedCheckpoint? = nil) throws {
            let dir = root + "/" + name
            try fm.createDirectory(atPath: dir, withIntermediateDirectories: true)
            try writeBytes(e, dir + "/entries")
            try writeBytes(c, dir + "/checkpoints")
            if let pin { try Data(pin.text.utf8).write(to: URL(fileURLWithPath: dir + "/pin.checkpoint")) }
        }
        var changed = entries
        changed[frames[3].lowerBound + 80] ^= 0x01
        try variant("changed-byte", entries: changed, checkpoints: checkpoints)
        try variant("removed-entry", entries: Array(entries[..<frames[4].lowerBound] + entries[frames[4].upperBound...]), checkpoints: checkpoints)
        try variant(
            "swapped-entries",
            entries: Array(entries[..<frames[5].lowerBound] + entries[frames[6]] + entries[frames[5]] + entries[frames[6].upperBound...]),
            checkpoints: checkpoints)
        try variant("truncated-tail", entries: Array(entries.dropLast(10)), checkpoints: checkpoints)

        // forged-checkpoint: the last checkpoint replaced by one signed with another key under
        // the same name, claiming a different root.
        let forger = try NoteSigner.generate(name: signer.name)
        let records = String(decoding: checkpoints, as: UTF8.self).components(separatedBy: "\n\n\u{2014}")
        let lastSize = UInt64(frames.count)
        let forged = SignedCheckpoint(signing: Checkpoint(origin: signer.name, size: lastSize, root: TreeHash.sha256([0xFF])), with: forger)
        let keptRecords = String(decoding: checkpoints, as: UTF8.self)
        let lastStart = keptRecords.range(of: "\(signer.name)\n\(lastSize)\n", options: .backwards)?.lowerBound
        _ = records
        if let lastStart {
            try variant("forged-checkpoint", entries: entries, checkpoints: Array((String(keptRecords[..<lastStart]) + forged.text + "\n").utf8))
        }

        // rolled-back: the log as it was at 6 entries (a restored backup), pinned at the latest.
        let latest = try SignedCheckpoint(note: SignedNote(parsing: String(keptRecords[(lastStart ?? keptRecords.startIndex)...].dropLast())))
        let sixEnd = frames[5].upperBound
        let sixCheckpointEnd = keptRecords.range(of: "\(signer.name)\n7\n")?.lowerBound ?? keptRecords.endIndex
        try variant("rolled-back", entries: Array(entries[..<sixEnd]), checkpoints: Array(String(keptRecords[..<sixCheckpointEnd]).utf8), pin: latest)

        // forked: a different history signed with the real key (as a compromised server could
        // write); it verifies on its own, and the pin from the real log exposes it.
        let forkDir = root + "/forked"
        try await writeLog(forkDir, signer: signer, events: 8, clinical: false)
        try Data(latest.text.utf8).write(to: URL(fileURLWithPath: forkDir + "/pin.checkpoint"))

        // Expected outputs, as auditctl prints them.
        for name in VectorTests.cases {
            let dir = root + "/" + name
            var arguments = ["verify", dir, "--key", root + "/log.vkey"]
            if fm.fileExists(atPath: dir + "/pin.checkpoint") { arguments += ["--pin", dir + "/pin.checkpoint"] }
            let result = try runProcess(Binaries.auditctl, arguments)
            try Data(result.stdout.utf8).write(to: URL(fileURLWithPath: dir + "/expected.txt"))
        }
    }

    private func writeLog(_ dir: String, signer: NoteSigner, events: Int, clinical: Bool) async throws {
        let log = try AuditLog.open(.init(directory: dir, signer: signer, source: "server:vectors", checkpointInterval: .zero))
        for i in 0..<events {
            try await log.append(
                AuditEvent(
                    type: clinical ? "record.read" : "message.send", action: clinical ? .read : .create,
                    outcome: i == 5 ? .minorFailure : .success,
                    actorID: "user:doctor-\(i % 2)", actorRole: "Doctor", objectType: clinical ? "record" : "message",
                    objectID: "obj:\(i)", subjectID: "patient:\(i % 3)", purpose: "TREAT",
                    decision: i == 5 ? .deny : .allow, policyIDs: [i == 5 ? "deny-outside-care-team" : "care-team-read"],
                    policySetHash: TreeHash.sha256(Array("vector-policies".utf8)), details: ["n": "\(i)"]
                ))
        }
        try await log.close()
    }

    /// Byte ranges of each frame.
    static func frames(_ entries: [UInt8]) -> [Range<Int>] {
        var out: [Range<Int>] = []
        var offset = 0
        while offset + 4 <= entries.count {
            let length = entries[offset..<(offset + 4)].reduce(0) { $0 << 8 | Int($1) }
            let end = offset + 4 + length + 8
            guard end <= entries.count else { break }
            out.append(offset..<end)
            offset = end
        }
        return out
    }
}
