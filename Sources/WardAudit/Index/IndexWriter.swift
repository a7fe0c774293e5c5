/// Keeps a log's tree index (audit/FORMAT.md §9.4) in step with its files. Used by the writer
/// thread alone.
///
/// Nothing here is synced: the index is derived, so a crash can only leave it behind the entries
/// or damaged, and `resume` finds out which at the next open. Writes go levels first, then leaf
/// hashes, then frame offsets, so that a reader (`TreeIndex`), which trusts the smaller of the
/// last two counts, never sees an entry whose nodes are not yet written.
final class IndexWriter {
    let layout: IndexLayout
    private let frames: IndexFile
    private var levels: [IndexFile]
    private let checkpoints: IndexFile
    /// Records in each file as the writer knows them (frames, then each level, checkpoints).
    private(set) var size: UInt64 = 0
    private var levelCounts: [UInt64]
    private var checkpointCount: UInt64 = 0
    /// Staged since the last flush.
    private var frameBytes: [UInt8] = []
    private var levelBytes: [[UInt8]]
    /// Set when a write fails: the index then stays as it is until the next open rebuilds it,
    /// and the log itself goes on (the index is a cache; losing it costs speed, not entries).
    private(set) var failure: String?

    init(log: LogLayout) throws {
        layout = IndexLayout(log: log)
        try FileIO.makeDirectory(layout.directory)
        frames = try IndexFile(path: layout.framesPath, recordBytes: IndexLayout.frameRecordBytes, writable: true)
        levels = [try IndexFile(path: layout.levelPath(0), recordBytes: IndexLayout.hashBytes, writable: true)]
        var height = TreeIndex.stride
        while FileIO.exists(layout.levelPath(height)) {
            levels.append(try IndexFile(path: layout.levelPath(height), recordBytes: IndexLayout.hashBytes, writable: true))
            height += TreeIndex.stride
        }
        checkpoints = try IndexFile(path: layout.checkpointsPath, recordBytes: IndexLayout.checkpointRecordBytes, writable: true)
        levelCounts = try levels.map { try $0.count() }
        levelBytes = Array(repeating: [], count: levels.count)
        checkpointCount = try checkpoints.count()
    }

    // MARK: Opening

    /// Why the index cannot be trusted at open; the log is then indexed again from its files.
    struct Mismatch: Error, CustomStringConvertible {
        var description: String
    }

    /// Where an index that passed its checks lets recovery pick up: the state after entry
    /// `size - 1`, and the byte after its frame.
    struct Resumed {
        var end: LogEnd
        var entriesEnd: Int
    }

    /// Checks the indexed entries against the entries file — the last indexed frame must be
    /// there, whole, with the indexed leaf hash and its own position — brings every level in
    /// step with the leaves, and returns the state to continue from. Throws `Mismatch` when the
    /// index does not fit the log.
    func resume(entries data: UnsafeRawBufferPointer) throws -> Resumed? {
        let leafCount = levelCounts[0]
        let indexed = min(try frames.count(), leafCount)
        guard indexed > 0 else { return nil }
        let last = indexed - 1
        let offset = Int(try frames.numbers(last, fields: 1)[0])
        guard offset < data.count else { throw Mismatch(description: "frame \(last) is indexed at byte \(offset), past the end of the entries") }
        var scanner = FrameScanner(data: data, offset: offset)
        guard case let .frame(_, entry, check) = scanner.next() else { throw Mismatch(description: "no whole frame at byte \(offset)") }
        let inspection = FrameInspection(data: data, entry: entry, check: check)
        guard inspection.checkMatches, let header = inspection.header, header.seq == last,
            inspection.leaf == (try levels[0].hash(last))
        else { throw Mismatch(description: "the frame at byte \(offset) is not entry \(last) as indexed") }
        size = indexed
        try frames.truncate(to: indexed)
        try levels[0].truncate(to: indexed)
        levelCounts[0] = indexed
        try fillLevels()
        let reader = try TreeIndex(layout: layout)
        return Resumed(
            end: LogEnd(size: indexed, lastLeaf: inspection.leaf, lastTime: header.timeMicros, tree: try reader.compactRange(size: indexed)),
            entriesEnd: check.upperBound)
    }

    /// Makes every stored level hold exactly the roots of the perfect subtrees under `size`:
    /// cuts roots a crash left beyond it, and hashes the ones it left out from the level below.
    private func fillLevels() throws {
        var level = 1
        while level < levels.count || size >> UInt64(level * TreeIndex.stride) > 0 {
            let height = level * TreeIndex.stride
            if level == levels.count {
                levels.append(try IndexFile(path: layout.levelPath(height), recordBytes: IndexLayout.hashBytes, writable: true))
                levelCounts.append(0)
                levelBytes.append([])
            }
            let expected = size >> UInt64(height)
            if levelCounts[level] > expected {
                try levels[level].truncate(to: expected)
                levelCounts[level] = expected
            }
            let width = 1 << TreeIndex.stride
            var nodes = [Hash32](repeating: .zero, count: width)
            var out: [UInt8] = []
            while levelCounts[level] + UInt64(out.count / IndexLayout.hashBytes) < expected {
                let index = levelCounts[level] + UInt64(out.count / IndexLayout.hashBytes)
                try nodes.withUnsafeMutableBytes { try levels[level - 1].read(index << UInt64(TreeIndex.stride), into: $0) }
                out.append(nodes.perfectRoot())
            }
            if !out.isEmpty {
                try levels[level].append(out, at: levelCounts[level])
                levelCounts[level] = expected
            }
            level += 1
        }
    }

    /// Empties the entry files of the index, to build it again from the first frame.
    func resetEntries() throws {
        try frames.truncate(to: 0)
        for (level, file) in levels.enumerated() {
            try file.truncate(to: 0)
            levelCounts[level] = 0
        }
        size = 0
    }

    /// Where to start reading the checkpoints file: the last indexed checkpoint's record (to be
    /// read again and matched) and its number, or the start of the file.
    func checkpointResumePoint() throws -> (offset: Int, number: UInt64, size: UInt64)? {
        guard checkpointCount > 0 else { return nil }
        let fields = try checkpoints.numbers(checkpointCount - 1, fields: 2)
        return (Int(fields[1]), checkpointCount - 1, fields[0])
    }

    /// Records checkpoints `first`, `first + 1`, … (rewriting those already there) and drops
    /// any after them.
    func setCheckpoints(from first: UInt64, _ records: [(size: UInt64, offset: Int)]) throws {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(records.count * IndexLayout.checkpointRecordBytes)
        for record in records {
            bytes.appendBigEndian(record.size)
            bytes.appendBigEndian(UInt64(record.offset))
        }
        if !bytes.isEmpty { try checkpoints.append(bytes, at: first) }
        let count = first + UInt64(records.count)
        if checkpointCount > count { try checkpoints.truncate(to: count) }
        checkpointCount = count
    }

    func resetCheckpoints() throws {
        try checkpoints.truncate(to: 0)
        checkpointCount = 0
    }

    // MARK: Appending

    /// Stages entry `size`'s frame offset and leaf hash; `add(node:height:)` stages the roots it
    /// completes. Nothing reaches the files before `flush`.
    func add(frameAt offset: Int, leaf: Hash32) {
        frameBytes.appendBigEndian(UInt64(offset))
        levelBytes[0].append(leaf)
    }

    func add(node: Hash32, height: Int) {
        guard height % TreeIndex.stride == 0 else { return }
        let level = height / TreeIndex.stride
        // Roots complete lowest level first, so a level's file exists before any above it.
        guard level <= levels.count else {
            fail(AuditLogError.notALog(path: layout.directory, reason: "roots of height \(height) arrived before those below them"))
            return
        }
        if level == levels.count {
            do {
                levels.append(try IndexFile(path: layout.levelPath(height), recordBytes: IndexLayout.hashBytes, writable: true))
                levelCounts.append(0)
                levelBytes.append([])
            } catch {
                fail(error)
                return
            }
        }
        levelBytes[level].append(node)
    }

    /// Writes what was staged: levels, then leaves, then frames.
    func flush() {
        defer {
            frameBytes.removeAll(keepingCapacity: true)
            for level in levelBytes.indices { levelBytes[level].removeAll(keepingCapacity: true) }
        }
        guard failure == nil, !frameBytes.isEmpty else { return }
        do {
            for level in Swift.stride(from: levels.count - 1, through: 0, by: -1) where !levelBytes[level].isEmpty {
                try levels[level].append(levelBytes[level], at: levelCounts[level])
                levelCounts[level] += UInt64(levelBytes[level].count / IndexLayout.hashBytes)
            }
            try frames.append(frameBytes, at: size)
            size += UInt64(frameBytes.count / IndexLayout.frameRecordBytes)
        } catch {
            fail(error)
        }
    }

    /// Forgets what was staged (the entries it described were not written).
    func discardStaged() {
        frameBytes.removeAll(keepingCapacity: true)
        for level in levelBytes.indices { levelBytes[level].removeAll(keepingCapacity: true) }
    }

    /// Records a checkpoint written at `offset` of the checkpoints file.
    func addCheckpoint(size treeSize: UInt64, offset: Int) {
        guard failure == nil else { return }
        do { try setCheckpoints(from: checkpointCount, [(treeSize, offset)]) } catch { fail(error) }
    }

    private func fail(_ error: any Error) {
        if failure == nil { failure = "\(error)" }
    }
}

extension [Hash32] {
    /// The root of the perfect subtree whose leaves (or roots one level) are these, a power of
    /// two of them, hashed pairwise as the tree does.
    func perfectRoot() -> Hash32 {
        var nodes = self
        var width = nodes.count
        while width > 1 {
            for i in 0..<(width / 2) { nodes[i] = TreeHash.node(nodes[2 * i], nodes[2 * i + 1]) }
            width /= 2
        }
        return nodes.first ?? TreeHash.empty
    }
}
