import Foundation
import Synchronization
import Testing
import WardGroupCommit

/// The group-commit queue the audit log and the store share (issue 20).
@Suite("Group commit queue")
struct GroupCommitQueueTests {
    /// What the committer saw, read from the test's side.
    final class Seen: Sendable {
        let batches = Mutex<[[Int]]>([])
        let afterwards = Mutex<[Bool]>([])
        let finished = Mutex(false)
        let done = DispatchSemaphore(value: 0)
    }

    static func committer(_ seen: Seen, nextDue: @escaping @Sendable () -> ContinuousClock.Instant? = { nil }) -> GroupCommitQueue<Int>.Committer {
        .init(
            commit: { batch in seen.batches.withLock { $0.append(batch) } }, nextDue: nextDue,
            afterwards: { closing in seen.afterwards.withLock { $0.append(closing) } },
            finish: {
                seen.finished.withLock { $0 = true }
                seen.done.signal()
            })
    }

    @Test func everyItemIsCommittedOnceInQueueOrderAndClosingDrainsTheQueue() {
        let queue = GroupCommitQueue<Int>(maxBatch: 7)
        let seen = Seen()
        // Queued before the thread starts, so the first batches are full: the cap holds.
        for item in 0..<100 { #expect(queue.enqueue(item)) }
        queue.start(name: "test.group-commit", Self.committer(seen))
        for item in 100..<200 { #expect(queue.enqueue(item)) }
        queue.close()
        #expect(seen.done.wait(timeout: .now() + 10) == .success)
        let batches = seen.batches.withLock { $0 }
        #expect(batches.flatMap { $0 } == Array(0..<200), "every item once, in the order queued")
        #expect(batches.allSatisfy { $0.count <= 7 })
        #expect(batches.prefix(14).allSatisfy { $0.count == 7 }, "what waits is taken together")
        #expect(seen.afterwards.withLock { $0.last } == true, "the last round knows it is the last")
        #expect(seen.finished.withLock { $0 })
        #expect(!queue.enqueue(200), "a closed queue takes nothing")
        #expect(!queue.isOpen)
    }

    @Test func theCommittersOwnWorkRunsWhenDueWithNothingQueued() {
        let queue = GroupCommitQueue<Int>(maxBatch: 8)
        let seen = Seen()
        let due = Mutex<ContinuousClock.Instant?>(.now.advanced(by: .milliseconds(20)))
        queue.start(
            name: "test.group-commit.due",
            Self.committer(seen) { due.withLock { $0 } })
        for _ in 0..<3000 where seen.afterwards.withLock({ $0.isEmpty }) { Thread.sleep(forTimeInterval: 0.01) }
        due.withLock { $0 = nil }
        #expect(seen.afterwards.withLock { $0.first } == false, "woken by the due time, not by closing")
        #expect(seen.batches.withLock { $0.isEmpty })
        queue.close()
        #expect(seen.done.wait(timeout: .now() + 10) == .success)
    }
}
