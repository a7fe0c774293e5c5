/// Read access to a log directory for display and proofs. It trusts nothing it reads: it stops
/// at the first frame it cannot read, and it checks no signatures (that is `LogVerifier`'s job).
/// With the log's tree index (audit/FORMAT.md §9.4) it finds an entry, a checkpoint or a proof
/// in O(log n) reads; it checks what the index gives (an entry's position, a proof against its
/// checkpoint's root) and falls back to reading the log when the index is missing or wrong.
public struct AuditLogReader: Sendable {
    public let layout: LogLayout
    private let mapped: MappedFile
    private let index: TreeIndex?

    /// Opens the directory's entries file; throws when it is missing or unreadable.
    public init(directory: String) throws {
        layout = LogLayout(directory: directory)
        guard FileIO.exists(layout.entriesPath) else { throw AuditLogError.notALog(path: directory, reason: "it has no entries file") }
        mapped = try MappedFile(path: layout.entriesPath)
        index = try? TreeIndex(directory: directory)
    }

    /// A scanner placed at frame `seq` or the nearest indexed frame before it, and that frame's
    /// position.
    private func scanner(near seq: UInt64) -> (scanner: FrameScanner, position: UInt64) {
        guard let index, index.size > 0 else { return (FrameScanner(data: mapped.bytes), 0) }
        let position = min(seq, index.size - 1)
        guard let offset = try? index.frameOffset(position), offset < mapped.bytes.count else { return (FrameScanner(data: mapped.bytes), 0) }
        var probe = FrameScanner(data: mapped.bytes, offset: offset)
        // The frame found must be the entry the index says it is.
        guard case let .frame(_, range, _) = probe.next(),
            (try? EntryCodec.validate(UnsafeRawBufferPointer(rebasing: mapped.bytes[range])))?.seq == position
        else { return (FrameScanner(data: mapped.bytes), 0) }
        return (FrameScanner(data: mapped.bytes, offset: offset), position)
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
                throw AuditLogError.notALog(
                    path: layout.entriesPath, reason: "the frame at byte \(offset) has an invalid length; run auditctl verify")
            case let .frame(offset, range, _):
                let bytes = UnsafeRawBufferPointer(rebasing: mapped.bytes[range])
                let entry: AuditEntry
                do { entry = try EntryCodec.decode(bytes) } catch {
                    throw AuditLogError.notALog(
                        path: layout.entriesPath, reason: "the entry at byte \(offset) is malformed (\(error)); run auditctl verify")
                }
                try body(entry, bytes)
            }
        }
    }

    /// Entries from position `start` on, in order, until `body` returns false. Frames before
    /// `start` are skipped without decoding them, so paging through a large log costs little per
    /// page; a frame still being written at the end of a live log ends the walk.
    public func walk(from start: UInt64, _ body: (AuditEntry) throws -> Bool) throws {
        var (scanner, position) = self.scanner(near: start)
        while case let .frame(offset, range, _) = scanner.next() {
            defer { position += 1 }
            guard position >= start else { continue }
            let entry: AuditEntry
            do { entry = try EntryCodec.decode(UnsafeRawBufferPointer(rebasing: mapped.bytes[range])) } catch {
                throw AuditLogError.notALog(
                    path: layout.entriesPath, reason: "the entry at byte \(offset) is malformed (\(error)); run auditctl verify")
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
        var (scanner, position) = self.scanner(near: seq)
        while case let .frame(_, range, _) = scanner.next() {
            if position == seq { return Array(UnsafeRawBufferPointer(rebasing: mapped.bytes[range])) }
            position += 1
        }
        return nil
    }

    /// Entry `seq`, decoded, or nil past the end.
    public func entry(at seq: UInt64) throws -> AuditEntry? {
        guard let bytes = entryBytes(at: seq) else { return nil }
        do { return try bytes.withUnsafeBytes { try EntryCodec.decode($0) } } catch {
            throw AuditLogError.notALog(path: layout.entriesPath, reason: "entry \(seq) is malformed (\(error)); run auditctl verify")
        }
    }

    /// The checkpoints in the checkpoints file that parse, in file order, unverified.
    public func checkpoints() throws -> [SignedCheckpoint] {
        guard FileIO.exists(layout.checkpointsPath) else { return [] }
        let bytes = try FileIO.readAll(layout.checkpointsPath)
        return bytes.withUnsafeBytes { raw in
            CheckpointFile.parse(raw).records.compactMap { try? $0.parsed.get() }
        }
    }

    // MARK: Checkpoints and proofs

    /// The newest checkpoint, if the log has one.
    public func newestCheckpoint() throws -> SignedCheckpoint? {
        if let index, let count = try? index.checkpointCount(), count > 0, let found = try? indexedCheckpoint(count - 1) {
            return found.checkpoint
        }
        return try checkpoints().last
    }

    /// The last checkpoint of tree size `size`, if the log signed one.
    public func checkpoint(ofSize size: UInt64) throws -> SignedCheckpoint? {
        if let index, let count = try? index.checkpointCount(), count > 0 {
            // Sizes never decrease along the file: find the last record of this size.
            var low: UInt64 = 0, high = count
            while low < high {
                let middle = low + (high - low) / 2
                if try index.checkpoint(middle).size <= size { low = middle + 1 } else { high = middle }
            }
            guard low > 0, try index.checkpoint(low - 1).size == size else { return nil }
            if let found = try? indexedCheckpoint(low - 1) { return found.checkpoint }
            // The index points at a record that does not hold this checkpoint: read the file.
        }
        return try checkpoints().last { $0.checkpoint.size == size }
    }

    /// Indexed checkpoint `number`, read from where the index says its record starts.
    private func indexedCheckpoint(_ number: UInt64) throws -> (size: UInt64, checkpoint: SignedCheckpoint)? {
        guard let index else { return nil }
        let record = try index.checkpoint(number)
        // A record is a few hundred bytes; read more only for an unusually long one.
        var parsed = try FileIO.readAll(layout.checkpointsPath, from: record.offset, limit: 4096).withUnsafeBytes {
            CheckpointFile.parse($0).records.first
        }
        if parsed == nil {
            parsed = try FileIO.readAll(layout.checkpointsPath, from: record.offset).withUnsafeBytes { CheckpointFile.parse($0).records.first }
        }
        guard let checkpoint = try? parsed?.parsed.get(), checkpoint.checkpoint.size == record.size else { return nil }
        return (record.size, checkpoint)
    }

    /// The inclusion proof of entry `seq` in the tree `checkpoint` signed.
    public func inclusionProof(seq: UInt64, in checkpoint: SignedCheckpoint) throws -> InclusionProof {
        let size = checkpoint.checkpoint.size
        guard seq < size, let entry = entryBytes(at: seq) else {
            throw AuditLogError.notALog(path: layout.entriesPath, reason: "entry \(seq) is not covered by the checkpoint of size \(size)")
        }
        let leaf = TreeHash.leaf(entry)
        if let index, size <= index.size, let path = try? MerkleProofs.inclusionProof(index: seq, size: size, tree: index),
            (try? MerkleProofs.verifyInclusion(leaf: leaf, index: seq, size: size, proof: path, root: checkpoint.checkpoint.root)) != nil
        {
            return InclusionProof(entry: entry, index: seq, path: path, checkpoint: checkpoint)
        }
        let path = try MerkleProofs.inclusionProof(index: seq, size: size, leaves: try leafHashes())
        guard (try? MerkleProofs.verifyInclusion(leaf: leaf, index: seq, size: size, proof: path, root: checkpoint.checkpoint.root)) != nil else {
            throw AuditLogError.sealedEntriesDamaged(seq: seq, reason: "the log's entries do not lead to the root of the checkpoint of size \(size)")
        }
        return InclusionProof(entry: entry, index: seq, path: path, checkpoint: checkpoint)
    }

    /// The consistency proof that the tree `new` signed extends the tree `old` signed.
    public func consistencyProof(from old: SignedCheckpoint, to new: SignedCheckpoint) throws -> ConsistencyProof {
        let (oldSize, newSize) = (old.checkpoint.size, new.checkpoint.size)
        if let index, newSize <= index.size, let path = try? MerkleProofs.consistencyProof(old: oldSize, new: newSize, tree: index),
            (try? MerkleProofs.verifyConsistency(
                oldSize: oldSize, oldRoot: old.checkpoint.root, newSize: newSize, newRoot: new.checkpoint.root, proof: path)) != nil
        {
            return ConsistencyProof(old: old, new: new, path: path)
        }
        let leaves = try leafHashes()
        guard newSize <= UInt64(leaves.count) else {
            throw AuditLogError.notALog(
                path: layout.entriesPath, reason: "it has \(leaves.count) entries, fewer than the newer checkpoint's \(newSize)")
        }
        let path = try MerkleProofs.consistencyProof(old: oldSize, new: newSize, leaves: leaves)
        guard
            (try? MerkleProofs.verifyConsistency(
                oldSize: oldSize, oldRoot: old.checkpoint.root, newSize: newSize, newRoot: new.checkpoint.root, proof: path)) != nil
        else {
            throw AuditLogError.sealedEntriesDamaged(
                seq: oldSize, reason: "the log's entries do not lead to the roots of the checkpoints of sizes \(oldSize) and \(newSize)")
        }
        return ConsistencyProof(old: old, new: new, path: path)
    }
}
