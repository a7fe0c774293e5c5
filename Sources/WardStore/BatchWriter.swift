import Foundation
import GRDB
import WardGroupCommit

/// Group commit for SQLite: writes from many tasks are queued, and one thread runs everything
/// queued in one transaction with one sync, then answers each writer. With synchronous=FULL a
/// transaction per write costs a sync each (a few thousand a second); a batch shares it.
///
/// Each write runs in its own savepoint, so one that throws (a constraint, a check) is rolled
/// back alone and the rest of the batch commits. After the commit each write's `afterCommit`
/// runs on the writer thread in the order the writes ran, so what it publishes (a message to the
/// members of a room) goes out in commit order.
final class BatchWriter: @unchecked Sendable {
    private struct Item {
        /// Runs the write inside the batch's transaction.
        let run: (Database) -> Void
        /// Called after the transaction, with the commit's error if it failed.
        let finish: ((any Error)?) -> Void
    }

    // Unowned: the database owns the pool and closes it when it goes, after `close` has stopped
    // this writer, so that the file is closed by the time the database is gone.
    private unowned let pool: DatabasePool
    private let queue: GroupCommitQueue<Item>
    private let stopped = DispatchSemaphore(value: 0)

    init(pool: DatabasePool, maxBatch: Int = 1024) {
        self.pool = pool
        queue = GroupCommitQueue(maxBatch: maxBatch)
        queue.start(name: "ward.database.writer", .init(commit: { [self] batch in commit(batch) }, finish: { [self] in stopped.signal() }))
    }

    /// Runs `work` in the next batch; returns its result once the batch is durable.
    func write<T: Sendable>(
        _ work: @escaping @Sendable (Database) throws -> T,
        afterCommit: @escaping @Sendable (T) -> Void = { _ in }
    ) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let outcome = OutcomeBox<T>()
            let item = Item(
                run: { db in
                    outcome.value = Result {
                        var value: T?
                        try db.inSavepoint {
                            value = try work(db)
                            return .commit
                        }
                        guard let value else { throw BatchWriterError.noResult }
                        return value
                    }
                },
                finish: { commitError in
                    if let commitError {
                        continuation.resume(throwing: commitError)
                        return
                    }
                    let result = outcome.value ?? .failure(BatchWriterError.noResult)
                    if case let .success(value) = result { afterCommit(value) }
                    continuation.resume(with: result)
                }
            )
            if !queue.enqueue(item) { continuation.resume(throwing: BatchWriterError.closed) }
        }
    }

    /// Finishes what is queued and stops the thread, returning once it has; later writes throw
    /// `closed`. Call once.
    func close() {
        queue.close()
        stopped.wait()
    }

    /// One transaction for the batch; each write's own savepoint keeps a failing one from
    /// taking the others with it.
    private func commit(_ batch: [Item]) {
        var commitError: (any Error)?
        do {
            try pool.writeWithoutTransaction { db in
                try db.inTransaction {
                    for item in batch { item.run(db) }
                    return .commit
                }
            }
        } catch {
            commitError = error
        }
        for item in batch { item.finish(commitError) }
    }
}

public enum BatchWriterError: Error, CustomStringConvertible {
    case closed
    case noResult

    public var description: String {
        switch self {
        case .closed: return "the database is closed"
        case .noResult: return "a database write produced no result"
        }
    }
}

/// One write's result, set inside the transaction and read after it, both on the writer thread.
private final class OutcomeBox<T>: @unchecked Sendable {
    var value: Result<T, any Error>?
}
