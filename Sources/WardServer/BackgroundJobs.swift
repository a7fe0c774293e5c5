import Logging
import ServiceLifecycle
import WardStore

/// Work the server does by itself on a schedule, each job a service in the server's service
/// group: started with it, ended by its graceful shutdown (after the listener, so no request
/// waits on a job that is gone). A round that fails is logged (errors here carry ids only) and
/// counted (`ward_job_failures_total{job=…}` on /metrics), and the job goes on at its next round:
/// nothing is swallowed unseen.
struct PeriodicJob: Service {
    let name: String
    let interval: Duration
    let logger: Logger
    let metrics: Metrics
    /// What the log says when a round fails, beside the job's name and the error.
    var whenFailing = "a background job's round failed; it runs again at its next round"
    let round: @Sendable () async throws -> Void

    func run() async {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    try await round()
                } catch is CancellationError {
                    return
                } catch {
                    metrics.jobFailed(name)
                    logger.warning("\(whenFailing)", metadata: ["job": "\(name)", "error": "\(error)"])
                }
                try? await Task.sleep(for: interval)
            }
        }
    }
}

extension WardServer {
    /// The server's jobs: retention, due notifications, the disk watermark, the audit index by
    /// subject, scheduled backups, and the notes other programs leave for the audit log.
    static func backgroundJobs(_ context: ServerContext, data: DataDirectory, retentionInterval: Duration, logger: Logger) -> [any Service] {
        let metrics = context.metrics
        func job(_ name: String, every interval: Duration, _ round: @escaping @Sendable () async throws -> Void) -> PeriodicJob {
            PeriodicJob(name: name, interval: interval, logger: logger, metrics: metrics, round: round)
        }
        var subjectIndex = job("audit-subject-index", every: .seconds(1)) { try await AuditSubjectIndexer(context: context).catchUpAll() }
        subjectIndex.whenFailing = "audit subject index is behind; exports read the log's tail meanwhile"
        var jobs: [any Service] = [
            job("retention", every: retentionInterval) { _ = try await RetentionJob(context: context).run() },
            job("notifications", every: .seconds(1)) { _ = try await Notifier(context: context).deliverDue() },
            job("storage", every: .seconds(2)) { context.storage.check(logger: logger, metrics: metrics) },
            subjectIndex,
            job("audit-notes", every: .seconds(2)) { await AuditNote.recordWaiting(in: data, gate: context.gate, logger: logger) }
        ]
        if let schedule = context.backups {
            var backups = job("backups", every: schedule.roundInterval) { try await schedule.round(logger: logger) }
            backups.whenFailing = "the backup job could not audit what it did; it tries again at its next round"
            jobs.append(backups)
        }
        return jobs
    }
}
