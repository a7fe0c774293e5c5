import ArgumentParser
import Crypto
import Foundation
import WardAudit

struct AuditVerify: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit-verify",
        abstract: "Full verification speed (entries/s, MB/s) against raw SHA-256 over the same bytes.",
        discussion: """
            The reference is swift-crypto SHA-256 over the entries file on one core, in 1 MiB updates, \
            measured in the same run; verification may use every core (--workers).
            """
    )

    @Option(help: "The audit log directory.")
    var dir: String
    @Option(help: "The log's verifier key file.")
    var key: String
    @Option(help: "Hashing threads for verification (default: all cores).")
    var workers: Int = LogVerifier.defaultWorkers
    @Option(name: .customLong("repeat"), help: "Repetitions; the best is reported.")
    var repetitions: Int = 5

    func run() throws {
        let verifier = try NoteVerifier(vkey: String(decoding: try Data(contentsOf: URL(fileURLWithPath: key)), as: UTF8.self))
        let entries = try Data(contentsOf: URL(fileURLWithPath: dir + "/entries"), options: .alwaysMapped)
        let clock = ContinuousClock()
        var best = Duration.seconds(1_000_000), bestRaw = Duration.seconds(1_000_000)
        var report: VerificationReport?
        for _ in 0..<max(1, repetitions) {
            let t0 = clock.now
            report = try LogVerifier(key: verifier, workers: workers).verify(directory: dir)
            best = min(best, t0.duration(to: clock.now))
            let t1 = clock.now
            var hasher = SHA256()
            var offset = 0
            entries.withUnsafeBytes { raw in
                while offset < raw.count {
                    let end = min(raw.count, offset + (1 << 20))
                    hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: raw[offset..<end]))
                    offset = end
                }
            }
            _ = hasher.finalize()
            bestRaw = min(bestRaw, t1.duration(to: clock.now))
        }
        guard let report else { return }
        let megabytes = Double(entries.count) / 1e6
        let mbps = megabytes / seconds(best), rawMBps = megabytes / seconds(bestRaw)
        emit([
            "bench": "audit-verify", "entries": report.entries, "bytes": entries.count, "workers": workers,
            "findings": report.findings.count, "seconds": seconds(best),
            "entries_per_second": (Double(report.entries) / seconds(best)).rounded(), "mb_per_second": mbps.rounded(),
            "reference": "swift-crypto SHA-256 over the same bytes, one core", "reference_mb_per_second": rawMBps.rounded(),
            "ratio_to_reference": (mbps / rawMBps * 1000).rounded() / 1000
        ])
        if !report.isValid { throw ExitCode(1) }
    }
}

/// `count` synthetic entries appended by 64 writers at once (group commit fills its batches).
func appendSynthetic(_ count: Int, to log: AuditLog) async throws {
    let counter = Counter(limit: count)
    try await withThrowingTaskGroup(of: Void.self) { group in
        for _ in 0..<64 {
            group.addTask { while let i = counter.next() { try await log.append(syntheticEvent(i)) } }
        }
        try await group.waitForAll()
    }
}

struct AuditGenerate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit-generate",
        abstract: "Write a valid log of N synthetic entries (for tests, benchmarks and auditors' practice).",
        discussion: "The log goes to D/log, the private key to D/log.key (0600), the public key to D/log.vkey."
    )

    @Option(help: "Entries to write.")
    var entries: Int = 10_000
    @Option(help: "Directory for the log and its keys (created).")
    var dir: String

    func validate() throws {
        guard entries >= 0 else { throw ValidationError("--entries must not be negative") }
    }

    func run() async throws {
        let bench = BenchLog(root: dir)
        let log = try AuditLog.open(.init(directory: bench.logDirectory, signer: bench.signer(origin: "ward.bench/audit"), source: "server:bench"))
        try await appendSynthetic(entries, to: log)
        try await log.close()
        emit(["bench": "audit-generate", "entries": log.size, "log": bench.logDirectory, "key": bench.publicKeyPath])
    }
}
