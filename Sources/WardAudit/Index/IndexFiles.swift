#if canImport(Glibc)
    import Glibc
#endif

/// The derived files under a log's `index/` directory (audit/FORMAT.md §9.4): where each frame
/// starts, the leaf hashes, the roots of every perfect subtree whose height is a multiple of
/// `TreeIndex.stride`, and where each checkpoint record starts. They are a cache of what the
/// entries and checkpoints files already say, written without a sync after the entries are
/// durable, so they may lag or be damaged by a crash; the writer checks them at open against the
/// newest signed checkpoint and the last indexed frame, and rebuilds them from the log when they
/// disagree. Verification (`auditctl verify`) never reads them.
struct IndexLayout: Sendable {
    let directory: String

    init(log: LogLayout) {
        directory = log.directory + "/index"
    }

    /// 8 bytes a frame: the big-endian byte offset of frame `seq` in `entries`.
    var framesPath: String { directory + "/frames" }
    /// 32 bytes a node: the roots of the perfect subtrees of height `height`, left to right.
    func levelPath(_ height: Int) -> String { directory + "/tree-\(height)" }
    /// 16 bytes a checkpoint: big-endian tree size, then the record's byte offset in `checkpoints`.
    var checkpointsPath: String { directory + "/checkpoints" }

    static let frameRecordBytes = 8
    static let hashBytes = 32
    static let checkpointRecordBytes = 16
}

/// One index file opened for positional reads (and, by the writer, appends). Reads use
/// `pread`, so one file serves many threads.
final class IndexFile: @unchecked Sendable {
    let path: String
    let fd: Int32
    let recordBytes: Int

    init(path: String, recordBytes: Int, writable: Bool) throws {
        self.path = path
        self.recordBytes = recordBytes
        fd = writable ? try FileIO.openReadWrite(path) : open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw FileIO.error("open", path) }
    }

    deinit { close(fd) }

    /// Whole records in the file.
    func count() throws -> UInt64 {
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw FileIO.error("stat", path) }
        return UInt64(st.st_size) / UInt64(recordBytes)
    }

    /// Reads records `first..<first+count` into `out` (which holds `count·recordBytes` bytes).
    func read(_ first: UInt64, into out: UnsafeMutableRawBufferPointer) throws {
        var done = 0
        let offset = Int(first) * recordBytes
        while done < out.count {
            let n = pread(fd, out.baseAddress! + done, out.count - done, off_t(offset + done))
            if n < 0 {
                if errno == EINTR { continue }
                throw FileIO.error("read", path)
            }
            guard n > 0 else { throw AuditLogError.notALog(path: path, reason: "it ends before record \(first)") }
            done += n
        }
    }

    func hash(_ index: UInt64) throws -> Hash32 {
        var words = Hash32.zero.storage
        try withUnsafeMutableBytes(of: &words) { try read(index, into: $0) }
        return Hash32(storage: words)
    }

    /// A record of big-endian u64 fields.
    func numbers(_ index: UInt64, fields: Int) throws -> [UInt64] {
        var out = [UInt64](repeating: 0, count: fields)
        try out.withUnsafeMutableBytes { try read(index, into: $0) }
        return out.map { UInt64(bigEndian: $0) }
    }

    func append(_ bytes: [UInt8], at record: UInt64) throws {
        try bytes.withUnsafeBytes { try FileIO.write(fd, $0, at: Int(record) * recordBytes, path: path) }
    }

    func truncate(to records: UInt64) throws {
        try FileIO.truncate(fd, to: Int(records) * recordBytes, path: path)
    }
}

extension Array where Element == UInt8 {
    mutating func appendBigEndian(_ value: UInt64) {
        Swift.withUnsafeBytes(of: value.bigEndian) { append(contentsOf: $0) }
    }

    mutating func append(_ hash: Hash32) {
        hash.withUnsafeBytes { append(contentsOf: $0) }
    }
}
