import Foundation
import Testing
import WardAudit
import WardTestSupport
import WardCrypto
#if canImport(Glibc)
    import Glibc
#endif

@Suite("Crash recovery")
struct CrashRecoveryTests {
    /// A writer killed with SIGKILL at random moments never loses an acknowledged entry, and the
    /// log verifies after it is reopened (which records the recovery).
    @Test(arguments: [150, 700, 2500])
    func killDashNineLosesNothingAcknowledged(acksBeforeKill: Int) async throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Binaries.wardBench)
        process.arguments = ["audit-append", "--dir", dir.path, "--entries", "10000000", "--writers", "64", "--report-acks"]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()

        var acked = Set<UInt64>()
        var buffer = Data()
        let reader = out.fileHandleForReading
        var killed = false
        // Bounded: at most 60 s of reading, then the writer is killed regardless.
        let deadline = Date().addingTimeInterval(60)
        while true {
            let chunk = reader.availableData
            if chunk.isEmpty { break } // EOF: the writer is gone
            buffer.append(chunk)
            while let newline = buffer.firstIndex(of: 0x0A) {
                let line = String(decoding: buffer[buffer.startIndex..<newline], as: UTF8.self)
                buffer.removeSubrange(buffer.startIndex...newline)
                if line.hasPrefix("ack "), let seq = UInt64(line.dropFirst(4)) { acked.insert(seq) }
            }
            if !killed && (acked.count >= acksBeforeKill || Date() > deadline) {
                kill(process.processIdentifier, SIGKILL)
                killed = true
            }
        }
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal)
        #expect(acked.count >= acksBeforeKill)

        let signer = try NoteSigner(privateKeyText: String(decoding: try readBytes(dir.path + "/log.key"), as: UTF8.self))
        let log = try AuditLog.open(.init(directory: dir.path + "/log", signer: signer, source: "server:bench"))
        try await log.close()

        let report = try LogVerifier(key: signer.verifier).verify(directory: dir.path + "/log")
        #expect(report.isValid, "\(report.findings)")
        let entries = try AuditLogReader(directory: dir.path + "/log").entries()
        for seq in acked {
            #expect(seq < UInt64(entries.count), "acknowledged entry \(seq) was lost")
            if seq < UInt64(entries.count) { #expect(entries[Int(seq)].event.type == "message.send") }
        }
        let cli = try runProcess(Binaries.auditctl, ["verify", dir.path + "/log", "--key", dir.path + "/log.vkey"])
        #expect(cli.status == 0, "\(cli.stdout)")
    }
}

@Suite("Write failures")
struct WriteFailureTests {
    /// A write that fails part-way (a full disk, simulated with a file-size limit) stops the log:
    /// no entry it could not store is acknowledged, and reopening recovers and verifies.
    @Test func aFullDiskStopsTheLogLoudlyAndLosesNothingAcknowledged() async throws {
        try await ExclusiveSubprocesses.shared.run { try await self.aFullDiskStopsTheLogLoudlyAndLosesNothingAcknowledgedAlone() }
    }

    /// Run alone among the tests that keep child processes running (see ExclusiveSubprocesses).
    func aFullDiskStopsTheLogLoudlyAndLosesNothingAcknowledgedAlone() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let drill = try runProcess(Binaries.wardBench, ["audit-disk-full", "--dir", dir.path, "--limit-bytes", "200000"])
        #expect(drill.status == 0, "\(drill.stdout)\(drill.stderr)")
        let result = try #require(try JSONSerialization.jsonObject(with: Data(drill.stdout.utf8)) as? [String: Any])
        #expect(result["stopped_as_designed"] as? Bool == true)
        let lastAcknowledged = try #require(result["last_acknowledged_seq"] as? Int)
        #expect(lastAcknowledged > 100)
        #expect(drill.stderr.contains("audit log stopped"), "the stop is logged")

        let signer = try NoteSigner(privateKeyText: String(decoding: try readBytes(dir.path + "/log.key"), as: UTF8.self))
        let log = try AuditLog.open(.init(directory: dir.path + "/log", signer: signer, source: "server:bench"))
        try await log.close()
        let report = try LogVerifier(key: signer.verifier).verify(directory: dir.path + "/log")
        #expect(report.isValid, "\(report.findings)")
        #expect(report.entries > UInt64(lastAcknowledged))
    }
}
