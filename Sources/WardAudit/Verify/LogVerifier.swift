import Dispatch
import WardCrypto
#if canImport(Glibc)
    import Glibc
#endif

/// Checks a log as an auditor would, from its bytes and the log's public key alone
/// (audit/FORMAT.md §10 describes the same steps): every frame, entry encoding, sequence number,
/// previous-hash link and check value; the Merkle root at every checkpoint's size; every
/// checkpoint signature; and, given a pinned checkpoint from earlier, that the log still
/// contains and extends it.
///
/// Leaf hashing and subtree hashing run on all cores, a chunk of 2^16 entries at a time.
public struct LogVerifier: Sendable {
    public let key: NoteVerifier
    public let pin: SignedCheckpoint?
    public let workers: Int
    static let chunkHeight = 16

    /// - Parameters:
    ///   - key: the log's public key.
    ///   - pin: a checkpoint seen earlier, which the log must still contain and extend.
    ///   - workers: threads to hash with; rounded down to a power of two.
    public init(key: NoteVerifier, pin: SignedCheckpoint? = nil, workers: Int = LogVerifier.defaultWorkers) {
        self.key = key
        self.pin = pin
        var w = 1
        while w * 2 <= max(1, min(workers, 64)) { w *= 2 }
        self.workers = w
    }

    /// The number of online processors.
    public static var defaultWorkers: Int { max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))) }

    /// Verifies the log in `directory`. Throws only when its files cannot be read.
    public func verify(directory: String) throws -> VerificationReport {
        let layout = LogLayout(directory: directory)
        guard FileIO.exists(layout.entriesPath) else { throw AuditLogError.notALog(path: directory, reason: "it has no entries file") }
        guard FileIO.exists(layout.checkpointsPath) else { throw AuditLogError.notALog(path: directory, reason: "it has no checkpoints file") }
        let entries = try MappedFile(path: layout.entriesPath)
        let checkpoints = try FileIO.readAll(layout.checkpointsPath)
        return checkpoints.withUnsafeBytes { verify(entries: entries.bytes, checkpoints: $0) }
    }

    /// Verifies a log given the bytes of its two files.
    public func verify(entries data: UnsafeRawBufferPointer, checkpoints checkpointBytes: UnsafeRawBufferPointer) -> VerificationReport {
        var report = VerificationReport()
        report.bytes = data.count

        // 1. Checkpoints: parse and check signatures; collect the sizes whose roots we need.
        let (records, torn) = CheckpointFile.parse(checkpointBytes)
        report.checkpoints = records.count + (torn == nil ? 0 : 1)
        var signed: [(index: Int, checkpoint: Checkpoint)] = []
        var largestSoFar: UInt64 = 0
        for (index, record) in records.enumerated() {
            switch record.parsed {
            case let .failure(error):
                report.findings.append(Finding(.tampered, checkpoint: "\(index)", "checkpoint is malformed: \(error)"))
            case let .success(checkpoint):
                do {
                    try checkpoint.verify(with: key)
                } catch {
                    report.findings.append(Finding(.badSignature, checkpoint: "\(index)", "\(error)"))
                    continue
                }
                if checkpoint.checkpoint.size < largestSoFar {
                    report.findings.append(
                        Finding(
                            .rollback, checkpoint: "\(index)",
                            "size \(checkpoint.checkpoint.size) is smaller than an earlier checkpoint's \(largestSoFar)"))
                }
                largestSoFar = max(largestSoFar, checkpoint.checkpoint.size)
                signed.append((index, checkpoint.checkpoint))
            }
        }
        if let torn {
            report.findings.append(
                Finding(.truncated, checkpoint: "\(records.count)", "the checkpoints file ends inside a checkpoint at byte \(torn)"))
        }
        var pinnedCheckpoint: Checkpoint?
        if let pin {
            do {
                try pin.verify(with: key)
                pinnedCheckpoint = pin.checkpoint
            } catch {
                report.findings.append(Finding(.badSignature, checkpoint: "pin", "the pinned checkpoint: \(error)"))
            }
        }
        var wanted = Set(signed.map(\.checkpoint.size))
        if let pinnedCheckpoint { wanted.insert(pinnedCheckpoint.size) }

        // 2. Entries, chunk by chunk.
        var scan = EntryScan(data: data, wanted: wanted, workers: workers)
        scan.run()
        report.entries = scan.position
        report.findings.append(contentsOf: scan.findings())

        // 3. Checkpoint roots. A mismatch inside a range that already has an entry finding is
        //    explained by it and not repeated.
        let firstDamage = scan.firstDamage ?? UInt64.max
        var sealedUpTo: UInt64 = 0
        for (index, checkpoint) in signed {
            if checkpoint.size > scan.position {
                if firstDamage > scan.position {
                    report.findings.append(
                        Finding(
                            .truncated, seq: scan.position, checkpoint: "\(index)",
                            "checkpoint covers \(checkpoint.size) entries but the log has \(scan.position): entries "
                                + "\(scan.position)..\(checkpoint.size - 1) are gone"
                        ))
                }
                continue
            }
            // A signed claim covers its entries even when they no longer match it: the mismatch
            // is its own finding, so those entries are not also reported as unsealed.
            sealedUpTo = max(sealedUpTo, checkpoint.size)
            if scan.roots[checkpoint.size] != checkpoint.root {
                if firstDamage >= checkpoint.size {
                    report.findings.append(
                        Finding(
                            .tampered, checkpoint: "\(index)",
                            "the entries do not hash to this checkpoint's root at size \(checkpoint.size): an entry before "
                                + "\(checkpoint.size) was changed"
                        ))
                }
                continue
            }
            report.validCheckpoints += 1
            if checkpoint.size >= report.latest?.size ?? 0 { report.latest = checkpoint }
        }
        if sealedUpTo < scan.position {
            report.findings.append(
                Finding(
                    .unsealedTail, seq: sealedUpTo,
                    "entries \(sealedUpTo)..\(scan.position - 1) are not covered by any valid checkpoint"))
        }

        // 4. The pin: the log must still contain it (no rollback) and agree with it (no fork).
        if let pinned = pinnedCheckpoint {
            if pinned.size > scan.position {
                report.findings.append(
                    Finding(
                        .rollback, checkpoint: "pin",
                        "the pinned checkpoint has \(pinned.size) entries but the log has only \(scan.position)"))
            } else if scan.roots[pinned.size] != pinned.root {
                report.findings.append(
                    Finding(
                        .fork, checkpoint: "pin",
                        "the log's first \(pinned.size) entries do not hash to the pinned checkpoint's root"))
            }
        }
        return report
    }
}

/// The entry pass of verification: framing, parallel inspection, sequential chain checks.
private struct EntryScan {
    let data: UnsafeRawBufferPointer
    let wanted: Set<UInt64>
    let workers: Int

    /// Tree roots at the wanted sizes.
    var roots: [UInt64: Hash32] = [:]
    /// Entries (whole frames) read.
    var position: UInt64 = 0
    /// Smallest position with an entry-level finding.
    var firstDamage: UInt64?

    private var entryFindings: [Finding] = []
    private var missing: [(from: UInt64, to: UInt64)] = []
    private var reordered: [UInt64: String] = [:]
    private var expectedSeq: UInt64 = 0
    private var lastLeaf = Hash32.zero
    private var lastTime: UInt64 = 0
    private var previousDamaged = false

    init(data: UnsafeRawBufferPointer, wanted: Set<UInt64>, workers: Int) {
        self.data = data
        self.wanted = wanted
        self.workers = workers
    }

    mutating func run() {
        let chunk = ChunkTree(height: LogVerifier.chunkHeight)
        var frontier = CompactRange()
        let reader = ChunkReader(data: data, capacity: chunk.capacity)
        let inspections = UnsafeMutableBufferPointer<FrameInspection?>.allocate(capacity: chunk.capacity)
        inspections.initialize(repeating: nil)
        // chained[i]: the worker saw frame i whole, decodable, numbered by its position and
        // linked to frame i-1. Most frames are, and the sequential pass then only moves on.
        let chained = UnsafeMutableBufferPointer<Bool>.allocate(capacity: chunk.capacity)
        chained.initialize(repeating: false)
        defer {
            inspections.deinitialize()
            inspections.deallocate()
            chained.deallocate()
        }
        let wantedSizes = wanted.sorted()
        var nextWanted = wantedSizes.startIndex
        while nextWanted < wantedSizes.endIndex && wantedSizes[nextWanted] == 0 {
            roots[0] = TreeHash.empty
            nextWanted += 1
        }
        // Blocks per chunk: more blocks than threads, so that the threads share out the work and
        // reading the next chunk's frames evenly.
        let blocks = workers == 1 ? 1 : workers * 4
        reader.readAhead()
        var frames: [FramePlace] = []
        while true {
            frames = reader.take(recycling: frames)
            if frames.isEmpty { break }

            // Parallel: inspect frames (leaf hash, check, decode) and build subtree levels, while
            // the next chunk's frames are found.
            let data = self.data
            let leaves = chunk.leaves
            let chunkStart = position
            chunk.build(count: frames.count, blocks: blocks, threads: workers, alongside: { reader.readAhead() }) { block in
                for i in block {
                    let frame = frames[i]
                    let inspection = FrameInspection(data: data, entry: frame.entry, check: frame.check)
                    leaves[i] = inspection.leaf
                    inspections[i] = inspection
                    if let header = inspection.header, inspection.checkMatches, i > block.lowerBound {
                        chained[i] = header.seq == chunkStart + UInt64(i) && header.previous == leaves[i - 1]
                    } else {
                        chained[i] = false
                    }
                }
            }

            // Sequential: order and chain, in full only where the fast check did not hold.
            for i in 0..<frames.count {
                guard let inspection = inspections[i] else { continue }
                if chained[i], !previousDamaged, expectedSeq == position, let header = inspection.header, header.timeMicros >= lastTime {
                    expectedSeq += 1
                    lastTime = header.timeMicros
                    lastLeaf = inspection.leaf
                } else {
                    classify(inspection, frame: frames[i])
                }
                position += 1
                while nextWanted < wantedSizes.endIndex && wantedSizes[nextWanted] == position {
                    roots[position] = CompactRange.fold(frontier.subtreeRoots + chunk.decomposition(of: i + 1)) ?? TreeHash.empty
                    nextWanted += 1
                }
            }
            if frames.count == chunk.capacity {
                frontier.append(subtree: chunk.fullRoot, height: chunk.height)
            }
        }
        // Reported after the frames before it are classified, so it names the right entry.
        if let tail = reader.tail { damage(Finding(tail.kind, seq: expectedSeq, tail.message), at: position) }
    }

    private mutating func damage(_ finding: Finding, at position: UInt64) {
        entryFindings.append(finding)
        if firstDamage == nil { firstDamage = position }
    }

    private mutating func classify(_ inspection: FrameInspection, frame: (offset: Int, entry: Range<Int>, check: Range<Int>)) {
        defer { lastLeaf = inspection.leaf }
        guard inspection.checkMatches, let header = inspection.header else {
            let why = FrameInspection.decodeError(data: data, entry: frame.entry).map { "\($0)" } ?? "its check value does not match its contents"
            damage(Finding(.tampered, seq: expectedSeq, "entry at byte \(frame.offset): \(why)"), at: position)
            expectedSeq += 1
            previousDamaged = true
            return
        }
        var damaged = false
        if header.seq > expectedSeq {
            missing.append((expectedSeq, header.seq - 1))
            if firstDamage == nil { firstDamage = position }
            expectedSeq = header.seq + 1
            damaged = true
        } else if header.seq < expectedSeq {
            reordered[header.seq] = "entry \(header.seq) appears after entry \(expectedSeq - 1)"
            if firstDamage == nil { firstDamage = position }
            damaged = true
        } else {
            expectedSeq += 1
        }
        if !damaged && !previousDamaged && header.previous != lastLeaf {
            if position == 0 {
                damage(Finding(.tampered, seq: header.seq, "the first entry's previous-hash is not all zero"), at: position)
            } else {
                damage(
                    Finding(
                        .tampered, seq: header.seq - 1, "entry \(header.seq - 1) does not hash to the previous-hash recorded in entry \(header.seq)"),
                    at: position - 1)
            }
            damaged = true
        }
        if !damaged && header.timeMicros < lastTime {
            reordered[header.seq] = "entry \(header.seq) is timed before the entry preceding it"
            if firstDamage == nil { firstDamage = position }
            damaged = true
        }
        lastTime = max(lastTime, header.timeMicros)
        previousDamaged = damaged
    }

    /// Entry-level findings, with sequence gaps that turn out to be reorderings reported once.
    func findings() -> [Finding] {
        var out: [Finding] = []
        for gap in missing {
            var from = gap.from
            // Split the gap around seqs found elsewhere (those are reordered, not missing).
            for seq in reordered.keys.sorted() where seq >= gap.from && seq <= gap.to {
                if seq > from { out.append(missingFinding(from, seq - 1)) }
                from = seq + 1
            }
            if from <= gap.to { out.append(missingFinding(from, gap.to)) }
        }
        for (seq, why) in reordered.sorted(by: { $0.key < $1.key }) { out.append(Finding(.reordered, seq: seq, why)) }
        return (entryFindings + out).sorted { ($0.seq ?? 0) < ($1.seq ?? 0) }
    }

    private func missingFinding(_ from: UInt64, _ to: UInt64) -> Finding {
        Finding(.missing, seq: from, from == to ? "entry \(from) is absent" : "entries \(from)..\(to) are absent")
    }
}

extension CompactRange {
    /// The roots of the perfect subtrees, largest first.
    var subtreeRoots: [Hash32] { subtrees.map(\.hash) }
}

/// One frame's place in the entries file.
typealias FramePlace = (offset: Int, entry: Range<Int>, check: Range<Int>)

/// Finds frames a chunk at a time, one chunk ahead of the hashing, and remembers how the file
/// ended (cleanly, inside a frame, or at a frame whose length is invalid).
private final class ChunkReader: @unchecked Sendable {
    // Touched by one task at a time: `readAhead` runs while the verifier hashes the frames that
    // `take` returned before it, and `take` runs only after `readAhead` has finished.
    private var scanner: FrameScanner
    private var ahead: [FramePlace] = []
    private var ended = false
    private let capacity: Int
    private(set) var tail: (kind: Finding.Kind, message: String)?

    init(data: UnsafeRawBufferPointer, capacity: Int) {
        scanner = FrameScanner(data: data)
        self.capacity = capacity
        ahead.reserveCapacity(capacity)
    }

    /// Finds the next chunk's frames.
    func readAhead() {
        ahead.removeAll(keepingCapacity: true)
        while !ended && ahead.count < capacity {
            switch scanner.next() {
            case let .frame(offset, entry, check):
                ahead.append((offset, entry, check))
            case .end:
                ended = true
            case let .truncated(offset):
                tail = (.truncated, "the entries file ends inside the frame at byte \(offset) (\(scanner.data.count - offset) bytes)")
                ended = true
            case let .badLength(offset, length):
                tail = (
                    .tampered,
                    "frame at byte \(offset) has invalid length \(length); the remaining \(scanner.data.count - offset) bytes cannot be read"
                )
                ended = true
            }
        }
    }

    /// The frames found by the last `readAhead`; `used` (the caller's previous chunk) becomes
    /// the buffer for the next one, so no chunk allocates.
    func take(recycling used: [FramePlace]) -> [FramePlace] {
        let frames = ahead
        ahead = used
        ahead.removeAll(keepingCapacity: true)
        if ahead.capacity < capacity { ahead.reserveCapacity(capacity) }
        return frames
    }
}
