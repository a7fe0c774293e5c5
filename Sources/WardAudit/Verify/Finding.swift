/// One thing `auditctl verify` found wrong with a log.
public struct Finding: Hashable, Sendable, CustomStringConvertible {
    /// The kinds of finding, as printed.
    public enum Kind: String, CaseIterable, Sendable {
        /// An entry or checkpoint's bytes were changed.
        case tampered
        /// Entries are absent from the sequence.
        case missing
        /// Entries are out of order (swapped, duplicated, or time going backwards).
        case reordered
        /// The log ends early: inside an entry, or before a checkpoint's size.
        case truncated
        /// A checkpoint is not signed by the given key.
        case badSignature = "bad-signature"
        /// The log contradicts a pinned checkpoint of the same or smaller size.
        case fork
        /// The log is shorter than a pinned checkpoint: it was rolled back.
        case rollback
        /// Entries not covered by any valid checkpoint.
        case unsealedTail = "unsealed-tail"
    }

    public var kind: Kind
    /// The entry the finding is about, when it is about one.
    public var seq: UInt64?
    /// The checkpoint (0-based position in the checkpoints file, or "pin") it is about.
    public var checkpoint: String?
    /// What was found, for a person: ids and numbers only.
    public var message: String

    public init(_ kind: Kind, seq: UInt64? = nil, checkpoint: String? = nil, _ message: String) {
        (self.kind, self.seq, self.checkpoint, self.message) = (kind, seq, checkpoint, message)
    }

    /// `<kind> seq=<n>: <message>` or `<kind> checkpoint=<i>: <message>`.
    public var description: String {
        var where_ = ""
        if let seq { where_ += " seq=\(seq)" }
        if let checkpoint { where_ += " checkpoint=\(checkpoint)" }
        return "\(kind.rawValue)\(where_): \(message)"
    }
}

/// The result of verifying a log.
public struct VerificationReport: Sendable {
    /// Entries read (whole frames).
    public var entries: UInt64 = 0
    /// Bytes of the entries file.
    public var bytes: Int = 0
    /// Checkpoint records in the checkpoints file, and how many verified completely.
    public var checkpoints = 0
    public var validCheckpoints = 0
    /// The newest checkpoint that verified completely.
    public var latest: Checkpoint?
    public var findings: [Finding] = []

    /// True when nothing was found.
    public var isValid: Bool { findings.isEmpty }
}
