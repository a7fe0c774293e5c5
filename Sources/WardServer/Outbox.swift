import Synchronization

/// Everything one connection sends waits here, in order: its replies and, later, what other
/// connections push to it. Posting never waits, so a client that stops reading cannot slow the
/// request handling of anyone who posts to it; instead the queue is bounded in bytes, and a post
/// that would exceed the bound overflows the outbox, which the connection answers by closing.
final class Outbox: Sendable {
    /// The most bytes of unsent text this outbox holds.
    let limit: Int
    let messages: AsyncStream<String>
    private let continuation: AsyncStream<String>.Continuation
    private let state = Mutex(State())
    private let onOverflow: @Sendable () -> Void

    private struct State {
        var queuedBytes = 0
        var overflowed = false
    }

    /// `onOverflow` runs once, on the post that does not fit.
    init(limit: Int, onOverflow: @escaping @Sendable () -> Void) {
        self.limit = limit
        self.onOverflow = onOverflow
        (messages, continuation) = AsyncStream<String>.makeStream(bufferingPolicy: .unbounded)
    }

    /// Queues `text`; false when it does not fit (the outbox is then finished for good) or the
    /// outbox was already finished.
    @discardableResult
    func post(_ text: String) -> Bool {
        let size = text.utf8.count
        enum Outcome { case queued, overflowing, overflowed }
        let outcome = state.withLock { state -> Outcome in
            if state.overflowed { return .overflowed }
            guard state.queuedBytes + size <= limit else {
                state.overflowed = true
                return .overflowing
            }
            state.queuedBytes += size
            return .queued
        }
        switch outcome {
        case .queued: break
        case .overflowing:
            continuation.finish()
            onOverflow()
            return false
        case .overflowed:
            return false
        }
        if case .terminated = continuation.yield(text) { return false }
        return true
    }

    /// The writer took `text` off the queue and wrote it.
    func sent(_ text: String) {
        let size = text.utf8.count
        state.withLock { $0.queuedBytes -= size }
    }

    /// No more posts; the writer sends what is queued and ends.
    func finish() { continuation.finish() }
}
