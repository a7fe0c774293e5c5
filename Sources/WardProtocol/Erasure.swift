/// An erasure request (GDPR Art. 17) as the privacy officer and the person see it. The controller
/// must act within one month of the request (Art. 12(3)); `overdue` says the month has passed.
public struct ErasureRequestInfo: Codable, Hashable, Sendable {
    public var requestID: Int
    public var userID: String
    /// Who filed it: the person themselves or a privacy officer (user id).
    public var requestedBy: String
    public var requestedAt: Int64
    public var dueAt: Int64
    /// `open` (waiting), `erasing` (started, not finished: run the erasure again to finish it), `done`.
    public var status: String
    public var overdue: Bool
    public var completedAt: Int64?
    /// The person's note, while it exists (erased with the person).
    public var note: String?

    public init(
        requestID: Int, userID: String, requestedBy: String, requestedAt: Int64, dueAt: Int64, status: String,
        overdue: Bool, completedAt: Int64?, note: String? = nil
    ) {
        self.note = note
        self.requestID = requestID
        self.userID = userID
        self.requestedBy = requestedBy
        self.requestedAt = requestedAt
        self.dueAt = dueAt
        self.status = status
        self.overdue = overdue
        self.completedAt = completedAt
    }
}

/// What an erasure did, kind by kind of personal data: what was erased and how, what was kept
/// and on which legal basis. Identifiers and counts only; the receipt names no one.
public struct ErasureReceipt: Codable, Hashable, Sendable {
    public static let format = "ward-erasure-receipt-1"
    public var format: String
    public var requestID: Int
    public var subjectID: String
    public var requestedAt: Int64
    public var dueAt: Int64
    public var executedAt: Int64
    public var executedBy: String
    public var items: [ErasureItem]
    /// Per-subject data keys destroyed (one per conversation the person wrote in).
    public var keysDestroyed: Int
    /// Erasable texts in the audit log's store that were erased (tombstones appended).
    public var auditTombstones: Int
    /// The audit entry of the decision to erase.
    public var auditSeq: Int

    public init(
        requestID: Int, subjectID: String, requestedAt: Int64, dueAt: Int64, executedAt: Int64, executedBy: String,
        items: [ErasureItem], keysDestroyed: Int, auditTombstones: Int, auditSeq: Int
    ) {
        format = Self.format
        self.requestID = requestID
        self.subjectID = subjectID
        self.requestedAt = requestedAt
        self.dueAt = dueAt
        self.executedAt = executedAt
        self.executedBy = executedBy
        self.items = items
        self.keysDestroyed = keysDestroyed
        self.auditTombstones = auditTombstones
        self.auditSeq = auditSeq
    }
}

/// One kind of data in an erasure receipt.
public struct ErasureItem: Codable, Hashable, Sendable {
    /// The registry's table and name for it.
    public var table: String
    public var name: String
    /// `deleted`, `crypto-shredded`, `pseudonymised` or `kept`.
    public var action: String
    public var count: Int
    /// Why it was kept (for `kept`, and for what pseudonymisation leaves).
    public var legalBasis: String?

    public init(table: String, name: String, action: String, count: Int, legalBasis: String? = nil) {
        self.table = table
        self.name = name
        self.action = action
        self.count = count
        self.legalBasis = legalBasis
    }
}

/// A legal hold: while it stands, the named person's data (or the named room's messages) is
/// kept from erasure and from the retention job (Art. 17(3)(e), litigation holds).
public struct LegalHoldInfo: Codable, Hashable, Sendable {
    public var holdID: Int
    public var userID: String?
    public var roomID: String?
    /// The matter it is for (a case or file reference).
    public var reference: String
    public var placedBy: String
    public var placedAt: Int64
    public var releasedAt: Int64?

    public init(holdID: Int, userID: String?, roomID: String?, reference: String, placedBy: String, placedAt: Int64, releasedAt: Int64?) {
        self.holdID = holdID
        self.userID = userID
        self.roomID = roomID
        self.reference = reference
        self.placedBy = placedBy
        self.placedAt = placedAt
        self.releasedAt = releasedAt
    }
}

/// What one run of the retention job removed: per kind of data, how many rows and the SHA-256 of
/// their keys (one per line, in order), so that a purge can be checked against what it claims;
/// `remaining` counts expired rows still there afterwards (0 unless the purge failed). The same
/// figures are in the run's `retention.purge` audit entry, which the log's signed checkpoints cover.
public struct PurgeReceipt: Codable, Hashable, Sendable {
    public var ranAt: Int64
    public var items: [PurgeItem]
    public var remaining: Int
    public var auditSeq: Int

    public init(ranAt: Int64, items: [PurgeItem], remaining: Int, auditSeq: Int) {
        (self.ranAt, self.items, self.remaining, self.auditSeq) = (ranAt, items, remaining, auditSeq)
    }
}

public struct PurgeItem: Codable, Hashable, Sendable {
    public var table: String
    public var purged: Int
    /// SHA-256 (hex) of the purged rows' keys, each followed by a newline, in key order.
    public var sha256: String
    /// Rows older than this (seconds since 1970) were expired.
    public var cutoff: Int64

    public init(table: String, purged: Int, sha256: String, cutoff: Int64) {
        (self.table, self.purged, self.sha256, self.cutoff) = (table, purged, sha256, cutoff)
    }
}
