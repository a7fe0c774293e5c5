import ArgumentParser
import WardAudit
import WardCommandLine

struct Verify: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check every entry, the hash chain, the Merkle tree, and every checkpoint signature.",
        discussion: """
            Prints one line per finding, '<kind> seq=<n>: <what>' or '<kind> checkpoint=<i>: <what>', \
            where kind is one of: tampered, missing, reordered, truncated, bad-signature, fork, \
            rollback, unsealed-tail. Exits 0 when there is no finding, 1 otherwise.

            With --pin, the log must still contain the pinned checkpoint's tree and extend it: a log \
            restored from an older backup is reported as rollback, a log whose history was rewritten \
            as fork. Keep the checkpoint you verified last and pin it next time.
            """
    )

    @Argument(help: "The audit log directory (containing 'entries' and 'checkpoints').")
    var directory: String

    @Option(name: .long, help: "The log's verifier key file (NAME+ID+BASE64).")
    var key: String

    @Option(name: .long, help: "A checkpoint file from an earlier verification that the log must extend.")
    var pin: String?

    @Option(name: .long, help: "Hashing threads (default: all cores).")
    var workers: Int = LogVerifier.defaultWorkers

    @Flag(name: .long, help: "Print only findings, not the summary line.")
    var quiet = false

    func validate() throws {
        guard workers >= 1 else { throw ValidationError("--workers must be at least 1") }
    }

    func run() throws {
        let key = try Files.key(key)
        let pinned = try pin.map { try Files.checkpoint($0) }
        let report: VerificationReport
        do {
            report = try LogVerifier(key: key, pin: pinned, workers: workers).verify(directory: directory)
        } catch let error as AuditLogError {
            throw UsageError("\(error)")
        }
        for finding in report.findings { print(finding) }
        if !quiet {
            let latest = report.latest.map { "latest valid checkpoint size \($0.size)" } ?? "no valid checkpoint"
            let verdict = report.isValid ? "ok" : "FAILED (\(report.findings.count) finding\(report.findings.count == 1 ? "" : "s"))"
            print("\(verdict): \(report.entries) entries, \(report.validCheckpoints) of \(report.checkpoints) checkpoints valid, \(latest)")
        }
        if !report.isValid { throw ExitCode(1) }
    }
}
