import ArgumentParser
import Foundation
import WardAudit
#if canImport(Glibc)
    import Glibc
#endif

struct AuditAppend: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit-append",
        abstract: "Durable audit appends from concurrent writers: entries/s and p50/p99 append latency.",
        discussion: """
            W tasks each append entries back to back until N are written; every append returns only \
            after its entry is fdatasync'ed. The reference, measured in the same run on the same \
            disk, is raw pwrite+fdatasync of the same bytes in batches of the size the log achieved. \
            The log goes to D/log, its keys to D/log.key and D/log.vkey.
            """
    )

    @Option(help: "Entries to append.")
    var entries: Int = 200_000
    @Option(help: "Concurrent appending tasks.")
    var writers: Int = 256
    @Option(help: "Directory for the log and its keys (created).")
    var dir: String
    @Flag(help: "Print 'ack <seq>' for each acknowledged entry (used by the crash test).")
    var reportAcks = false

    func validate() throws {
        guard entries >= 1 else { throw ValidationError("--entries must be at least 1") }
        guard writers >= 1 else { throw ValidationError("--writers must be at least 1") }
    }

    func run() async throws {
        let bench = BenchLog(root: dir)
        let log = try AuditLog.open(.init(directory: bench.logDirectory, signer: bench.signer(origin: "ward.bench/audit"), source: "server:bench"))
        // Events are made before the clock starts: the figure is the log's, not the formatting
        // of test data. 4,096 distinct events, reused in turn.
        let events = (0..<4096).map(syntheticEvent)
        let clock = ContinuousClock()
        let counter = Counter(limit: entries)
        let reportAcks = self.reportAcks
        let started = clock.now
        let latencies = try await withThrowingTaskGroup(of: [Duration].self) { group in
            for _ in 0..<writers {
                group.addTask {
                    var mine: [Duration] = []
                    while let i = counter.next() {
                        let t0 = clock.now
                        let receipt = try await log.append(events[i % events.count])
                        mine.append(t0.duration(to: clock.now))
                        if reportAcks { writeLine("ack \(receipt.seq)") }
                    }
                    return mine
                }
            }
            return try await group.reduce(into: [Duration]()) { $0 += $1 }.sorted()
        }
        let elapsed = started.duration(to: clock.now)
        try await log.close()
        let bytes = (try? FileManager.default.attributesOfItem(atPath: bench.logDirectory + "/entries")[.size] as? Int) ?? 0
        let perEntry = Double(bytes) / Double(max(1, log.size))
        let rate = Double(entries) / seconds(elapsed)
        // Average entries per sync is not observable from outside; take the writer count (each
        // batch holds at most one entry per waiting writer) as the reference batch size.
        let reference = try RawSyncReference.measure(directory: dir, recordBytes: Int(perEntry.rounded()), batch: writers)
        emit([
            "bench": "audit-append", "entries": entries, "writers": writers, "seconds": seconds(elapsed),
            "entries_per_second": rate.rounded(), "p50_ms": percentileMillis(latencies, 0.50), "p99_ms": percentileMillis(latencies, 0.99),
            "max_ms": millis(latencies.last ?? .zero), "bytes_per_entry": perEntry.rounded(), "log_size": log.size,
            "reference": "raw pwrite+fdatasync, batch \(writers), same record size",
            "reference_records_per_second": reference.rounded(), "ratio_to_reference": (rate / reference * 1000).rounded() / 1000
        ])
    }
}

/// Hands out entry numbers to the writers.
final class Counter: @unchecked Sendable {
    // Guarded by `lock`.
    private let lock = NSLock()
    private var count = 0
    private let limit: Int

    init(limit: Int) { self.limit = limit }

    /// How many have been handed out.
    var value: Int {
        lock.lock()
        defer { lock.unlock() }
        return count
    }

    func next() -> Int? {
        lock.lock()
        defer { lock.unlock() }
        guard count < limit else { return nil }
        count += 1
        return count - 1
    }
}

/// The physical reference: how many records/s plain pwrite+fdatasync of batches reaches here.
enum RawSyncReference {
    static func measure(directory: String, recordBytes: Int, batch: Int, duration: Double = 1.0) throws -> Double {
        let path = directory + "/raw-sync-reference.tmp"
        let fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw ValidationError("cannot create \(path)") }
        defer { close(fd); unlink(path) }
        let buffer = [UInt8](repeating: 0x5A, count: max(1, recordBytes) * batch)
        var offset = 0, records = 0
        let clock = ContinuousClock()
        let start = clock.now
        while seconds(start.duration(to: clock.now)) < duration {
            let written = buffer.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, off_t(offset)) }
            guard written == buffer.count, fdatasync(fd) == 0 else { throw ValidationError("raw reference write failed") }
            offset += buffer.count
            records += batch
        }
        return Double(records) / seconds(start.duration(to: clock.now))
    }
}
