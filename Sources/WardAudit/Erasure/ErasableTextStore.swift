import WardCrypto
#if canImport(Glibc)
    import Glibc
#endif

/// Free text the law requires keeping (a break-glass reason) but that must stay erasable, kept
/// outside the append-only log. The log holds only a salted commitment
/// `SHA-256(salt ‖ text)` (audit/FORMAT.md §7); this store holds salt and text, one 0600 file per
/// commitment. Erasing deletes the file, after which the commitment reveals nothing and the
/// log still verifies; `AuditLog.appendErasure` records the erasure as a tombstone entry.
public struct ErasableTextStore: Sendable {
    public let directory: String
    static let saltLength = 32

    /// Opens (creating, mode 0700) the store directory.
    public init(directory: String) throws {
        self.directory = directory
        try FileIO.makeDirectory(directory)
    }

    /// Commits to `text`: stores salt and text durably and returns the commitment to put in an
    /// audit entry.
    public func commit(_ text: String) throws -> Hash32 {
        let salt = SecureRandom.bytes(Self.saltLength)
        let body = Array(text.utf8)
        let commitment = TreeHash.sha256(salt + body)
        try FileIO.writeNewFile(path(commitment), salt + body)
        try FileIO.syncDirectory(directory)
        return commitment
    }

    /// The text behind `commitment`, nil once erased. Throws when the stored bytes do not match
    /// the commitment (they were altered).
    public func reveal(_ commitment: Hash32) throws -> String? {
        guard FileIO.exists(path(commitment)) else { return nil }
        let stored = try FileIO.readAll(path(commitment))
        guard stored.count >= Self.saltLength, TreeHash.sha256(stored) == commitment else {
            throw AuditLogError.notALog(path: path(commitment), reason: "its contents do not match the commitment")
        }
        return String(decoding: stored.dropFirst(Self.saltLength), as: UTF8.self)
    }

    /// Overwrites and deletes the text behind `commitment`. Erasing twice is not an error.
    public func erase(_ commitment: Hash32) throws {
        let file = path(commitment)
        guard FileIO.exists(file) else { return }
        // Overwrite before unlinking so the bytes do not linger in the freed blocks (best effort:
        // copy-on-write filesystems and SSD remapping can keep old blocks; per-subject key
        // destruction, as records use, is the stronger tool).
        let size = try FileIO.size(file)
        let fd = open(file, O_WRONLY | O_CLOEXEC)
        guard fd >= 0 else { throw FileIO.error("open", file) }
        defer { close(fd) }
        try [UInt8](repeating: 0, count: size).withUnsafeBytes { try FileIO.write(fd, $0, at: 0, path: file) }
        try FileIO.syncData(fd, path: file)
        guard unlink(file) == 0 else { throw FileIO.error("unlink", file) }
        try FileIO.syncDirectory(directory)
    }

    private func path(_ commitment: Hash32) -> String { directory + "/" + commitment.hex }
}

extension AuditLog {
    /// Erases the texts behind `commitments` from `store` and appends the tombstone entry
    /// (`audit.erase`, action D) naming them and the legal basis, so that authorised erasure is
    /// told apart from loss. The tombstone is written first: if erasing then fails, the entry
    /// still says what was meant to go, and the erase can be repeated.
    @discardableResult
    public func appendErasure(
        of commitments: [Hash32], from store: ErasableTextStore, legalBasis: String,
        actorID: String, actorRole: String, subjectID: String = "",
        decision: AuditEvent.Decision = .none, policyIDs: [String] = [], policySetHash: Hash32? = nil
    ) async throws -> AuditReceipt {
        let receipt = try await append(
            AuditEvent(
                type: "audit.erase", action: .delete, actorID: actorID, actorRole: actorRole,
                objectType: "commitment", subjectID: subjectID, decision: decision, policyIDs: policyIDs,
                policySetHash: policySetHash, commitments: commitments, details: ["legal-basis": legalBasis]
            ))
        for commitment in commitments { try store.erase(commitment) }
        return receipt
    }
}
