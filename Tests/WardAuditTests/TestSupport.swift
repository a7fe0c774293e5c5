import Foundation
import WardAudit
import WardCrypto
import WardTestSupport

enum Fixtures {
    static func signer(_ name: String = "ward.test/audit") -> NoteSigner {
        // A fixed seed keeps failures reproducible.
        (try? NoteSigner(name: name, key: Ed25519.PrivateKey(seed: SecureBytes([UInt8](repeating: 7, count: 32))))) ?? { fatalError("fixed seed") }()
    }

    static func event(_ i: Int) -> AuditEvent {
        AuditEvent(
            type: "message.send", action: .create, outcome: i % 7 == 0 ? .minorFailure : .success,
            actorID: "user:\(i % 13)", actorRole: i % 2 == 0 ? "Doctor" : "Nurse",
            objectType: "message", objectID: "msg:\(i)", subjectID: "patient:\(i % 5)", purpose: "TREAT",
            decision: .allow, policyIDs: ["staff-message-staff"], policySetHash: TreeHash.sha256(Array("policies".utf8)),
            details: ["bytes": "\(100 + i)", "room": "room:\(i % 3)"]
        )
    }

    /// Writes a log of `count` entries (plus the start/stop entries the log adds itself).
    static func writeLog(at path: String, count: Int, signer: NoteSigner = Fixtures.signer()) async throws {
        let log = try AuditLog.open(.init(directory: path, signer: signer, source: "server:test"))
        try await withThrowingTaskGroup(of: Void.self) { group in
            for w in 0..<8 {
                group.addTask {
                    for i in stride(from: w, to: count, by: 8) { try await log.append(event(i)) }
                }
            }
            try await group.waitForAll()
        }
        try await log.close()
    }

    static func read(_ path: String) throws -> [UInt8] { Array(try Data(contentsOf: URL(fileURLWithPath: path))) }
}

extension LogVerifier {
    func verify(entries: [UInt8], checkpoints: [UInt8]) -> VerificationReport {
        entries.withUnsafeBytes { e in checkpoints.withUnsafeBytes { c in verify(entries: e, checkpoints: c) } }
    }
}
