import Foundation
import Logging
import Synchronization
import WardAudit
import WardPolicy
import WardProtocol
import WardStore

/// Backups the server takes itself (`serve --backup-dir`, `--backup-every`, `--backup-keep`;
/// issue 19): each one audited (`backup.take`, with its name and the checkpoint it covers, or
/// its failure), the oldest beyond the count removed, and the newest backup's age in /metrics
/// (`ward_backup_age_seconds`, and `ward_backup_stale` once it is older than twice the
/// schedule), whoever took it: a backup made with `ward-server backup` into the same directory
/// counts too, and is audited when the server first sees it.
struct BackupSchedule: Sendable {
    let data: DataDirectory
    let policies: String
    let directory: String
    /// Zero: take none, only watch the directory's age.
    let every: Duration
    let keep: Int
    let audit: Gate
    let metrics: Metrics
    private let progress: Progress

    /// What the rounds remember between them.
    final class Progress: Sendable {
        /// Verification notes already audited or there when the server started, as
        /// `backup/note`; nil until the first round has looked.
        let seen = Mutex<Set<String>?>(nil)
        /// When the next scheduled backup is due: one schedule after the server starts.
        let nextBackup: Mutex<ContinuousClock.Instant>

        init(firstAfter delay: Duration) { nextBackup = Mutex(.now + delay) }
    }

    init(data: DataDirectory, policies: String, directory: String, every: Duration, keep: Int, audit: Gate, metrics: Metrics) {
        (self.data, self.policies, self.directory, self.every, self.keep, self.audit, self.metrics) = (
            data, policies, directory, every, keep, audit, metrics
        )
        progress = Progress(firstAfter: every)
    }

    /// How old the newest backup may be: twice the schedule, or a day and a half without one.
    var allowedAgeSeconds: Int64 { every > .zero ? 2 * every.components.seconds : 36 * 3600 }

    /// How often a round runs: each minute, or each `every` when that is shorter.
    var roundInterval: Duration { .seconds(min(60, max(1, every > .zero ? every.components.seconds : 60))) }

    /// One round of the backup job: the age metrics, the verifications noted since the last
    /// round, and a backup when one is due. Throws when the audit log could not record one of
    /// them, for the job to log and count (`PeriodicJob`); a verification not yet recorded is
    /// tried again at the next round, a backup is not taken again before its time.
    func round(logger: Logger) async throws {
        report()
        try await auditVerificationsNoted()
        guard every > .zero, progress.nextBackup.withLock({ ContinuousClock.now >= $0 }) else { return }
        defer { progress.nextBackup.withLock { $0 = .now + every } }
        try await take(logger: logger)
        report()
    }

    /// Takes one backup now, on a thread of its own (it reads and writes for seconds), prunes and
    /// audits it.
    func take(logger: Logger) async throws {
        let (data, policies, directory, database) = (self.data, self.policies, self.directory, audit.database)
        let result: Result<(path: String, manifest: Backup.Manifest), any Error> = await withCheckedContinuation { continuation in
            let thread = Thread {
                Backup.yieldToServing()
                continuation.resume(returning: Result { try Backup.take(data: data, policies: policies, to: directory, database: database) })
            }
            thread.name = "ward-backup"
            thread.start()
        }
        switch result {
        case let .success((path, manifest)):
            let name = (path as NSString).lastPathComponent
            prune(logger: logger)
            _ = try await audit.record(
                "backup.take", code: .create, outcome: .success, actorID: "system:backup", actorRole: "system",
                objectType: "backup", objectID: AuditNote.identifier(name),
                details: [
                    "entries": "\(manifest.auditEntries)", "files": "\(manifest.files.count)",
                    "bytes": "\(manifest.files.reduce(0) { $0 + $1.size })"
                ])
        case let .failure(error):
            logger.error("a scheduled backup failed; the newest backup grows older", metadata: ["error": "\(error)"])
            _ = try await audit.record(
                "backup.take", code: .create, outcome: .seriousFailure, actorID: "system:backup", actorRole: "system",
                objectType: "backup", objectID: "none", details: ["reason": "failed"])
        }
    }

    /// Whole backups in the directory, oldest first, with the time each was taken.
    func backups() -> [(name: String, createdAt: Int64)] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.compactMap { name -> (String, Int64)? in
            guard name.hasPrefix("ward-backup-"), FileManager.default.fileExists(atPath: directory + "/" + name + "/manifest.json"),
                let time = Int64(name.dropFirst("ward-backup-".count).prefix { $0.isNumber })
            else { return nil }
            return (name, time)
        }.sorted { $0.1 < $1.1 }
    }

    private func prune(logger: Logger) {
        let all = backups()
        for old in all.dropLast(max(1, keep)) {
            do { try FileManager.default.removeItem(atPath: directory + "/" + old.name) } catch {
                logger.warning("an old backup could not be removed", metadata: ["backup": "\(AuditNote.identifier(old.name))"])
            }
        }
    }

    /// Verifications `ward-server verify-backup` noted in a backup of the directory
    /// (`Backup.noteVerification`; run without `--data`, on another machine) are audited when
    /// first seen; those there at start are not. (`ward-server backup` leaves an `AuditNote`.)
    /// One counts as seen once it is recorded.
    private func auditVerificationsNoted() async throws {
        let fm = FileManager.default
        let notes = backups().flatMap { backup in
            ((try? fm.contentsOfDirectory(atPath: directory + "/" + backup.name)) ?? [])
                .filter { $0.hasPrefix(Backup.verificationPrefix) }.map { (backup: backup.name, note: $0) }
        }
        let new = progress.seen.withLock { seen -> [(backup: String, note: String)] in
            guard let known = seen else {
                seen = Set(notes.map { $0.backup + "/" + $0.note })
                return []
            }
            return notes.filter { !known.contains($0.backup + "/" + $0.note) }
        }
        for (backup, note) in new {
            let whole = note.hasSuffix("-whole")
            _ = try await audit.record(
                "backup.verify", code: .read, outcome: whole ? .success : .seriousFailure, actorID: "system:operator",
                actorRole: "system", objectType: "backup", objectID: AuditNote.identifier(backup),
                details: ["result": whole ? "whole" : "refused"])
            progress.seen.withLock { _ = $0?.insert(backup + "/" + note) }
        }
    }

    /// The newest backup and whether it is too old (`backup.status`, Admins' sign-in).
    func status() -> BackupStatus {
        let newest = backups().last
        let age = newest.map { Clock.nowSeconds() - $0.createdAt }
        let manifest = newest.flatMap { FileManager.default.contents(atPath: directory + "/" + $0.name + "/manifest.json") }
            .flatMap { try? JSONDecoder().decode(Backup.Manifest.self, from: $0) }
        return BackupStatus(
            directory: directory, newest: newest?.name, takenAt: newest?.createdAt, ageSeconds: age,
            stale: age.map { $0 > allowedAgeSeconds } ?? true, everyHours: Int(every.components.seconds / 3600), keep: keep,
            bytes: manifest.map { $0.files.reduce(0) { $0 + $1.size } }, auditEntries: manifest.map { Int(clamping: $0.auditEntries) })
    }

    private func report() {
        guard let newest = backups().last else {
            metrics.setGauge("ward_backup_stale", 1)
            return
        }
        let age = Clock.nowSeconds() - newest.createdAt
        metrics.setGauge("ward_backup_age_seconds", Int(age))
        metrics.setGauge("ward_backup_stale", age > allowedAgeSeconds ? 1 : 0)
    }
}

extension OversightService {
    /// `backup.status`: Admins read where backups go and how old the newest is, decided and
    /// audited like every other read (HIPAA 164.308(a)(7)(ii)(D): testing and revising the plan
    /// starts with knowing the state of the backups).
    func backupStatus(_ user: UserRecord) async throws -> Reply.Backups {
        let audited = Gate.Request(
            principal: user, action: .backupStatus, resource: Entity(uid: ClinicModel.service),
            event: RequestType.backupStatus.rawValue, code: .read, objectType: "service", objectID: "ward",
            secondFactor: hasSecondFactor)
        try await context.gate.require(audited)
        return Reply.Backups(
            backupStatus: context.backups?.status()
                ?? BackupStatus(directory: nil, newest: nil, takenAt: nil, ageSeconds: nil, stale: true, everyHours: 0, keep: 0))
    }
}
