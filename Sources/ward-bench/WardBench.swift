import ArgumentParser
import Foundation
import WardAudit
import WardCrypto

/// `ward-bench`: Ward's measurements. Build it in release (`swift build -c release`); every
/// result is one JSON object on standard output, with the reference measured in the same run.
@main
struct WardBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ward-bench",
        abstract: "Benchmarks and load generators for Ward; one JSON object per result.",
        discussion: "Measure with a release build: swift build -c release && .build/release/ward-bench …",
        subcommands: [
            AuditAppend.self, AuditVerify.self, AuditGenerate.self, AuditProof.self, KeyShareBench.self, AuditDiskFull.self, PolicyBench.self,
            LoginBench.self, IdleBench.self, ChatBench.self, ExportBench.self, ErasureBench.self, BookingBench.self, ReminderBench.self,
            RecordBench.self, BackupBench.self
        ]
    )
}

/// Writes one result as a JSON line.
func emit(_ fields: [String: Any]) {
    guard let data = try? JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys]) else { return }
    writeLine(String(decoding: data, as: UTF8.self))
}

/// Writes a line to standard output unbuffered, so a reader sees it at once (even if this
/// process is killed right after).
func writeLine(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

/// Percentile of sorted durations, in milliseconds.
func percentileMillis(_ sorted: [Duration], _ p: Double) -> Double {
    guard !sorted.isEmpty else { return 0 }
    let index = min(sorted.count - 1, Int((Double(sorted.count) * p).rounded(.up)) - 1)
    return millis(sorted[max(0, index)])
}

func millis(_ d: Duration) -> Double {
    Double(d.components.seconds) * 1000 + Double(d.components.attoseconds) / 1e15
}

func seconds(_ d: Duration) -> Double { millis(d) / 1000 }

/// A log directory with its keys beside it: D/log (the log), D/log.key (0600), D/log.vkey.
struct BenchLog {
    let root: String
    var logDirectory: String { root + "/log" }
    var privateKeyPath: String { root + "/log.key" }
    var publicKeyPath: String { root + "/log.vkey" }

    /// Loads the key, or creates the directory and a new key.
    func signer(origin: String) throws -> NoteSigner {
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        if let text = FileManager.default.contents(atPath: privateKeyPath) {
            return try NoteSigner(privateKeyText: String(decoding: text, as: UTF8.self))
        }
        let signer = try NoteSigner.generate(name: origin)
        guard
            FileManager.default.createFile(
                atPath: privateKeyPath, contents: Data((signer.privateKeyText + "\n").utf8), attributes: [.posixPermissions: 0o600])
        else {
            throw ValidationError("cannot write \(privateKeyPath)")
        }
        try Data((signer.verifier.vkey + "\n").utf8).write(to: URL(fileURLWithPath: publicKeyPath))
        return signer
    }
}

/// A realistic event: ids of the lengths the server uses (26-character opaque ids).
func syntheticEvent(_ i: Int) -> AuditEvent {
    let id = { (prefix: String, n: Int) in prefix + ":" + String(repeating: "0", count: max(0, 20 - String(n).count)) + String(n) }
    return AuditEvent(
        type: "message.send", action: .create, outcome: .success,
        actorID: id("user", i % 997), actorRole: i % 3 == 0 ? "Doctor" : "Nurse",
        objectType: "message", objectID: id("msg", i), subjectID: id("patient", i % 331), purpose: "TREAT",
        decision: .allow, policyIDs: ["clinician-messages-care-team"], policySetHash: TreeHash.sha256(Array("policy-set".utf8)),
        details: ["bytes": "\(200 + i % 800)", "room": id("room", i % 101)]
    )
}
