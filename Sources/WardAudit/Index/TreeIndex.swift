/// Read access to a log's tree index (audit/FORMAT.md §9.4): the frame and leaf hash of any entry
/// and the root of any perfect subtree in a few reads, so a proof costs O(log n) reads and at
/// most `2^stride` hashes per level it climbs, whatever the log's size.
public final class TreeIndex: PerfectSubtrees, Sendable {
    /// Heights stored: 0, 8, 16, …. A node in between is hashed from at most 2^8 stored roots
    /// below it (the tile height of C2SP tlog-tiles, for the same reason: one 8 KiB read).
    static let stride = 8

    let layout: IndexLayout
    let frames: IndexFile
    /// `levels[i]` holds the roots at height `i·stride`.
    let levels: [IndexFile]
    let checkpointRecords: IndexFile?
    /// Entries indexed: the proofs and look-ups it can answer are for entries below this.
    public let size: UInt64

    /// Opens the index of the log in `directory`; throws when it has none (a log written before
    /// the index existed gets one the next time the server opens it).
    public convenience init(directory: String) throws {
        try self.init(layout: IndexLayout(log: LogLayout(directory: directory)))
    }

    init(layout: IndexLayout) throws {
        self.layout = layout
        frames = try IndexFile(path: layout.framesPath, recordBytes: IndexLayout.frameRecordBytes, writable: false)
        var levels: [IndexFile] = []
        var height = 0
        while FileIO.exists(layout.levelPath(height)) {
            levels.append(try IndexFile(path: layout.levelPath(height), recordBytes: IndexLayout.hashBytes, writable: false))
            height += Self.stride
        }
        guard let leaves = levels.first else { throw AuditLogError.notALog(path: layout.directory, reason: "it has no leaf hashes") }
        self.levels = levels
        checkpointRecords =
            FileIO.exists(layout.checkpointsPath)
            ? try IndexFile(path: layout.checkpointsPath, recordBytes: IndexLayout.checkpointRecordBytes, writable: false) : nil
        // Levels are written before the leaves and the leaves before the frames (IndexWriter), so
        // every node below this size is already on disk.
        size = min(try frames.count(), try leaves.count())
    }

    /// Byte offset of frame `seq` in the entries file.
    func frameOffset(_ seq: UInt64) throws -> Int {
        guard seq < size else { throw MerkleProofs.ProofError.indexOutOfRange(index: seq, size: size) }
        return Int(try frames.numbers(seq, fields: 1)[0])
    }

    public func leaf(_ seq: UInt64) throws -> Hash32 {
        guard seq < size else { throw MerkleProofs.ProofError.indexOutOfRange(index: seq, size: size) }
        return try levels[0].hash(seq)
    }

    public func perfectSubtree(height: Int, index: UInt64) throws -> Hash32 {
        guard height < 64, (index + 1) << UInt64(height) <= size else {
            throw MerkleProofs.ProofError.indexOutOfRange(index: index << UInt64(min(height, 63)), size: size)
        }
        let stored = height / Self.stride
        guard stored < levels.count else {
            throw AuditLogError.notALog(path: layout.directory, reason: "it lacks the roots of height \(stored * Self.stride)")
        }
        let below = height - stored * Self.stride
        if below == 0 { return try levels[stored].hash(index) }
        var nodes = [Hash32](repeating: .zero, count: 1 << below)
        try nodes.withUnsafeMutableBytes { try levels[stored].read(index << UInt64(below), into: $0) }
        return nodes.perfectRoot()
    }

    /// The right edge of the tree of the first `treeSize` entries (≤ `size`).
    func compactRange(size treeSize: UInt64) throws -> CompactRange {
        var range = CompactRange()
        for height in Swift.stride(from: 63, through: 0, by: -1) where treeSize & (UInt64(1) << UInt64(height)) != 0 {
            range.append(subtree: try perfectSubtree(height: height, index: range.size >> UInt64(height)), height: height)
        }
        return range
    }

    /// The root of the tree of the first `treeSize` entries (≤ `size`).
    public func root(size treeSize: UInt64) throws -> Hash32 {
        try MerkleProofs.root(self, 0..<treeSize)
    }

    /// Number of checkpoints indexed.
    func checkpointCount() throws -> UInt64 {
        try checkpointRecords?.count() ?? 0
    }

    /// (tree size, byte offset in the checkpoints file) of indexed checkpoint `number`.
    func checkpoint(_ number: UInt64) throws -> (size: UInt64, offset: Int) {
        guard let records = checkpointRecords else { throw AuditLogError.notALog(path: layout.checkpointsPath, reason: "it is missing") }
        let fields = try records.numbers(number, fields: 2)
        return (fields[0], Int(fields[1]))
    }
}
