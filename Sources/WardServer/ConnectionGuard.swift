import Foundation
import HummingbirdCore
import Logging
import NIOCore
import Synchronization

/// What a connection costs before it has shown it is a client: a socket, a TLS handshake, a
/// parser. Seen against a running server: 1,100 sockets that never finished TLS or the
/// WebSocket upgrade were never closed and, at the usual open-file limit, kept out every client
/// and /healthz (issue 16, item 6). So every connection counts against a cap per source address
/// and a cap in total, and one that has not completed the WebSocket upgrade within
/// `upgradeTimeout` is closed.
public struct ConnectionCaps: Sendable {
    /// Connections at once from one address (a clinic's devices may share one behind NAT).
    public var perAddress = 256
    /// Connections at once in total; kept below the open-file limit (see `effectiveTotal`).
    public var total = 10_000
    /// Time from accepting a connection to its WebSocket upgrade (TLS and HTTP included).
    public var upgradeTimeout: Duration = .seconds(5)

    public init() {}

    /// `total`, but never more than the process may open files, less room for the database,
    /// the audit log and the listener.
    var effectiveTotal: Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return total }
        return max(16, min(total, Int(clamping: limit.rlim_cur) - 128))
    }
}

/// The connections open now, by source address.
final class ConnectionCounter: Sendable {
    private struct State {
        var total = 0
        var byAddress: [String: Int] = [:]
    }

    private let state = Mutex(State())
    let perAddress: Int
    let total: Int

    init(_ caps: ConnectionCaps) {
        perAddress = caps.perAddress
        total = caps.effectiveTotal
    }

    /// Counts a new connection; false (and not counted) when a cap is reached.
    func admit(_ address: String) -> Bool {
        state.withLock { state in
            guard state.total < total, state.byAddress[address, default: 0] < perAddress else { return false }
            state.total += 1
            state.byAddress[address, default: 0] += 1
            return true
        }
    }

    func release(_ address: String) {
        state.withLock { state in
            state.total -= 1
            let left = state.byAddress[address, default: 1] - 1
            state.byAddress[address] = left > 0 ? left : nil
        }
    }
}

/// Sent down a connection's pipeline when its WebSocket session starts: the upgrade deadline
/// no longer applies.
struct WebSocketUpgraded: Sendable {}

/// First in every connection's pipeline, before TLS: refuses a connection over a cap and
/// closes one that has not upgraded in time.
final class ConnectionGuardHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny

    private let counter: ConnectionCounter
    private let upgradeTimeout: Duration
    private let metrics: Metrics
    private var address: String?
    private var deadline: Scheduled<Void>?

    init(counter: ConnectionCounter, upgradeTimeout: Duration, metrics: Metrics) {
        self.counter = counter
        self.upgradeTimeout = upgradeTimeout
        self.metrics = metrics
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { start(context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        start(context)
        context.fireChannelActive()
    }

    private func start(_ context: ChannelHandlerContext) {
        guard address == nil else { return }
        let address = context.channel.remoteAddress?.ipAddress ?? "unknown"
        guard counter.admit(address) else {
            metrics.request("any", outcome: "connection_cap_closed")
            context.close(promise: nil)
            return
        }
        self.address = address
        let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
        let metrics = self.metrics
        deadline = context.eventLoop.scheduleTask(in: TimeAmount(upgradeTimeout)) {
            metrics.request("any", outcome: "upgrade_timeout_closed")
            loopBound.value.close(promise: nil)
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is WebSocketUpgraded {
            deadline?.cancel()
            deadline = nil
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    func channelInactive(context: ChannelHandlerContext) {
        deadline?.cancel()
        deadline = nil
        if let address { counter.release(address) }
        address = nil
        context.fireChannelInactive()
    }
}

/// A server child channel with the guard in front of `base` (TLS, then HTTP and WebSocket).
struct GuardedChannel<Base: ServerChildChannel>: ServerChildChannel {
    typealias Value = Base.Value
    let base: Base
    let counter: ConnectionCounter
    let upgradeTimeout: Duration
    let metrics: Metrics

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        channel.eventLoop.makeCompletedFuture {
            try channel.pipeline.syncOperations.addHandler(ConnectionGuardHandler(counter: counter, upgradeTimeout: upgradeTimeout, metrics: metrics))
        }.flatMap {
            base.setup(channel: channel, logger: logger)
        }
    }

    func handle(value: Value, logger: Logger) async {
        await base.handle(value: value, logger: UpgradeFailureLogging.wrapping(logger))
    }
}
