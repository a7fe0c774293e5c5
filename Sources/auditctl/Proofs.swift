import ArgumentParser
import Foundation
import WardAudit
import WardCommandLine

struct CheckpointCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "checkpoint",
        abstract: "Print the newest checkpoint (a C2SP signed note), to keep and --pin later."
    )

    @Argument(help: "The audit log directory.")
    var directory: String

    @Option(help: "Print the newest checkpoint signed by this verifier key file, skipping any that are not.")
    var key: String?

    func run() throws {
        let key = try key.map(Files.key)
        let checkpoints = try Files.reader(directory).checkpoints().filter { checkpoint in
            guard let key else { return true }
            return (try? checkpoint.verify(with: key)) != nil
        }
        guard let latest = checkpoints.last else { throw UsageError("\(directory) has no checkpoint\(key == nil ? "" : " signed by that key")") }
        print(latest.text, terminator: "")
    }
}

struct Prove: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print an inclusion proof (C2SP tlog-proof) for one entry against a checkpoint.",
        discussion: """
            The proof carries the entry itself (the 'extra' line) and the checkpoint, so \
            'auditctl verify-proof PROOF --key KEY' checks it with nothing else.
            """
    )

    @Argument(help: "The audit log directory.")
    var directory: String

    @Option(help: "The entry's sequence number.")
    var seq: UInt64

    @Option(help: "Prove against the checkpoint of this tree size (default: the newest checkpoint).")
    var size: UInt64?

    func run() throws {
        let reader = try Files.reader(directory)
        let chosen = try size.map { try reader.checkpoint(ofSize: $0) } ?? reader.newestCheckpoint()
        guard let checkpoint = chosen else {
            throw UsageError(
                size.map { "no checkpoint of size \($0) in \(directory) (see 'auditctl checkpoint')" } ?? "\(directory) has no checkpoint")
        }
        guard seq < checkpoint.checkpoint.size else {
            throw UsageError("entry \(seq) is not covered by the checkpoint of size \(checkpoint.checkpoint.size)")
        }
        guard reader.entryBytes(at: seq) != nil else { throw UsageError("the log has no entry \(seq)") }
        print(try reader.inclusionProof(seq: seq, in: checkpoint).text, terminator: "")
    }
}

struct Consistency: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print a consistency proof that the log extends an older checkpoint.",
        discussion: "Check it with 'auditctl verify-proof PROOF --key KEY'."
    )

    @Argument(help: "The audit log directory.")
    var directory: String

    @Option(help: "The older checkpoint file.")
    var from: String

    @Option(help: "The newer checkpoint file (default: the log's newest checkpoint).")
    var to: String?

    func run() throws {
        let reader = try Files.reader(directory)
        let old = try Files.checkpoint(from)
        let newer: SignedCheckpoint
        if let to {
            newer = try Files.checkpoint(to)
        } else {
            guard let latest = try reader.newestCheckpoint() else { throw UsageError("\(directory) has no checkpoint") }
            newer = latest
        }
        guard old.checkpoint.size <= newer.checkpoint.size else {
            throw UsageError("the older checkpoint (size \(old.checkpoint.size)) is larger than the newer (size \(newer.checkpoint.size))")
        }
        do {
            print(try reader.consistencyProof(from: old, to: newer).text, terminator: "")
        } catch let error as AuditLogError {
            throw UsageError("\(error)")
        }
    }
}

struct VerifyProof: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify-proof",
        abstract: "Check an inclusion or consistency proof offline, with only the log's public key.",
        discussion: "Exits 0 and prints what was proved when the proof holds, 1 when it does not."
    )

    @Argument(help: "The proof file (from 'auditctl prove' or 'auditctl consistency').")
    var proof: String

    @Option(help: "The log's verifier key file.")
    var key: String

    func run() throws {
        let key = try Files.key(key)
        let text = try Files.text(proof, what: "proof file")
        do {
            if text.hasPrefix(InclusionProof.header + "\n") {
                let parsed = try InclusionProof(parsing: text)
                let entry = try parsed.verify(key: key)
                print(
                    "ok: entry \(entry.seq) (\(entry.event.type)) is in the log \(parsed.checkpoint.checkpoint.origin) at size "
                        + "\(parsed.checkpoint.checkpoint.size)"
                )
            } else if text.hasPrefix(ConsistencyProof.header + "\n") {
                let parsed = try ConsistencyProof(parsing: text)
                try parsed.verify(key: key)
                print("ok: the log \(parsed.new.checkpoint.origin) at size \(parsed.new.checkpoint.size) extends size \(parsed.old.checkpoint.size)")
            } else {
                throw UsageError(
                    "\(proof) is neither an inclusion proof (\(InclusionProof.header)) nor a consistency proof (\(ConsistencyProof.header))")
            }
        } catch let error as UsageError {
            throw error
        } catch {
            print("proof does not verify: \(error)")
            throw ExitCode(1)
        }
    }
}
