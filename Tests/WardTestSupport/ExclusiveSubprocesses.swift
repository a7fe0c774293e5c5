/// Tests that keep child processes running while they work (a served ward-server, tmux with
/// ward screens, the slow-reader script) take turns through this lock, across every suite and
/// test target of the run. Children spawned at the same moment inherit each other's pipe ends
/// (Foundation's Process does not close the descriptors of its parent), so one test's child can
/// hold another's output open or share its terminal; run one at a time they cannot.
public actor ExclusiveSubprocesses {
    public static let shared = ExclusiveSubprocesses()

    private var busy = false
    private var waiting: [CheckedContinuation<Void, Never>] = []

    public init() {}

    public func run<T: Sendable>(_ body: @Sendable () async throws -> T) async rethrows -> T {
        await acquire()
        defer { release() }
        return try await body()
    }

    /// Runs `body` on its turn and fails it if it takes longer than `limit` from then. A test's
    /// `.timeLimit` trait would count the time spent waiting for the other tests' turns too, and
    /// with a dozen such tests on two cores that wait alone can pass three minutes. On time out
    /// the body is cancelled, and its turn ends when it has cleaned up.
    public func run<T: Sendable>(within limit: Duration, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        await acquire()
        defer { release() }
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await body() }
            group.addTask {
                try await Task.sleep(for: limit)
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let value = first else { throw TimeLimitExceeded(limit: limit) }
            return value
        }
    }

    /// A test's own work took longer than its limit.
    public struct TimeLimitExceeded: Error, CustomStringConvertible {
        public let limit: Duration
        public var description: String { "the test took longer than \(limit) from its turn (waiting for other tests not counted)" }
    }

    private func acquire() async {
        if !busy {
            busy = true
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    private func release() {
        if waiting.isEmpty { busy = false } else { waiting.removeFirst().resume() }
    }
}
