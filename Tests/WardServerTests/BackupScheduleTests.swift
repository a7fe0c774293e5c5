import Foundation
import Logging
import Testing
import WardAudit
import WardTestSupport
@testable import WardServer

/// The server's own backups, one round at a time, without a listener (the end-to-end test is
/// `theServerTakesAuditsAndPrunesItsBackups`): what a round does, and that a round whose audit
/// entry cannot be written fails for the job to log and count, not quietly.
@Suite("Scheduled backups, round by round")
struct BackupScheduleTests {
    @Test func aDueBackupIsTakenAndAuditedEvenWhenItFailsAndAnUnauditableRoundFails() async throws {
        let clinic = try await InProcessServiceTests.Clinic.open()
        defer { clinic.dir.cleanup() }
        let backups = clinic.dir.path + "/backups"
        try FileManager.default.createDirectory(atPath: backups, withIntermediateDirectories: true)
        let schedule = BackupSchedule(
            data: DataDirectory(path: clinic.dir.path + "/data"), policies: ServerHarness.repositoryPolicies, directory: backups,
            every: .seconds(1), keep: 2, audit: clinic.context.gate, metrics: Metrics())
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        func audited(_ type: String) throws -> [AuditEntry] {
            try AuditLogReader(directory: clinic.context.gate.audit.directory).entries().filter { $0.event.type == type }
        }

        try await schedule.round(logger: logger)
        #expect(try audited("backup.take").isEmpty, "the first backup is due one schedule after the start")

        // Due, but there is no recovery key to seal it to: the failure is audited.
        try await Task.sleep(for: .milliseconds(1_100))
        try await schedule.round(logger: logger)
        #expect(schedule.backups().isEmpty)
        #expect(try audited("backup.take").map(\.event.outcome) == [.seriousFailure])

        // Due again, with a recovery key: taken and audited.
        _ = try Backup.makeRecoveryKey(for: DataDirectory(path: clinic.dir.path + "/data"), out: clinic.dir.path + "/recovery.key")
        try await Task.sleep(for: .milliseconds(1_100))
        try await schedule.round(logger: logger)
        let taken = try #require(schedule.backups().last)
        let takes = try audited("backup.take")
        #expect(takes.map(\.event.outcome) == [.seriousFailure, .success])
        #expect(takes.last?.event.objectID == AuditNote.identifier(taken.name))

        // A verification noted in the backup, and an audit log that can take no entry.
        #expect(Backup.noteVerification(of: backups + "/" + taken.name, whole: true))
        try await clinic.log.close()
        await #expect(throws: (any Error).self, "the round fails, for the job to log and count") {
            try await schedule.round(logger: logger)
        }
    }
}
