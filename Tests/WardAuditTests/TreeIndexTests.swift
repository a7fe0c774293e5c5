import Foundation
import Testing
import WardAudit
import WardTestSupport

/// The tree index (audit/FORMAT.md §9.4): proofs from it are the tree's proofs, and an index that
/// is missing, behind or damaged is built again when the log opens (issue 16, item 1).
@Suite("Audit log: the tree index")
struct TreeIndexTests {
    /// Appends `count` events from many tasks at once, so batches are large and fast.
    static func append(_ count: Int, to path: String) async throws {
        let log = try AuditLog.open(.init(directory: path, signer: Fixtures.signer(), source: "server:test", checkpointInterval: .milliseconds(20)))
        try await withThrowingTaskGroup(of: Void.self) { group in
            for w in 0..<256 {
                group.addTask {
                    for i in stride(from: w, to: count, by: 256) { try await log.append(Fixtures.event(i)) }
                }
            }
            try await group.waitForAll()
        }
        try await log.close()
    }

    /// Every proof the index gives for these sizes and positions equals the proof computed from
    /// all the leaf hashes, and the reader's proofs verify against the log's key.
    static func expectIndexMatchesTheLeaves(_ path: String, sizes: [UInt64]) throws {
        let reader = try AuditLogReader(directory: path)
        let leaves = try reader.leafHashes()
        let index = try TreeIndex(directory: path)
        #expect(index.size == UInt64(leaves.count))
        for size in sizes where size >= 1 && size <= UInt64(leaves.count) {
            #expect(try index.root(size: size) == MerkleProofs.subtreeRoot(leaves, 0..<Int(size)), "root of size \(size)")
            for seq in Set([0, size / 3, size / 2, size - 1]) {
                #expect(
                    try MerkleProofs.inclusionProof(index: seq, size: size, tree: index)
                        == MerkleProofs.inclusionProof(index: seq, size: size, leaves: leaves), "inclusion of \(seq) in \(size)")
            }
            for old in Set([1, size / 2, size - 1]) where old >= 1 {
                #expect(
                    try MerkleProofs.consistencyProof(old: old, new: size, tree: index)
                        == MerkleProofs.consistencyProof(old: old, new: size, leaves: leaves), "consistency \(old) → \(size)")
            }
        }
        let newest = try #require(try reader.newestCheckpoint())
        let proof = try reader.inclusionProof(seq: newest.checkpoint.size - 1, in: newest)
        _ = try proof.verify(key: Fixtures.signer().verifier)
    }

    @Test func proofsFromTheIndexAreTheProofsOfTheTree() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        // Past 2^16 entries, so that roots stored at heights 8 and 16 and those hashed between
        // them all serve.
        try await Self.append(66_000, to: dir.path)
        try Self.expectIndexMatchesTheLeaves(dir.path, sizes: [1, 2, 3, 255, 256, 257, 511, 4_097, 65_535, 65_536, 65_537, 66_002])
        let reader = try AuditLogReader(directory: dir.path)
        let checkpoints = try reader.checkpoints()
        #expect(checkpoints.count > 1)
        for checkpoint in checkpoints {
            #expect(try reader.checkpoint(ofSize: checkpoint.checkpoint.size)?.checkpoint == checkpoint.checkpoint)
        }
        #expect(try reader.checkpoint(ofSize: 66_003) == nil)
        let first = try #require(checkpoints.first)
        let newest = try #require(try reader.newestCheckpoint())
        try reader.consistencyProof(from: first, to: newest).verify(key: Fixtures.signer().verifier)
        var seen: [UInt64] = []
        try reader.walk(from: 65_999) { entry in
            seen.append(entry.seq)
            return true
        }
        #expect(seen == [65_999, 66_000, 66_001])
    }

    @Test(arguments: ["missing", "behind", "damaged leaf", "damaged frame offset", "misplaced checkpoint", "short level"])
    func anIndexThatDoesNotFitIsBuiltAgainAtOpen(damage: String) async throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        try await Self.append(700, to: dir.path)
        let index = dir.path + "/index"
        func overwrite(_ file: String, at offset: UInt64, with bytes: [UInt8]) throws {
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: index + "/" + file))
            try handle.seek(toOffset: offset)
            try handle.write(contentsOf: Data(bytes))
            try handle.close()
        }
        func truncate(_ file: String, to length: UInt64) throws {
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: index + "/" + file))
            try handle.truncate(atOffset: length)
            try handle.close()
        }
        switch damage {
        case "missing": try FileManager.default.removeItem(atPath: index)
        case "behind":
            // A crash before the index writes reached the disk.
            try truncate("frames", to: 100 * 8)
            try truncate("tree-0", to: 90 * 32)
            try FileManager.default.removeItem(atPath: index + "/tree-8")
        case "damaged leaf": try overwrite("tree-0", at: 701 * 32, with: [UInt8](repeating: 0, count: 32))
        case "damaged frame offset": try overwrite("frames", at: 701 * 8, with: [0, 0, 0, 0, 0, 0, 0, 9])
        case "misplaced checkpoint":
            let count = try FileManager.default.attributesOfItem(atPath: index + "/checkpoints")[.size] as? UInt64 ?? 0
            try overwrite("checkpoints", at: count - 8, with: [0, 0, 0, 0, 0, 0, 0, 3])
        default: try truncate("tree-8", to: 1 * 32)
        }
        try await Self.append(300, to: dir.path)
        let report = try LogVerifier(key: Fixtures.signer().verifier).verify(directory: dir.path)
        #expect(report.findings.isEmpty, "\(report.findings)")
        #expect(report.entries == 1_004)
        try Self.expectIndexMatchesTheLeaves(dir.path, sizes: [1, 255, 256, 257, 700, 702, 1_003, 1_004])
    }

    @Test func aDamagedEntryUnderTheIndexGetsNoProof() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        try await Self.append(20, to: dir.path)
        var bytes = try Fixtures.read(dir.path + "/entries")
        bytes[100] ^= 0xFF
        try Data(bytes).write(to: URL(fileURLWithPath: dir.path + "/entries"))
        // Opening reads only what the index has not seen, so the damage is for the proofs and
        // the verifier (and the server's check after start) to find.
        let reader = try AuditLogReader(directory: dir.path)
        let newest = try #require(try reader.newestCheckpoint())
        #expect(throws: AuditLogError.self) { try reader.inclusionProof(seq: 0, in: newest) }
        let report = try LogVerifier(key: Fixtures.signer().verifier).verify(directory: dir.path)
        #expect(!report.findings.isEmpty)
        // The server's check after start finds it too.
        #expect(try !LogVerifier(key: Fixtures.signer().verifier).verifySealedPrefix(directory: dir.path).findings.isEmpty)
    }

    @Test func aLiveLogsSealedPrefixVerifiesWhileEntriesArrive() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let log = try AuditLog.open(.init(directory: dir.path, signer: Fixtures.signer(), source: "server:test", checkpointInterval: .seconds(3600)))
        for i in 0..<300 { try await log.append(Fixtures.event(i)) }
        // No checkpoint yet, then one written by a reopen, then entries after it.
        #expect(try LogVerifier(key: Fixtures.signer().verifier).verifySealedPrefix(directory: dir.path).findings.isEmpty)
        try await log.close()
        let reopened = try AuditLog.open(
            .init(directory: dir.path, signer: Fixtures.signer(), source: "server:test", checkpointInterval: .seconds(3600)))
        for i in 0..<10 { try await reopened.append(Fixtures.event(i)) }
        let report = try LogVerifier(key: Fixtures.signer().verifier).verifySealedPrefix(directory: dir.path)
        #expect(report.findings.isEmpty, "\(report.findings)")
        #expect(report.entries == 302)
        try await reopened.close()
    }
}
