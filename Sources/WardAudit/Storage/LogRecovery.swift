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
        var size: UInt64 = 0
        var lastLeaf: Hash32 = .zero
        var lastTime: UInt64 = 0
        var tree = CompactRange()
        var entriesEnd = 0
        var checkpointsEnd = 0
        var latestCheckpoint: SignedCheckpoint?
        var dropped: [Dropped] = []
    }

    static func run(layout: LogLayout, verifier: NoteVerifier, entriesFD: Int32, checkpointsFD: Int32) throws -> State {
        var state = State()

        // 1. Checkpoints: every complete record must be signed by our key; an unfinished last
        //    record is a torn write.
        let checkpointBytes = try FileIO.readAll(layout.checkpointsPath)
        let (records, checkpointsTorn) = checkpointBytes.withUnsafeBytes { CheckpointFile.parse($0) }
        var checkpoints: [SignedCheckpoint] = []
        for (index, record) in records.enumerated() {
            switch record.parsed {
            case let .failure(error):
                throw AuditLogError.checkpointInvalid(index: index, reason: error.description)
            case let .success(checkpoint):
                do { try checkpoint.verify(with: verifier) } catch let error as NoteError {
                    throw AuditLogError.checkpointInvalid(index: index, reason: error.description)
                }
                if let last = checkpoints.last, checkpoint.checkpoint.size < last.checkpoint.size {
                    throw AuditLogError.checkpointInvalid(index: index, reason: "size \(checkpoint.checkpoint.size) is smaller than the checkpoint before it")
                }
                checkpoints.append(checkpoint)
            }
        }
        state.latestCheckpoint = checkpoints.last
        let sealedSize = checkpoints.last?.checkpoint.size ?? 0
        var rootsToCheck = checkpoints.map(\.checkpoint)[...]

        // 2. Entries: longest valid prefix.
        let mapped = try MappedFile(path: layout.entriesPath)
        let data = mapped.bytes
        var scanner = FrameScanner(data: data)
        var validEnd = 0
        var stopReason: String?
        scan: while true {
            while let next = rootsToCheck.first, next.size == state.size {
                guard next.root == state.tree.root else {
                    throw AuditLogError.checkpointInvalid(index: checkpoints.count - rootsToCheck.count, reason: "its root does not match entries 0..<\(next.size)")
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
                guard header.seq == state.size, header.previous == state.lastLeaf else {
                    stopReason = "frame at byte \(offset) does not continue the chain"
                    break scan
                }
                state.tree.append(leaf: inspection.leaf)
                state.lastLeaf = inspection.leaf
                state.lastTime = max(state.lastTime, header.timeMicros)
                state.size += 1
                validEnd = check.upperBound
            }
        }
        if state.size < sealedSize {
            throw AuditLogError.sealedEntriesDamaged(seq: state.size, reason: stopReason ?? "the log ends before the newest checkpoint's size \(sealedSize)")
        }

        // 3. Cut torn tails, keeping their bytes for forensics.
        if validEnd < data.count {
            state.dropped.append(try cut(UnsafeRawBufferPointer(rebasing: data[validEnd...]), name: "entries", at: validEnd, fd: entriesFD, layout: layout, path: layout.entriesPath))
        }
        state.entriesEnd = validEnd
        let checkpointsValidEnd = checkpointsTorn ?? checkpointBytes.count
        if checkpointsValidEnd < checkpointBytes.count {
            let dropped = try checkpointBytes.withUnsafeBytes {
                try cut(UnsafeRawBufferPointer(rebasing: $0[checkpointsValidEnd...]), name: "checkpoints", at: checkpointsValidEnd, fd: checkpointsFD, layout: layout, path: layout.checkpointsPath)
            }
            state.dropped.append(dropped)
        }
        state.checkpointsEnd = checkpointsValidEnd
        return state
    }

    private static func cut(_ bytes: UnsafeRawBufferPointer, name: String, at offset: Int, fd: Int32, layout: LogLayout, path: String) throws -> Dropped {
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
