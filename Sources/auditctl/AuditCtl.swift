import ArgumentParser
import Foundation
import WardAudit
import WardCommandLine

/// `auditctl`: what an auditor runs, offline, on a copy of a Ward audit log directory.
@main
struct AuditCtl: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "auditctl",
        abstract: "Verify and read Ward audit logs; make and check Merkle proofs.",
        discussion: """
            Works offline on a copy of the log directory (the files 'entries' and 'checkpoints'). \
            The log's public key is the verifier key text the server publishes (NAME+ID+KEY), for \
            example in data/audit.vkey. The format is specified in audit/FORMAT.md.

            Exit status: 0 when everything holds, 1 when a check finds a problem (one line per \
            finding on standard output), 2 for usage errors and unreadable files.
            """,
        subcommands: [Verify.self, Show.self, CheckpointCommand.self, Prove.self, Consistency.self, VerifyProof.self]
    )

    /// Runs the command with the documented exit statuses.
    static func main() { mainWithWardExitStatus() }
}

enum Files {
    static func text(_ path: String, what: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: path) else { throw UsageError("cannot read \(what) \(path)") }
        guard let text = String(data: data, encoding: .utf8) else { throw UsageError("\(what) \(path) is not UTF-8 text") }
        return text
    }

    static func key(_ path: String) throws -> NoteVerifier {
        do { return try NoteVerifier(vkey: text(path, what: "key file")) } catch let error as NoteError {
            throw UsageError("key file \(path): \(error)")
        }
    }

    /// A checkpoint file, signature checked against `key` when given.
    static func checkpoint(_ path: String, key: NoteVerifier? = nil) throws -> SignedCheckpoint {
        let text = try text(path, what: "checkpoint file")
        do {
            let checkpoint = try SignedCheckpoint(note: SignedNote(parsing: text))
            if let key { try checkpoint.verify(with: key) }
            return checkpoint
        } catch let error as NoteError {
            throw UsageError("checkpoint file \(path): \(error)")
        }
    }

    static func reader(_ directory: String) throws -> AuditLogReader {
        do { return try AuditLogReader(directory: directory) } catch let error as AuditLogError { throw UsageError("\(error)") }
    }
}
