import ArgumentParser
import Foundation
import WardAudit

struct AuditProof: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit-proof",
        abstract: "Opening a large log and serving inclusion proofs from its tree index: start-up ms and proof p50/p99 ms.",
        discussion: """
            Writes a log of N synthetic entries to D/log unless one is there (audit-generate's layout). \
            Start-up is AuditLog.open plus close, the best of --repeat. A proof is what the server does \
            for audit.proof: open a reader, find the newest checkpoint, build and check the inclusion \
            proof of a random entry. The references, measured in the same run on the same log, are what \
            the log did before the index: opening by reading and hashing every frame (the index moved \
            aside), and one proof built from every leaf hash. Prints two JSON lines: startup, proof.
            """
    )

    @Option(help: "Entries to write when D/log does not exist.")
    var entries: Int = 10_000_000
    @Option(help: "Proofs to time.")
    var proofs: Int = 2_000
    @Option(help: "Directory for the log and its keys (created).")
    var dir: String
    @Option(name: .customLong("repeat"), help: "Start-up repetitions; the best is reported.")
    var repetitions: Int = 3

    func validate() throws {
        guard entries >= 1, proofs >= 1, repetitions >= 1 else { throw ValidationError("--entries, --proofs and --repeat must be at least 1") }
    }

    func run() async throws {
        let bench = BenchLog(root: dir)
        let signer = try bench.signer(origin: "ward.bench/audit")
        let configuration = AuditLogConfiguration(directory: bench.logDirectory, signer: signer, source: "server:bench")
        if !FileManager.default.fileExists(atPath: bench.logDirectory + "/entries") {
            let log = try AuditLog.open(configuration)
            let counter = Counter(limit: entries)
            let events = (0..<4096).map(syntheticEvent)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<1024 {
                    group.addTask { while let i = counter.next() { try await log.append(events[i % events.count]) } }
                }
                try await group.waitForAll()
            }
            try await log.close()
        }
        let clock = ContinuousClock()
        func timedOpen() async throws -> Duration {
            let t0 = clock.now
            let log = try AuditLog.open(configuration)
            let opened = t0.duration(to: clock.now)
            try await log.close()
            return opened
        }
        var startup = Duration.seconds(1_000_000)
        for _ in 0..<repetitions { startup = min(startup, try await timedOpen()) }
        // The reference: the same open with the index moved aside, so every frame is read and
        // hashed (and the index written again).
        let index = bench.logDirectory + "/index"
        try FileManager.default.moveItem(atPath: index, toPath: index + ".aside")
        let rebuild = try await timedOpen()
        try FileManager.default.removeItem(atPath: index + ".aside")
        let size = try AuditLogReader(directory: bench.logDirectory).newestCheckpoint()?.checkpoint.size ?? 0
        emit([
            "bench": "audit-proof", "measure": "startup", "entries": size, "startup_ms": millis(startup),
            "reference": "open reading and hashing every frame (no index)", "reference_ms": millis(rebuild),
            "ratio_to_reference": (millis(startup) / millis(rebuild) * 1_000_000).rounded() / 1_000_000
        ])

        var generator = SystemRandomNumberGenerator()
        var latencies: [Duration] = []
        latencies.reserveCapacity(proofs)
        for _ in 0..<proofs {
            let seq = UInt64.random(in: 0..<size, using: &generator)
            let t0 = clock.now
            let reader = try AuditLogReader(directory: bench.logDirectory)
            guard let newest = try reader.newestCheckpoint() else { throw ValidationError("the log has no checkpoint") }
            let proof = try reader.inclusionProof(seq: seq, in: newest)
            latencies.append(t0.duration(to: clock.now))
            guard proof.index == seq else { throw ValidationError("proof of the wrong entry") }
        }
        latencies.sort()
        // The reference: one proof the way it was built before, from every leaf hash.
        let t0 = clock.now
        let reader = try AuditLogReader(directory: bench.logDirectory)
        let leaves = try reader.leafHashes()
        _ = try MerkleProofs.inclusionProof(index: size / 2, size: size, leaves: leaves)
        let old = t0.duration(to: clock.now)
        // And the proofs verify against the log's key.
        if let newest = try reader.newestCheckpoint() { _ = try reader.inclusionProof(seq: size / 2, in: newest).verify(key: signer.verifier) }
        emit([
            "bench": "audit-proof", "measure": "proof", "entries": size, "proofs": proofs,
            "p50_ms": percentileMillis(latencies, 0.50), "p99_ms": percentileMillis(latencies, 0.99), "max_ms": millis(latencies.last ?? .zero),
            "reference": "one proof from every leaf hash", "reference_ms": millis(old),
            "ratio_to_reference": (percentileMillis(latencies, 0.99) / millis(old) * 1_000_000).rounded() / 1_000_000
        ])
    }
}
