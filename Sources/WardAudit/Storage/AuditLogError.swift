/// Errors from opening, writing or reading an audit log directory.
public enum AuditLogError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A system call failed; `operation` and `path` say which, `message` is strerror's text.
    case io(operation: String, path: String, message: String)
    /// Appends stopped after a write or sync failure; the log must be reopened (which recovers).
    case stopped(reason: String)
    /// The log was closed.
    case closed
    /// An entry that a signed checkpoint covers is damaged or missing: the log refuses to open,
    /// because recovery may only drop entries that were never sealed.
    case sealedEntriesDamaged(seq: UInt64, reason: String)
    /// The checkpoints file holds a checkpoint that does not verify against this log and key.
    case checkpointInvalid(index: Int, reason: String)
    /// The event was refused before it reached the log (bad field).
    case invalidEvent(String)
    /// The directory is not an audit log, or a file in it has an unexpected form.
    case notALog(path: String, reason: String)

    public var description: String {
        switch self {
        case let .io(operation, path, message): return "\(operation) \(path): \(message)"
        case let .stopped(reason): return "audit log stopped accepting entries: \(reason)"
        case .closed: return "audit log is closed"
        case let .sealedEntriesDamaged(seq, reason):
            return "entry \(seq) is covered by a signed checkpoint but is damaged (\(reason)); run auditctl verify and restore from backup"
        case let .checkpointInvalid(index, reason):
            return "checkpoint #\(index) in the checkpoints file is invalid (\(reason)); run auditctl verify"
        case let .invalidEvent(why): return "audit event refused: \(why)"
        case let .notALog(path, reason): return "\(path) is not a Ward audit log: \(reason)"
        }
    }
}
