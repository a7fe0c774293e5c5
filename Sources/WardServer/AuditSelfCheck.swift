import Foundation
import Logging
import WardAudit

/// Opening the audit log reads only what its tree index has not seen (audit/FORMAT.md §9.3), so
/// start-up no longer notices an entry damaged under a checkpoint. This check does, after the
/// server is up: the whole log verified once, on a thread of its own at background priority
/// (on ten million entries it is seconds of work that must not hold the request threads), and
/// damage reported as a critical log line with the finding (ids and byte offsets only) and the
/// `ward_audit_damaged` gauge.
enum AuditSelfCheck {
    static func start(log: AuditLog, metrics: Metrics, logger: Logger) {
        let directory = log.directory
        let key = log.verifier
        let thread = Thread {
            let report: VerificationReport
            do {
                report = try LogVerifier(key: key, workers: 1).verifySealedPrefix(directory: directory)
            } catch {
                logger.critical("audit log could not be verified after start; run auditctl verify", metadata: ["error": "\(error)"])
                metrics.setGauge("ward_audit_damaged", 1)
                return
            }
            metrics.setGauge("ward_audit_damaged", report.findings.isEmpty ? 0 : 1)
            guard let first = report.findings.first else { return }
            logger.critical(
                "audit log verification after start found damage; run auditctl verify and restore from backup",
                metadata: ["findings": "\(report.findings.count)", "first": "\(first)"])
        }
        thread.name = "ward-audit-check"
        thread.qualityOfService = .background
        thread.start()
    }
}
