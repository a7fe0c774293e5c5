import ServiceLifecycle
import Synchronization

/// Stops a server started in this process as SIGTERM does: no new connections, the open ones
/// closed by the server, background work ended, `server.stop` audited, nothing logged at error
/// level. Cancelling the server's task ends it without any of that (Hummingbird logs the
/// interrupted channels as errors), so the tests stop their servers with this.
public final class ServerShutdown: Sendable {
    private struct State {
        var group: ServiceGroup?
        var requested = false
    }

    private let state = Mutex(State())

    public init() {}

    /// The server's service group, once it runs; a shutdown asked for before then happens now.
    func attach(_ group: ServiceGroup) async {
        let requested = state.withLock { state -> Bool in
            state.group = group
            return state.requested
        }
        if requested { await group.triggerGracefulShutdown() }
    }

    /// Asks the server to stop; its `run` returns once it has.
    public func trigger() async {
        let group = state.withLock { state -> ServiceGroup? in
            state.requested = true
            return state.group
        }
        await group?.triggerGracefulShutdown()
    }
}
