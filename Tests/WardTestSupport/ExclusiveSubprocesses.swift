/// Tests that keep child processes running while they work (a served ward-server, tmux with
/// ward screens, the slow-reader script) take turns through this lock, across every suite and
/// test target of the run. Children spawned at the same moment inherit each other's pipe ends
/// (Foundation's Process does not close the descriptors of its parent), so one test's child can
/// hold another's output open or share its terminal; run one at a time they cannot.
public actor ExclusiveSubprocesses {
    public static let shared = ExclusiveSubprocesses()

    private var busy = false
    private var waiting: [CheckedContinuation<Void, Never>] = []

    public func run<T: Sendable>(_ body: @Sendable () async throws -> T) async rethrows -> T {
        await acquire()
        defer { release() }
        return try await body()
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
