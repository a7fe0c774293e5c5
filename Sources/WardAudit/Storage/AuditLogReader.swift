/// Read access to a log directory for display and proofs. It trusts nothing it reads: it stops
/// at the first frame it cannot read, and it checks no signatures (that is `LogVerifier`'s job).
public struct AuditLogReader: Sendable {
    public let layout: LogLayout
    private let mapped: MappedFile

    /// Opens the directory's entries file; throws when it is missing or unreadable.
    public init(directory: String) throws {
        layout = LogLayout(directory: directory)
        guard FileIO.exists(layout.entriesPath) else { throw AuditLogError.notALog(path: directory, reason: "it has no entries file") }
        mapped = try MappedFile(path: layout.entriesPath)
    }

    /// Calls `body` with each entry and its frame's entry bytes, in order.
    public func forEachEntry(_ body: (AuditEntry, UnsafeRawBufferPointer) throws -> Void) throws {
        var scanner = FrameScanner(data: mapped.bytes)
        while true {
            switch scanner.next() {
            case .end:
                return
            case let .truncated(offset):
                throw AuditLogError.notALog(path: layout.entriesPath, reason: "it ends inside the frame at byte \(offset); run auditctl verify")
            case let .badLength(offset, _):
                throw AuditLogError.notALog(path: layout.entriesPath, reason: "the frame at byte \(offset) has an invalid length; run auditctl verify")
            case let .frame(offset, range, _):
                let bytes = UnsafeRawBufferPointer(rebasing: mapped.bytes[range])
                let entry: AuditEntry
                do { entry = try EntryCodec.decode(bytes) } catch {
                    throw AuditLogError.notALog(path: layout.entriesPath, reason: "the entry at byte \(offset) is malformed (\(error)); run auditctl verify")
                }
                try body(entry, bytes)
            }
        }
    }

    /// Entries from position `start` on, in order, until `body` returns false. Frames before
    /// `start` are skipped without decoding them, so paging through a large log costs little per
    /// page; a frame still being written at the end of a live log ends the walk.
    public func walk(from start: UInt64, _ body: (AuditEntry) throws -> Bool) throws {
        var scanner = FrameScanner(data: mapped.bytes)
        var position: UInt64 = 0
        while case let .frame(offset, range, _) = scanner.next() {
            defer { position += 1 }
            guard position >= start else { continue }
            let entry: AuditEntry
            do { entry = try EntryCodec.decode(UnsafeRawBufferPointer(rebasing: mapped.bytes[range])) } catch {
                throw AuditLogError.notALog(path: layout.entriesPath, reason: "the entry at byte \(offset) is malformed (\(error)); run auditctl verify")
            }
            guard try body(entry) else { return }
        }
    }

    /// All entries.
    public func entries() throws -> [AuditEntry] {
        var out: [AuditEntry] = []
        try forEachEntry { entry, _ in out.append(entry) }
        return out
    }

    /// The leaf hash of every entry, in order (what proofs are built from).
    public func leafHashes() throws -> [Hash32] {
        var out: [Hash32] = []
        var scanner = FrameScanner(data: mapped.bytes)
        while case let .frame(_, range, _) = scanner.next() {
            out.append(TreeHash.leaf(UnsafeRawBufferPointer(rebasing: mapped.bytes[range])))
        }
        return out
    }

    /// The encoded bytes of entry `seq` (by position), or nil past the end.
    public func entryBytes(at seq: UInt64) -> [UInt8]? {
        var scanner = FrameScanner(data: mapped.bytes)
        var position: UInt64 = 0
        while case let .frame(_, range, _) = scanner.next() {
            if position == seq { return Array(UnsafeRawBufferPointer(rebasing: mapped.bytes[range])) }
            position += 1
        }
        return nil
    }

    /// The checkpoints in the checkpoints file that parse, in file order, unverified.
    public func checkpoints() throws -> [SignedCheckpoint] {
        guard FileIO.exists(layout.checkpointsPath) else { return [] }
        let bytes = try FileIO.readAll(layout.checkpointsPath)
        return bytes.withUnsafeBytes { raw in
            CheckpointFile.parse(raw).records.compactMap { try? $0.parsed.get() }
        }
    }
}
