import ArgumentParser
import Foundation
import WardAudit
#if canImport(Glibc)
    import Glibc
#endif

struct AuditDiskFull: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit-disk-full",
        abstract: "Failure drill: append until the disk is 'full' and check that the log stops loudly.",
        discussion: """
            Runs with a file-size limit (RLIMIT_FSIZE) of --limit-bytes, so a write fails part-way as \
            it would on a full disk. The log must then refuse every append with 'audit log stopped' \
            instead of acknowledging entries it could not store. Prints the number of acknowledged \
            entries and the error; exits 0 when the log stopped as designed, 1 otherwise. Reopening \
            the log afterwards (without the limit) recovers the torn tail. \
            The log goes to D/log, its keys to D/log.key and D/log.vkey.
            """
    )

    @Option(help: "Directory for the log and its keys (created).")
    var dir: String
    @Option(help: "File-size limit in bytes.")
    var limitBytes: Int = 1 << 20
    @Option(help: "Concurrent appending tasks.")
    var writers: Int = 16

    func validate() throws {
        guard limitBytes >= 4096 else { throw ValidationError("--limit-bytes must be at least 4096") }
        guard writers >= 1 else { throw ValidationError("--writers must be at least 1") }
    }

    func run() async throws {
        let bench = BenchLog(root: dir)
        let signer = try bench.signer(origin: "ward.bench/audit")
        // A write past the limit then fails with EFBIG instead of killing the process.
        signal(SIGXFSZ, SIG_IGN)
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_FSIZE.rawValue), &limit) == 0 else { throw ValidationError("getrlimit failed") }
        limit.rlim_cur = rlim_t(limitBytes)
        guard setrlimit(Int32(RLIMIT_FSIZE.rawValue), &limit) == 0 else { throw ValidationError("setrlimit failed") }
        let log = try AuditLog.open(.init(directory: bench.logDirectory, signer: signer, source: "server:bench"))
        let events = (0..<1024).map(syntheticEvent)
        let results = await withTaskGroup(of: (acknowledged: [UInt64], error: String?).self) { group in
            for w in 0..<writers {
                group.addTask {
                    var acknowledged: [UInt64] = []
                    var i = w
                    while true {
                        do {
                            acknowledged.append(try await log.append(events[i % events.count]).seq)
                        } catch {
                            return (acknowledged, "\(error)")
                        }
                        i += writers
                    }
                }
            }
            return await group.reduce(into: [(acknowledged: [UInt64], error: String?)]()) { $0.append($1) }
        }
        try? await log.close()
        let acknowledged = results.flatMap(\.acknowledged).sorted()
        let errors = Set(results.compactMap(\.error))
        let stopped = !errors.isEmpty && errors.allSatisfy { $0.hasPrefix("audit log stopped") }
        emit([
            "bench": "audit-disk-full", "limit_bytes": limitBytes, "acknowledged": acknowledged.count,
            "last_acknowledged_seq": acknowledged.last.map { Int($0) } ?? -1,
            "errors": errors.sorted(), "stopped_as_designed": stopped
        ])
        if !stopped { throw ExitCode(1) }
    }
}
