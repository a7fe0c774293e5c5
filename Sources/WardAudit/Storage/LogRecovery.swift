#if canImport(Glibc)
    import Glibc
#endif

/// Opening an existing log: rebuild the writer's state from the files, and cut off a torn tail.
///
/// The rule that makes cutting safe: an acknowledged entry was synced before it was
/// acknowledged, so a crash can only tear entries that nobody was told are durable. Recovery
/// therefore keeps the longest prefix of whole, well-formed, correctly chained entries and
/// drops what follows — unless a signed checkpoint covers any of it, in which case the damage
/// is not a torn write and the log refuses to open.
enum LogRecovery {
    struct Dropped {
        var file: String
        var offset: Int
        var length: Int
        var sha256: Hash32
        var savedAs: String
    }

    struct State {
        var end = LogEnd()
        var entriesEnd = 0
        var checkpointsEnd = 0
        var latestCheckpoint: SignedCheckpoint?
        var dropped: [Dropped] = []
        /// Why the tree index was built again from the log, when it was.
        var indexRebuilt: String?
    }

    /// Opening reads only what the tree index (§9.4) has not seen: the checkpoints from the last
    /// indexed one on and the frames after the last indexed one, so a log of ten million entries
    /// opens in milliseconds. What the index says is checked first (the last indexed frame and
    /// the roots of the checkpoints read); when it does not fit, the whole log is read and
    /// indexed again, as a log without an index is.
    static func run(layout: LogLayout, verifier: NoteVerifier, entriesFD: Int32, checkpointsFD: Int32, index: IndexWriter) throws -> State {
        var state = State()

        // 1. Checkpoints: every complete record read must be signed by our key; an unfinished
        //    last record is a torn write.
        let read = try readCheckpoints(layout: layout, verifier: verifier, index: index)
        state.latestCheckpoint = read.checkpoints.last
        let sealedSize = read.checkpoints.last?.checkpoint.size ?? 0
        var rootsToCheck = read.checkpoints.map(\.checkpoint)[...]
        func checkpointNumber(_ remaining: Int) -> Int { Int(read.firstNumber) + read.checkpoints.count - remaining }

        // 2. Entries: longest valid prefix, from the last indexed frame on.
        let mapped = try MappedFile(path: layout.entriesPath)
        let data = mapped.bytes
        var scanner = FrameScanner(data: data)
        var validEnd = 0
        do {
            if let resumed = try index.resume(entries: data) {
                let tree = try TreeIndex(layout: index.layout)
                while let next = rootsToCheck.first, next.size <= resumed.end.size {
                    guard try tree.root(size: next.size) == next.root else {
                        throw IndexWriter.Mismatch(
                            description:
                                "the indexed tree of size \(next.size) does not have checkpoint #\(checkpointNumber(rootsToCheck.count))'s root")
                    }
                    rootsToCheck.removeFirst()
                }
                state.end = resumed.end
                validEnd = resumed.entriesEnd
                scanner = FrameScanner(data: data, offset: validEnd)
            }
        } catch {
            // Whatever stops the index from being used (it disagrees, or a file of it is
            // short or unreadable), the log's own files decide.
            state.indexRebuilt = "\(error)"
            try index.resetEntries()
            rootsToCheck = read.checkpoints.map(\.checkpoint)[...]
        }
        var stopReason: String?
        scan: while true {
            while let next = rootsToCheck.first, next.size == state.end.size {
                guard next.root == state.end.tree.root else {
                    throw AuditLogError.checkpointInvalid(
                        index: checkpointNumber(rootsToCheck.count), reason: "its root does not match entries 0..<\(next.size)")
                }
                rootsToCheck.removeFirst()
            }
            switch scanner.next() {
            case .end:
                break scan
            case let .truncated(offset):
                stopReason = "file ends inside the frame at byte \(offset)"
                break scan
            case let .badLength(offset, length):
                stopReason = "frame at byte \(offset) has length \(length)"
                break scan
            case let .frame(offset, entry, check):
                let inspection = FrameInspection(data: data, entry: entry, check: check)
                guard inspection.checkMatches, let header = inspection.header else {
                    stopReason = "frame at byte \(offset) is not a whole entry"
                    break scan
                }
                guard header.seq == state.end.size, header.previous == state.end.lastLeaf else {
                    stopReason = "frame at byte \(offset) does not continue the chain"
                    break scan
                }
                index.add(frameAt: offset, leaf: inspection.leaf)
                state.end.append(leaf: inspection.leaf) { index.add(node: $0, height: $1) }
                state.end.lastTime = max(state.end.lastTime, header.timeMicros)
                validEnd = check.upperBound
                if state.end.size % 65_536 == 0 { index.flush() }
            }
        }
        index.flush()
        if state.end.size < sealedSize {
            throw AuditLogError.sealedEntriesDamaged(
                seq: state.end.size, reason: stopReason ?? "the log ends before the newest checkpoint's size \(sealedSize)")
        }

        // 3. Cut torn tails, keeping their bytes for forensics.
        if validEnd < data.count {
            state.dropped.append(
                try cut(
                    UnsafeRawBufferPointer(rebasing: data[validEnd...]), name: "entries", at: validEnd, fd: entriesFD, layout: layout,
                    path: layout.entriesPath))
        }
        state.entriesEnd = validEnd
        if let torn = read.tornAt {
            let dropped = try read.bytes.withUnsafeBytes {
                try cut(
                    UnsafeRawBufferPointer(rebasing: $0[(torn - read.start)...]), name: "checkpoints", at: torn, fd: checkpointsFD, layout: layout,
                    path: layout.checkpointsPath)
            }
            state.dropped.append(dropped)
        }
        state.checkpointsEnd = read.tornAt ?? read.start + read.bytes.count
        return state
    }

    /// The checkpoints read at open: from the last indexed record on (or all of them), each
    /// verified, sizes never decreasing, and indexed.
    private struct CheckpointsRead {
        var checkpoints: [SignedCheckpoint] = []
        /// The file's number of the first checkpoint read.
        var firstNumber: UInt64 = 0
        /// The byte offset the reading started at, and the bytes read from there.
        var start = 0
        var bytes: [UInt8] = []
        /// Where an unfinished last record starts, if there is one.
        var tornAt: Int?
    }

    private static func readCheckpoints(layout: LogLayout, verifier: NoteVerifier, index: IndexWriter) throws -> CheckpointsRead {
        var read = CheckpointsRead()
        var expectedSize: UInt64?
        if let resume = try index.checkpointResumePoint() {
            (read.start, read.firstNumber, expectedSize) = (resume.offset, resume.number, resume.size)
        }
        read.bytes = try FileIO.readAll(layout.checkpointsPath, from: min(read.start, try FileIO.size(layout.checkpointsPath)))
        var (records, torn) = read.bytes.withUnsafeBytes { CheckpointFile.parse($0) }
        if let expectedSize, (try? records.first?.parsed.get())?.checkpoint.size != expectedSize {
            // The indexed record is not where the index says: read the whole file.
            try index.resetCheckpoints()
            read = CheckpointsRead(bytes: try FileIO.readAll(layout.checkpointsPath))
            (records, torn) = read.bytes.withUnsafeBytes { CheckpointFile.parse($0) }
        }
        read.tornAt = torn.map { read.start + $0 }
        var indexed: [(size: UInt64, offset: Int)] = []
        for (position, record) in records.enumerated() {
            let number = Int(read.firstNumber) + position
            switch record.parsed {
            case let .failure(error):
                throw AuditLogError.checkpointInvalid(index: number, reason: error.description)
            case let .success(checkpoint):
                do { try checkpoint.verify(with: verifier) } catch let error as NoteError {
                    throw AuditLogError.checkpointInvalid(index: number, reason: error.description)
                }
                if let last = read.checkpoints.last, checkpoint.checkpoint.size < last.checkpoint.size {
                    throw AuditLogError.checkpointInvalid(
                        index: number, reason: "size \(checkpoint.checkpoint.size) is smaller than the checkpoint before it")
                }
                read.checkpoints.append(checkpoint)
                indexed.append((checkpoint.checkpoint.size, read.start + record.range.lowerBound))
            }
        }
        try index.setCheckpoints(from: read.firstNumber, indexed)
        return read
    }

    private static func cut(_ bytes: UnsafeRawBufferPointer, name: String, at offset: Int, fd: Int32, layout: LogLayout, path: String) throws
        -> Dropped
    {
        try FileIO.makeDirectory(layout.recoveredDirectory)
        let hash = TreeHash.sha256(bytes)
        let savedAs = "\(name)-\(offset)-\(hash.hex.prefix(16)).bin"
        let savedPath = layout.recoveredDirectory + "/" + savedAs
        if !FileIO.exists(savedPath) { try FileIO.writeNewFile(savedPath, Array(bytes)) }
        try FileIO.syncDirectory(layout.recoveredDirectory)
        try FileIO.truncate(fd, to: offset, path: path)
        try FileIO.syncData(fd, path: path)
        return Dropped(file: name, offset: offset, length: bytes.count, sha256: hash, savedAs: savedAs)
    }
}
