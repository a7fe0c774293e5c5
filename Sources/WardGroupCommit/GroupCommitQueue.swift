import Foundation

/// Group commit: tasks queue items, and one thread of the queue's own takes everything queued
/// (up to `maxBatch`) and commits it at once, so that a batch shares one sync instead of paying
/// one per item; the committer then answers each item. The audit log commits a batch with one
/// `pwrite` and one `fdatasync`, the database with one SQLite transaction. A sync takes
/// milliseconds (the reference machine's fdatasync p99 is 4 ms, docs/PERFORMANCE.md), so a sync
/// per item would cap each at a few hundred writes a second under load.
///
/// A thread rather than an actor or a task: the commit blocks in `fdatasync`, which must not
/// happen on the cooperative thread pool (two threads on a two-core machine).
public final class GroupCommitQueue<Item>: @unchecked Sendable {
    /// What the queue's thread does. Every closure runs on that thread, one at a time.
    public struct Committer: Sendable {
        /// Commits one batch, in queue order, and answers each of its items.
        public var commit: @Sendable ([Item]) -> Void
        /// When work of the committer's own falls due while nothing is queued (the audit log's
        /// checkpoint), or nil when none is pending; asked before each wait. A time already past
        /// wakes the thread at once, so `afterwards` must do that work or move the time on.
        public var nextDue: @Sendable () -> ContinuousClock.Instant?
        /// Runs after each batch and each time `nextDue` came; `closing` on the last time.
        public var afterwards: @Sendable (_ closing: Bool) -> Void
        /// Runs once, after the last batch, before the thread ends.
        public var finish: @Sendable () -> Void

        public init(
            commit: @escaping @Sendable ([Item]) -> Void, nextDue: @escaping @Sendable () -> ContinuousClock.Instant? = { nil },
            afterwards: @escaping @Sendable (_ closing: Bool) -> Void = { _ in }, finish: @escaping @Sendable () -> Void = {}
        ) {
            self.commit = commit
            self.nextDue = nextDue
            self.afterwards = afterwards
            self.finish = finish
        }
    }

    private let maxBatch: Int
    // Guarded by `condition`.
    private let condition = NSCondition()
    private var pending: [Item] = []
    private var closing = false

    public init(maxBatch: Int) {
        self.maxBatch = max(1, maxBatch)
    }

    /// Starts the thread that commits. Call once; the committer is released when the thread ends
    /// (it usually holds the queue's owner).
    public func start(name: String, _ committer: Committer) {
        let thread = Thread { [self] in run(committer) }
        thread.name = name
        thread.start()
    }

    /// Queues `item` for the next batch; false once the queue is closing (the caller answers it).
    public func enqueue(_ item: Item) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        guard !closing else { return false }
        pending.append(item)
        if pending.count == 1 { condition.signal() }
        return true
    }

    /// Whether the queue still takes items.
    public var isOpen: Bool {
        condition.lock()
        defer { condition.unlock() }
        return !closing
    }

    /// Stops taking items: the thread commits what is queued, runs `finish` and ends. Idempotent.
    public func close() {
        condition.lock()
        closing = true
        condition.signal()
        condition.unlock()
    }

    private func run(_ committer: Committer) {
        var batch: [Item] = []
        while true {
            let due = committer.nextDue()
            condition.lock()
            while pending.isEmpty && !closing {
                guard let due else {
                    condition.wait()
                    continue
                }
                let wait = ContinuousClock.now.duration(to: due)
                if wait <= .zero { break }
                let seconds = Double(wait.components.seconds) + Double(wait.components.attoseconds) / 1e18
                _ = condition.wait(until: Date(timeIntervalSinceNow: seconds))
            }
            if pending.count <= maxBatch {
                swap(&batch, &pending)
            } else {
                batch.append(contentsOf: pending.prefix(maxBatch))
                pending.removeFirst(maxBatch)
            }
            let last = closing && pending.isEmpty
            condition.unlock()
            if !batch.isEmpty {
                committer.commit(batch)
                batch.removeAll(keepingCapacity: true)
            }
            committer.afterwards(last)
            if last {
                committer.finish()
                return
            }
        }
    }
}
