import Foundation
public import Logging
import WardCrypto
import WardGroupCommit

/// How to open an audit log.
public struct AuditLogConfiguration: Sendable {
    /// The log directory (created, mode 0700, if missing).
    public var directory: String
    /// The checkpoint signing key; its name is the log's origin.
    public var signer: NoteSigner
    /// The opaque id of this server, written into every entry as the audit source.
    public var source: String
    /// Longest time an entry may stay unsealed while the log is open.
    public var checkpointInterval: Duration
    /// Most entries written with one sync.
    public var maxBatch: Int
    public var logger: Logger

    public init(
        directory: String, signer: NoteSigner, source: String,
        checkpointInterval: Duration = .seconds(1), maxBatch: Int = 4096,
        logger: Logger = Logger(label: "ward.audit")
    ) {
        self.directory = directory
        self.signer = signer
        self.source = source
        self.checkpointInterval = checkpointInterval
        self.maxBatch = maxBatch
        self.logger = logger
    }
}

/// Proof that an entry is durable: its position, time and leaf hash.
public struct AuditReceipt: Hashable, Sendable {
    public let seq: UInt64
    public let timeMicros: UInt64
    public let leafHash: Hash32
}

/// The append-only, hash-chained, Merkle-tree audit log (audit/FORMAT.md).
///
/// `append` returns only after the entry is on disk. Appends from many tasks are group-committed:
/// one writer thread takes everything queued, writes it with one `pwrite` and one `fdatasync`,
/// then acknowledges the whole batch. A signed checkpoint is written at least every
/// `checkpointInterval` while entries arrive, and on `close`. A write or sync failure stops the
/// log: every pending and later append throws `AuditLogError.stopped`.
public final class AuditLog: Sendable {
    private let writer: LogWriter

    /// The log's directory (for readers such as proofs and exports).
    public let directory: String

    private init(writer: LogWriter, directory: String) {
        self.writer = writer
        self.directory = directory
    }

    /// Opens (or creates) the log, recovers a torn tail left by a crash (recording the recovery
    /// as an `audit.recover` entry), and appends an `audit.start` entry.
    public static func open(_ configuration: AuditLogConfiguration) throws -> AuditLog {
        AuditLog(writer: try LogWriter(configuration: configuration), directory: configuration.directory)
    }

    /// Appends `event`; returns once it is durable. Throws `invalidEvent` for fields outside
    /// the identifier alphabet, `stopped` after an I/O failure, `closed` after `close`.
    @discardableResult
    public func append(_ event: AuditEvent) async throws -> AuditReceipt {
        let encoded = try writer.encode(event)
        return try await withCheckedThrowingContinuation { continuation in
            writer.enqueue(encoded, continuation)
        }
    }

    /// Appends `audit.stop`, writes a final checkpoint and closes the files. Idempotent.
    public func close() async throws {
        if writer.isAcceptingEntries {
            try await append(AuditEvent(type: "audit.stop", action: .execute, actorID: "system:audit", actorRole: "system"))
        }
        await withCheckedContinuation { continuation in writer.requestClose(continuation) }
    }

    /// Number of entries in the log.
    public var size: UInt64 { writer.published.size }

    /// The newest signed checkpoint, if any has been written.
    public var latestCheckpoint: SignedCheckpoint? { writer.published.checkpoint }

    /// The key that verifies this log's checkpoints.
    public var verifier: NoteVerifier { writer.signer.verifier }
}

/// The state shared between appenders and the writer thread (`GroupCommitQueue`'s). What
/// appenders read is guarded by `lock`; the writer thread alone touches the `Sealed` part (file
/// offsets, tree).
final class LogWriter: @unchecked Sendable {
    typealias Continuation = CheckedContinuation<AuditReceipt, any Error>

    struct Published {
        var size: UInt64 = 0
        var checkpoint: SignedCheckpoint?
    }

    /// Writer-thread state.
    private struct Sealed {
        var end = LogEnd()
        var entriesEnd = 0
        var checkpointsEnd = 0
        var checkpointedSize: UInt64 = 0
        var lastCheckpoint = ContinuousClock.now
    }

    let signer: NoteSigner
    private let layout: LogLayout
    private let source: String
    private let interval: Duration
    private let logger: Logger
    private let entriesFD: Int32
    private let checkpointsFD: Int32
    /// The tree index (audit/FORMAT.md §9.4); writer thread only.
    private let index: IndexWriter
    private var indexFailureLogged = false

    private let queue: GroupCommitQueue<(entry: [UInt8], continuation: Continuation)>
    // Guarded by `lock`.
    private let lock = NSLock()
    private var closeWaiters: [CheckedContinuation<Void, Never>] = []
    private var finished = false
    private var stoppedReason: String?
    private var publishedState = Published()
    private var sealed = Sealed()
    private var batchBuffer: [UInt8] = []

    init(configuration: AuditLogConfiguration) throws {
        signer = configuration.signer
        layout = LogLayout(directory: configuration.directory)
        source = configuration.source
        interval = configuration.checkpointInterval
        queue = GroupCommitQueue(maxBatch: configuration.maxBatch)
        logger = configuration.logger
        guard EntryCodec.isIdentifier(source), !source.isEmpty else {
            throw AuditLogError.invalidEvent("source must be a non-empty identifier")
        }
        try FileIO.makeDirectory(layout.directory)
        entriesFD = try FileIO.openReadWrite(layout.entriesPath)
        do {
            // Two writers would interleave frames and break the chain: one process at a time.
            try FileIO.lockExclusively(entriesFD, path: layout.entriesPath)
            checkpointsFD = try FileIO.openReadWrite(layout.checkpointsPath)
        } catch {
            Glibc.close(entriesFD)
            throw error
        }
        do {
            index = try IndexWriter(log: layout)
        } catch {
            Glibc.close(checkpointsFD)
            Glibc.close(entriesFD)
            throw error
        }
        do {
            try FileIO.syncDirectory(layout.directory)
            let recovery = try LogRecovery.run(
                layout: layout, verifier: signer.verifier, entriesFD: entriesFD, checkpointsFD: checkpointsFD, index: index)
            if let reason = recovery.indexRebuilt {
                logger.warning("audit tree index rebuilt from the log", metadata: ["reason": "\(reason)", "entries": "\(recovery.end.size)"])
            }
            sealed.end = recovery.end
            sealed.entriesEnd = recovery.entriesEnd
            sealed.checkpointsEnd = recovery.checkpointsEnd
            sealed.checkpointedSize = recovery.latestCheckpoint?.checkpoint.size ?? 0
            publishedState = Published(size: recovery.end.size, checkpoint: recovery.latestCheckpoint)
            var startup: [[UInt8]] = []
            for dropped in recovery.dropped {
                logger.warning(
                    "audit log recovered a torn tail",
                    metadata: [
                        "file": "\(dropped.file)", "offset": "\(dropped.offset)", "bytes": "\(dropped.length)"
                    ])
                startup.append(
                    try encode(
                        AuditEvent(
                            type: "audit.recover", action: .delete, outcome: .minorFailure,
                            actorID: "system:audit", actorRole: "system", objectType: "audit-file", objectID: dropped.file,
                            details: [
                                "offset": "\(dropped.offset)", "bytes": "\(dropped.length)", "sha256": dropped.sha256.hex, "saved-as": dropped.savedAs
                            ]
                        )))
            }
            startup.append(try encode(AuditEvent(type: "audit.start", action: .execute, actorID: "system:audit", actorRole: "system")))
            _ = try writeBatch(startup)
        } catch {
            Glibc.close(entriesFD)
            Glibc.close(checkpointsFD)
            throw error
        }
        queue.start(
            name: "ward-audit-writer",
            .init(
                commit: { [self] batch in commit(batch) }, nextDue: { [self] in checkpointDue() },
                afterwards: { [self] closing in checkpointIfDue(closing: closing) }, finish: { [self] in finish() }))
    }

    // MARK: Appenders' side

    /// Encodes an event with a zero header (seq, time and previous hash are filled in by the
    /// writer), so the costly part of encoding runs on the appending task, in parallel.
    func encode(_ event: AuditEvent) throws -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(256)
        do {
            try EntryCodec.append(AuditEntry(seq: 0, timeMicros: 0, previous: .zero, source: source, event: event), to: &out)
        } catch let error as EntryCodec.CodecError {
            throw AuditLogError.invalidEvent(error.description)
        }
        guard out.count <= Frame.maxEntryLength else { throw AuditLogError.invalidEvent("entry is larger than \(Frame.maxEntryLength) bytes") }
        return out
    }

    func enqueue(_ entry: [UInt8], _ continuation: Continuation) {
        if let reason = currentStopReason() {
            continuation.resume(throwing: AuditLogError.stopped(reason: reason))
        } else if !queue.enqueue((entry, continuation)) {
            continuation.resume(throwing: AuditLogError.closed)
        }
    }

    var isAcceptingEntries: Bool { queue.isOpen && currentStopReason() == nil }

    var published: Published {
        lock.lock()
        defer { lock.unlock() }
        return publishedState
    }

    func requestClose(_ waiter: CheckedContinuation<Void, Never>) {
        lock.lock()
        if finished {
            lock.unlock()
            waiter.resume()
            return
        }
        closeWaiters.append(waiter)
        lock.unlock()
        queue.close()
    }

    // MARK: Writer thread

    /// When the next checkpoint is due: `checkpointInterval` after the last one, while entries
    /// wait for one and the log has not stopped.
    private func checkpointDue() -> ContinuousClock.Instant? {
        guard sealed.end.size > sealed.checkpointedSize, currentStopReason() == nil else { return nil }
        return sealed.lastCheckpoint.advanced(by: interval)
    }

    /// Signs a checkpoint of what is written when one is due, and on closing.
    private func checkpointIfDue(closing: Bool) {
        let due = sealed.end.size > sealed.checkpointedSize && ContinuousClock.now >= sealed.lastCheckpoint.advanced(by: interval)
        if (due || closing) && sealed.end.size > sealed.checkpointedSize && currentStopReason() == nil {
            do { try writeCheckpoint() } catch { stop(because: error) }
        }
    }

    private func currentStopReason() -> String? {
        lock.lock()
        defer { lock.unlock() }
        return stoppedReason
    }

    private func commit(_ batch: [(entry: [UInt8], continuation: Continuation)]) {
        if let stopped = currentStopReason() {
            for item in batch { item.continuation.resume(throwing: AuditLogError.stopped(reason: stopped)) }
            return
        }
        let receipts: [AuditReceipt]
        do {
            receipts = try writeBatch(batch.map(\.entry))
        } catch {
            stop(because: error)
            let reason = currentStopReason() ?? "\(error)"
            for item in batch { item.continuation.resume(throwing: AuditLogError.stopped(reason: reason)) }
            return
        }
        for (item, receipt) in zip(batch, receipts) { item.continuation.resume(returning: receipt) }
    }

    /// Frames, chains and writes entries, then syncs. Runs on the writer thread (or in `init`
    /// before it starts).
    private func writeBatch(_ entries: [[UInt8]]) throws -> [AuditReceipt] {
        var receipts: [AuditReceipt] = []
        receipts.reserveCapacity(entries.count)
        batchBuffer.removeAll(keepingCapacity: true)
        var state = sealed
        // Time never goes backwards along the log, whatever the wall clock does.
        state.end.lastTime = max(state.end.lastTime, Self.nowMicros())
        for entry in entries {
            let start = batchBuffer.count
            batchBuffer.append(contentsOf: [0, 0, 0, 0])
            let entryStart = batchBuffer.count
            batchBuffer.append(contentsOf: entry)
            batchBuffer.withUnsafeMutableBytes { raw in
                raw.storeBytes(of: state.end.size.bigEndian, toByteOffset: entryStart + EntryCodec.seqOffset, as: UInt64.self)
                raw.storeBytes(of: state.end.lastTime.bigEndian, toByteOffset: entryStart + EntryCodec.timeOffset, as: UInt64.self)
                raw.storeBytes(of: state.end.lastLeaf.storage, toByteOffset: entryStart + EntryCodec.previousOffset, as: Hash32.Words.self)
            }
            let leaf = Frame.seal(&batchBuffer, lengthAt: start)
            receipts.append(AuditReceipt(seq: state.end.size, timeMicros: state.end.lastTime, leafHash: leaf))
            index.add(frameAt: state.entriesEnd + start, leaf: leaf)
            state.end.append(leaf: leaf) { index.add(node: $0, height: $1) }
        }
        do {
            try batchBuffer.withUnsafeBytes { try FileIO.write(entriesFD, $0, at: state.entriesEnd, path: layout.entriesPath) }
            try FileIO.syncData(entriesFD, path: layout.entriesPath)
        } catch {
            index.discardStaged()
            throw error
        }
        index.flush()
        logIndexFailure()
        state.entriesEnd += batchBuffer.count
        sealed = state
        lock.lock()
        publishedState.size = state.end.size
        lock.unlock()
        return receipts
    }

    private func writeCheckpoint() throws {
        let checkpoint = SignedCheckpoint(
            signing: Checkpoint(origin: signer.name, size: sealed.end.tree.size, root: sealed.end.tree.root), with: signer)
        let record = CheckpointFile.record(checkpoint)
        try record.withUnsafeBytes { try FileIO.write(checkpointsFD, $0, at: sealed.checkpointsEnd, path: layout.checkpointsPath) }
        try FileIO.syncData(checkpointsFD, path: layout.checkpointsPath)
        index.addCheckpoint(size: checkpoint.checkpoint.size, offset: sealed.checkpointsEnd)
        logIndexFailure()
        sealed.checkpointsEnd += record.count
        sealed.checkpointedSize = checkpoint.checkpoint.size
        sealed.lastCheckpoint = .now
        lock.lock()
        publishedState.checkpoint = checkpoint
        lock.unlock()
    }

    /// A failed index write does not stop the log (the index is a cache of it); proofs past the
    /// index wait for the next open, which rebuilds it.
    private func logIndexFailure() {
        guard let failure = index.failure, !indexFailureLogged else { return }
        indexFailureLogged = true
        logger.error("audit tree index stopped; proofs of newer entries wait for the next start", metadata: ["error": "\(failure)"])
    }

    private func stop(because error: any Error) {
        lock.lock()
        if stoppedReason == nil {
            stoppedReason = "\(error)"
            logger.critical("audit log stopped: appends now fail until the log is reopened", metadata: ["error": "\(error)"])
        }
        lock.unlock()
    }

    private func finish() {
        lock.lock()
        finished = true
        let waiters = closeWaiters
        closeWaiters = []
        lock.unlock()
        Glibc.close(entriesFD)
        Glibc.close(checkpointsFD)
        for waiter in waiters { waiter.resume() }
    }

    static func nowMicros() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return UInt64(max(0, ts.tv_sec)) * 1_000_000 + UInt64(max(0, ts.tv_nsec)) / 1_000
    }
}
